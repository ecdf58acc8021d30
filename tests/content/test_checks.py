"""Every check kind, passing and failing, on hand-made run records."""

from typing import Any

import pytest

from playground.concepts.checks import KINDS, evaluate, validate


def record(status: str = "succeeded", stdout: str = "", *events: dict[str, Any]) -> dict[str, Any]:
    stream = [{"type": "stdout", "text": stdout}] if stdout else []
    done = {"type": "done", "status": status}
    return {"id": "r1", "status": status, "events": [*stream, *events, done]}


ERROR = {"type": "error", "exc_type": "InvalidArgumentError", "message": "cannot compute Mul",
         "traceback": [], "line": 6}
TRACE = [{"type": "trace", "function": "square", "signature": "x: float32[2]", "count": n,
          "reason": "new input signature" if n > 1 else "first call"} for n in (1, 2, 3)]
GRAPH = {"type": "graph", "function": "f", "edges": [],
         "nodes": [{"id": "1", "op": "Placeholder"}, {"id": "2", "op": "While"}],
         "functions": [{"function": "body", "edges": [],
                        "nodes": [{"id": "3", "op": "StatelessIf"}]}]}
MODEL = {"type": "model", "name": "mlp", "layers": [], "total_params": 67}
METRICS = [{"type": "metrics", "phase": "train", "epoch": e, "step": None,
            "logs": {"loss": 1.0 / (e + 1), "accuracy": 0.6 + 0.1 * e,
                     "val_accuracy": 0.55 + 0.1 * e}}
           for e in range(3)]
EVAL = {"type": "metrics", "phase": "eval", "epoch": None, "step": 5, "logs": {"accuracy": 0.5}}
PIPELINE = {"type": "dataset", "id": 1, "stages": [
    {"kind": "source", "op": "from_tensor_slices", "args": {}},
    {"kind": "map", "op": "map", "args": {"num_parallel_calls": "AUTOTUNE"}},
    {"kind": "batch", "op": "batch", "args": {"batch_size": 32}},
    {"kind": "prefetch", "op": "prefetch", "args": {"buffer_size": "AUTOTUNE"}}]}
REPLICAS = {"type": "replicas", "strategy": "MirroredStrategy",
            "replicas": [{"id": 0, "device": "CPU:0"}, {"id": 1, "device": "CPU:1"}]}
STEP = {"type": "replica_step", "kind": "run", "step": 1, "reduce_op": "SUM",
        "replicas": [{"replica": 0, "grad_norm": 1.0}, {"replica": 1, "grad_norm": 2.0}],
        "reduced": {"grad_norm": 2.5}}
AUGMENT = {"type": "augment", "function": "RandomFlip", "kind": "layer", "samples": [{}]}


def speeds(*per_second: float) -> list[dict[str, Any]]:
    """Final dataset_stats of pipelines 1, 2, ... with these examples per second."""
    return [{"type": "dataset_stats", "id": i + 1, "elements": 10, "final": True,
             "per_second": s / 32, "examples_per_second": s} for i, s in enumerate(per_second)]

CASES = [
    # (check, passing record, failing record)
    ({"kind": "status", "equals": "succeeded"}, record(), record("failed")),
    ({"kind": "status", "equals": "failed"}, record("failed", "", ERROR), record("timeout")),
    ({"kind": "stdout_contains", "text": "total: 8.20"}, record(stdout="total: 8.20\n"),
     record(stdout="total: 8.2\n")),
    ({"kind": "stdout_not_contains", "text": "(2,)"}, record(stdout="(4, 2)\n"),
     record(stdout="(2,)\n")),
    ({"kind": "stdout_matches", "pattern": r"^step \d+$"}, record(stdout="a\nstep 12\n"),
     record(stdout="a step 12 b\n")),
    ({"kind": "error", "exc_type": "InvalidArgumentError", "line": 6},
     record("failed", "", ERROR), record("failed", "", {**ERROR, "line": 7})),
    ({"kind": "error", "exc_type": "InvalidArgumentError"},
     record("failed", "", {**ERROR, "exc_type": "tensorflow.errors.InvalidArgumentError"}),
     record()),
    ({"kind": "error", "exc_type": "ValueError", "message_contains": "else branch"},
     record("failed", "", {**ERROR, "exc_type": "ValueError", "message": "in the else branch"}),
     record("failed", "", {**ERROR, "exc_type": "ValueError"})),
    ({"kind": "no_error"}, record(), record("failed", "", ERROR)),
    ({"kind": "no_error"}, record(), record("timeout")),
    ({"kind": "no_error", "exc_type": "InvalidArgumentError"},
     record("failed", "", {**ERROR, "exc_type": "KeyError"}), record("failed", "", ERROR)),
    ({"kind": "event", "type": "model", "fields": {"name": "mlp"}}, record("succeeded", "", MODEL),
     record("succeeded", "", {**MODEL, "name": "other"})),
    ({"kind": "event", "type": "trace", "min_count": 3}, record("succeeded", "", *TRACE),
     record("succeeded", "", *TRACE[:2])),
    ({"kind": "trace_count", "function": "square", "equals": 1}, record("succeeded", "", TRACE[0]),
     record("succeeded", "", *TRACE)),
    ({"kind": "trace_count", "function": "square", "at_most": 2},
     record("succeeded", "", *TRACE[:2]), record("succeeded", "", *TRACE)),
    ({"kind": "trace_count", "function": "square", "at_least": 1},
     record("succeeded", "", {**TRACE[0], "function": "__main__.square"}), record()),
    ({"kind": "graph_has_op", "op": "While"}, record("succeeded", "", GRAPH),
     record("succeeded", "", {**GRAPH, "nodes": []})),
    ({"kind": "graph_has_op", "op": ["If", "StatelessIf"]}, record("succeeded", "", GRAPH),
     record("succeeded", "", {**GRAPH, "functions": []})),
    ({"kind": "graph_has_op", "op": "StatelessIf", "function": "f"},
     record("succeeded", "", {**GRAPH, "functions": {"body": GRAPH["functions"][0]}}),
     record("succeeded", "", {**GRAPH, "function": "g"})),
    ({"kind": "metric", "name": "val_accuracy", "min": 0.7}, record("succeeded", "", *METRICS),
     record("succeeded", "", *METRICS[:1])),
    ({"kind": "metric", "name": "loss", "phase": "train", "max": 0.5},
     record("succeeded", "", *METRICS), record("succeeded", "", EVAL)),
    ({"kind": "metric", "name": "accuracy", "phase": "eval", "min": 0.4, "max": 0.6},
     record("succeeded", "", *METRICS, EVAL), record("succeeded", "", *METRICS)),
    ({"kind": "model_params", "equals": 67}, record("succeeded", "", MODEL),
     record("succeeded", "", {**MODEL, "total_params": 15})),
    ({"kind": "model_params", "min": 50, "max": 100}, record("succeeded", "", MODEL), record()),
    ({"kind": "pipeline", "stages": ["map", "batch", "prefetch"],
      "args": {"map": {"num_parallel_calls": "AUTOTUNE"}}},
     record("succeeded", "", PIPELINE),
     record("succeeded", "", {**PIPELINE, "stages": PIPELINE["stages"][:3]})),
    ({"kind": "pipeline", "stages": ["source", "map"]}, record("succeeded", "", PIPELINE),
     record()),
    ({"kind": "throughput", "at_least": 2}, record("succeeded", "", *speeds(100, 250)),
     record("succeeded", "", *speeds(100, 150))),
    ({"kind": "throughput", "at_least": 2}, record("succeeded", "", *speeds(100, 300)),
     record("succeeded", "", *speeds(100))),
    ({"kind": "replicas", "equals": 2, "strategy": "MirroredStrategy"},
     record("succeeded", "", REPLICAS), record("succeeded", "", {**REPLICAS, "replicas": []})),
    ({"kind": "replicas", "min": 1, "fallback": True},
     record("succeeded", "", {**REPLICAS, "fallback": {"wanted": "TPUStrategy"}}),
     record("succeeded", "", REPLICAS)),
    ({"kind": "all_reduce", "step": "run"},
     record("succeeded", "", STEP), record("succeeded", "", {**STEP, "reduced": {}})),
    ({"kind": "augment", "source": "layer"},
     record("succeeded", "", AUGMENT), record("succeeded", "", {**AUGMENT, "samples": []})),
]


@pytest.mark.parametrize(("check", "good", "bad"), CASES, ids=[c[0]["kind"] for c in CASES])
def test_it_passes_and_fails(check: dict[str, Any], good: dict[str, Any],
                             bad: dict[str, Any]) -> None:
    assert validate(check) == []
    assert evaluate([check], good)["passed"], evaluate([check], good)
    assert not evaluate([check], bad)["passed"], evaluate([check], bad)


def test_every_kind_is_covered() -> None:
    assert {case[0]["kind"] for case in CASES} == set(KINDS)


def test_it_shows_the_authors_hint_on_failure_in_the_chosen_language() -> None:
    check = {"kind": "stdout_contains", "text": "hi",
             "message": {"en": "Print hi.", "ja": "hi と表示しましょう。"}}
    result = evaluate([check], record(), "ja")
    assert result == {"passed": False, "results": [{
        "kind": "stdout_contains", "passed": False, "message": "hi と表示しましょう。",
        "detail": "出力に 'hi' が見つかりません。"}]}
    both = evaluate([check], record(), None)["results"][0]
    assert both["message"] == {"en": "Print hi.", "ja": "hi と表示しましょう。"}


def test_it_explains_what_it_found_without_a_hint() -> None:
    check = {"kind": "trace_count", "function": "square", "equals": 1}
    message = evaluate([check], record("succeeded", "", *TRACE))["results"][0]["message"]
    assert "3 time(s)" in message and "new input signature" in message


def test_it_needs_every_check_to_pass() -> None:
    checks = [{"kind": "no_error"}, {"kind": "stdout_contains", "text": "x"}]
    result = evaluate(checks, record(stdout="y"))
    assert not result["passed"]
    assert [r["passed"] for r in result["results"]] == [True, False]
    assert evaluate([], record("failed"))["passed"]


def test_it_concatenates_stdout_chunks() -> None:
    chunks = [{"type": "stdout", "text": "tot"}, {"type": "stdout", "text": "al: 1"}]
    run = record("succeeded", "", *chunks)
    assert evaluate([{"kind": "stdout_contains", "text": "total: 1"}], run)["passed"]


@pytest.mark.parametrize(("check", "problem"), [
    ({"kind": "nope"}, "unknown check kind"),
    ({"kind": "stdout_contains"}, "missing parameter 'text'"),
    ({"kind": "stdout_contains", "text": "a", "txt": "b"}, "unknown parameter 'txt'"),
    ({"kind": "trace_count", "function": "f"}, "give at least one of"),
    ({"kind": "status", "equals": "running"}, "not a terminal status"),
    ({"kind": "stdout_matches", "pattern": "("}, "bad pattern"),
    ({"kind": "no_error", "message": {"en": "only English"}}, "'en' and 'ja'"),
    ("no_error", "must be a table"),
    ({"kind": "pipeline", "stages": "map"}, "list of stage names"),
    ({"kind": "throughput", "at_least": 0}, "positive number"),
    ({"kind": "replicas"}, "give at least one of"),
])
def test_it_rejects_malformed_checks(check: Any, problem: str) -> None:
    assert any(problem in p for p in validate(check)), validate(check)


def test_it_grades_a_compare_eager_run_by_its_first_pass() -> None:
    eager = [{"type": "stdout", "text": "eager only\n", "pass": "eager"},
             {"type": "metrics", "phase": "train", "epoch": 9, "logs": {"loss": 9.0},
              "pass": "eager"},
             {"type": "pass", "pass": "eager", "status": "succeeded"}]
    run = record("succeeded", "total: 1\n", *METRICS, *eager)
    checks = [{"kind": "stdout_not_contains", "text": "eager only"},
              {"kind": "metric", "name": "loss", "max": 1.0},
              {"kind": "event", "type": "pass", "fields": {"pass": "eager",
                                                           "status": "succeeded"}}]
    assert [r["passed"] for r in evaluate(checks, run)["results"]] == [True, True, True]
