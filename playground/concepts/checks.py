"""Grade a finished run record against declarative checks (`[[expect]]` and `[[check]]` entries).

A check is a mapping with a `kind`, the parameters of that kind and an optional bilingual
`message` shown when it fails. The same format describes what an example is expected to print
and what an exercise must achieve, so one evaluator serves the test suite and the tour page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from contract.events import EAGER_PASS, PASS_FIELD, TERMINAL_STATUSES

LANGUAGES = ("en", "ja")

Text = dict[str, str]
Outcome = tuple[bool, Text]


class RunView:
    """Read-only helpers over a run record (the dict of `GET /api/runs/<id>`). The events of a
    `compare_eager` run's eager pass are left out (the checks grade the run as written), but
    for its `pass` events, which say how that pass went."""

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record
        self.events: list[Mapping[str, Any]] = [
            e for e in record.get("events") or []
            if e.get(PASS_FIELD) != EAGER_PASS or e.get("type") == "pass"]

    def of_type(self, event_type: str) -> list[Mapping[str, Any]]:
        return [e for e in self.events if e.get("type") == event_type]

    @property
    def status(self) -> str | None:
        status = self.record.get("status")
        if status in TERMINAL_STATUSES:
            return str(status)
        done = self.of_type("done")
        return str(done[-1].get("status")) if done else status

    @property
    def stdout(self) -> str:
        return "".join(str(e.get("text", "")) for e in self.of_type("stdout"))

    @property
    def last_error(self) -> Mapping[str, Any] | None:
        errors = self.of_type("error")
        return errors[-1] if errors else None


def _t(en: str, ja: str) -> Text:
    return {"en": en, "ja": ja}


def _name_matches(actual: Any, wanted: str) -> bool:
    """`wanted` matches a plain or dotted name: "ValueError" matches "builtins.ValueError"."""
    actual = str(actual or "")
    return actual == wanted or actual.endswith("." + wanted)


def _bounds_ok(value: float, check: Mapping[str, Any]) -> bool:
    if "equals" in check and value != check["equals"]:
        return False
    if "min" in check and value < check["min"]:
        return False
    if "max" in check and value > check["max"]:
        return False
    if "at_least" in check and value < check["at_least"]:
        return False
    return not ("at_most" in check and value > check["at_most"])


def _bounds_text(check: Mapping[str, Any]) -> str:
    parts = [f"{key} {check[key]}" for key in ("equals", "min", "max", "at_least", "at_most")
             if key in check]
    return ", ".join(parts)


def check_status(check: Mapping[str, Any], run: RunView) -> Outcome:
    wanted, actual = check["equals"], run.status
    return actual == wanted, _t(f"The run ended '{actual}' (expected '{wanted}').",
                                f"実行結果は「{actual}」でした（期待値は「{wanted}」）。")


def check_stdout_contains(check: Mapping[str, Any], run: RunView) -> Outcome:
    text = check["text"]
    if text in run.stdout:
        return True, _t(f"The output contains {text!r}.",
                        f"出力に {text!r} が含まれています。")
    return False, _t(f"The output does not contain {text!r}.",
                     f"出力に {text!r} が見つかりません。")


def check_stdout_not_contains(check: Mapping[str, Any], run: RunView) -> Outcome:
    text = check["text"]
    if text in run.stdout:
        return False, _t(f"The output still contains {text!r}.",
                         f"出力にまだ {text!r} が含まれています。")
    return True, _t(f"The output no longer contains {text!r}.",
                    f"出力に {text!r} は含まれていません。")


def check_stdout_matches(check: Mapping[str, Any], run: RunView) -> Outcome:
    pattern = check["pattern"]
    if re.search(pattern, run.stdout, re.MULTILINE):
        return True, _t(f"The output matches /{pattern}/.",
                        f"出力がパターン /{pattern}/ に一致します。")
    return False, _t(f"No line of the output matches /{pattern}/.",
                     f"出力にパターン /{pattern}/ に一致する部分がありません。")


def check_error(check: Mapping[str, Any], run: RunView) -> Outcome:
    wanted, line = check["exc_type"], check.get("line")
    error = run.last_error
    if error is None:
        return False, _t(f"The run raised no error; expected {wanted}.",
                         f"エラーが起きませんでした（期待したのは {wanted}）。")
    if not _name_matches(error.get("exc_type"), wanted):
        return False, _t(f"The run raised {error.get('exc_type')}, not {wanted}.",
                         f"起きたエラーは {error.get('exc_type')} で、{wanted} ではありません。")
    if line is not None and error.get("line") != line:
        return False, _t(f"{wanted} was raised at line {error.get('line')}, not line {line}.",
                         f"{wanted} は {line} 行目ではなく {error.get('line')} 行目で起きました。")
    fragment = check.get("message_contains")
    if fragment is not None and fragment not in str(error.get("message", "")):
        return False, _t(f"The {wanted} message does not mention {fragment!r}.",
                         f"{wanted} のメッセージに {fragment!r} が含まれていません。")
    return True, _t(f"The run raised {wanted} as expected.", f"期待どおり {wanted} が起きました。")


def check_no_error(check: Mapping[str, Any], run: RunView) -> Outcome:
    wanted = check.get("exc_type")
    error = run.last_error
    if wanted is not None:
        if error is not None and _name_matches(error.get("exc_type"), wanted):
            return False, _t(f"The run still raises {wanted} (line {error.get('line')}).",
                             f"まだ {wanted} が起きています（{error.get('line')} 行目）。")
        return True, _t(f"No {wanted} any more.", f"{wanted} は起きなくなりました。")
    if error is not None:
        return False, _t(f"The run raised {error.get('exc_type')} at line {error.get('line')}.",
                         f"{error.get('line')} 行目で {error.get('exc_type')} が起きました。")
    if run.status != "succeeded":
        return False, _t(f"The run ended '{run.status}' instead of succeeding.",
                         f"実行は成功せず「{run.status}」で終わりました。")
    return True, _t("The run finished without an error.", "エラーなく実行が終わりました。")


def check_event(check: Mapping[str, Any], run: RunView) -> Outcome:
    event_type, fields = check["type"], check.get("fields") or {}
    matching = [e for e in run.of_type(event_type)
                if all(e.get(key) == value for key, value in fields.items())]
    need = check.get("min_count", 1)
    described = event_type + (f" with {fields}" if fields else "")
    if len(matching) >= need:
        return True, _t(f"Found {len(matching)} '{described}' event(s).",
                        f"「{described}」イベントが {len(matching)} 件あります。")
    return False, _t(f"Expected at least {need} '{described}' event(s), found {len(matching)}.",
                     f"「{described}」イベントが {need} 件以上必要ですが、"
                     f"{len(matching)} 件でした。")


def check_trace_count(check: Mapping[str, Any], run: RunView) -> Outcome:
    name = check["function"]
    traces = [e for e in run.of_type("trace") if _name_matches(e.get("function"), name)]
    count = max([len(traces)] + [int(e.get("count") or 0) for e in traces])
    bounds = _bounds_text(check)
    if _bounds_ok(count, check):
        return True, _t(f"{name} traced {count} time(s) ({bounds}).",
                        f"{name} のトレースは {count} 回でした（条件: {bounds}）。")
    reasons = "; ".join(str(e.get("reason")) for e in traces if e.get("reason"))
    why_en = f" Reasons: {reasons}." if reasons else ""
    why_ja = f" 理由: {reasons}。" if reasons else ""
    return False, _t(f"{name} traced {count} time(s); expected {bounds}.{why_en}",
                     f"{name} のトレースは {count} 回で、条件（{bounds}）を満たしません。{why_ja}")


def _graph_bodies(graph: Any) -> Iterator[Mapping[str, Any]]:
    """Yield a graph and every nested function body, whether listed or keyed by name."""
    if not isinstance(graph, Mapping):
        return
    yield graph
    nested = graph.get("functions") or []
    bodies: Iterable[Any] = nested.values() if isinstance(nested, Mapping) else nested
    for body in bodies:
        yield from _graph_bodies(body)


def check_graph_has_op(check: Mapping[str, Any], run: RunView) -> Outcome:
    wanted = check["op"]
    ops = {wanted} if isinstance(wanted, str) else set(wanted)
    function = check.get("function")
    graphs = [g for g in run.of_type("graph")
              if function is None or _name_matches(g.get("function"), function)]
    for graph in graphs:
        for body in _graph_bodies(graph):
            if any(node.get("op") in ops for node in body.get("nodes") or []):
                return True, _t(f"The graph contains a {' or '.join(sorted(ops))} op.",
                                f"グラフに {' / '.join(sorted(ops))} 演算があります。")
    where = f" of {function}" if function else ""
    return False, _t(f"No {' or '.join(sorted(ops))} op in the {len(graphs)} graph(s){where}.",
                     f"グラフ（{len(graphs)} 個）に {' / '.join(sorted(ops))} 演算がありません。")


def check_metric(check: Mapping[str, Any], run: RunView) -> Outcome:
    name, phase = check["name"], check.get("phase", "train")
    found = [(e.get("epoch") if e.get("epoch") is not None else -1, i, e["logs"][name])
             for i, e in enumerate(run.of_type("metrics"))
             if e.get("phase") == phase and name in (e.get("logs") or {})]
    bounds = _bounds_text(check)
    if not found:
        return False, _t(f"No '{name}' metric was reported in the {phase} phase.",
                         f"{phase} フェーズで指標「{name}」が報告されていません。")
    value = float(max(found)[2])
    if _bounds_ok(value, check):
        return True, _t(f"Last {phase} {name} = {value:.4g} ({bounds}).",
                        f"最後の {phase} の {name} は {value:.4g} です（条件: {bounds}）。")
    return False, _t(f"Last {phase} {name} = {value:.4g}; expected {bounds}.",
                     f"最後の {phase} の {name} は {value:.4g} で、"
                     f"条件（{bounds}）を満たしません。")


def check_model_params(check: Mapping[str, Any], run: RunView) -> Outcome:
    name = check.get("model")
    models = [e for e in run.of_type("model") if name is None or e.get("name") == name]
    bounds = _bounds_text(check)
    if not models:
        return False, _t("No model was reported (build or summarise a Keras model).",
                         "モデルが報告されていません（Keras モデルを構築してください）。")
    total = int(models[-1].get("total_params") or 0)
    if _bounds_ok(total, check):
        return True, _t(f"The model has {total} parameters ({bounds}).",
                        f"モデルのパラメータ数は {total} です（条件: {bounds}）。")
    return False, _t(f"The model has {total} parameters; expected {bounds}.",
                     f"モデルのパラメータ数は {total} で、条件（{bounds}）を満たしません。")


def _subsequence(wanted: Sequence[str], found: Sequence[Any]) -> bool:
    """Whether `wanted` occurs in `found` in order, other items allowed between."""
    remaining = iter(found)
    return all(any(item == name for item in remaining) for name in wanted)


def check_pipeline(check: Mapping[str, Any], run: RunView) -> Outcome:
    """A tf.data pipeline the run iterated has these stages in this order (ops such as `map`,
    `prefetch`, or kinds such as `source`); `args` asks for argument values per op."""
    wanted = [str(s) for s in check["stages"]]
    wanted_args: Mapping[str, Mapping[str, Any]] = check.get("args") or {}
    pipelines = [e for e in run.of_type("dataset") if e.get("stages")]
    for pipeline in pipelines:
        stages = list(pipeline["stages"])
        names = [s.get("op") for s in stages]
        if not (_subsequence(wanted, names) or _subsequence(wanted, [s.get("kind")
                                                                     for s in stages])):
            continue
        if all(any(s.get("op") == op and all((s.get("args") or {}).get(k) == v
                                             for k, v in args.items()) for s in stages)
               for op, args in wanted_args.items()):
            chain = " → ".join(str(n) for n in names)
            return True, _t(f"Pipeline {pipeline.get('id')}: {chain}.",
                            f"パイプライン {pipeline.get('id')}：{chain}。")
    seen = "; ".join(" → ".join(str(s.get("op")) for s in p["stages"]) for p in pipelines)
    return False, _t(f"No pipeline with {' → '.join(wanted)} was iterated"
                     + (f" (seen: {seen})." if seen else "."),
                     f"{' → '.join(wanted)} を含むパイプラインは繰り返し処理されていません"
                     + (f"（見つかったもの：{seen}）。" if seen else "。"))


def _speeds(run: RunView) -> list[tuple[int, float, str]]:
    """Each pipeline's throughput in its last finished pass, in the order they were reported:
    (id, examples per second or else elements per second, unit)."""
    last: dict[int, Mapping[str, Any]] = {}
    for stats in run.of_type("dataset_stats"):
        if stats.get("final") and isinstance(stats.get("id"), int):
            last[stats["id"]] = stats
    speeds = []
    for ident in sorted(last):
        stats = last[ident]
        if isinstance(stats.get("examples_per_second"), int | float):
            speeds.append((ident, float(stats["examples_per_second"]), "examples/s"))
        elif isinstance(stats.get("per_second"), int | float):
            speeds.append((ident, float(stats["per_second"]), "elements/s"))
    return speeds


def check_throughput(check: Mapping[str, Any], run: RunView) -> Outcome:
    """The last pipeline the run iterated is `at_least` times as fast as the first (its
    baseline), both measured by the Data tab on the run's own iterations."""
    speeds = _speeds(run)
    if len(speeds) < 2:
        return False, _t("Iterate both the baseline pipeline and yours to completion, so their "
                         "speeds can be compared.",
                         "速さを比べられるように、基準のパイプラインと自分のパイプラインの"
                         "両方を最後まで繰り返し処理しましょう。")
    (_, base, unit), (_, mine, _) = speeds[0], speeds[-1]
    ratio = mine / base if base > 0 else 0.0
    wanted = float(check["at_least"])
    detail = f"{mine:,.0f} vs {base:,.0f} {unit}"
    if ratio >= wanted:
        return True, _t(f"Your pipeline ran {ratio:.1f}× as fast as the baseline ({detail}).",
                        f"あなたのパイプラインは基準の {ratio:.1f} 倍の速さでした（{detail}）。")
    return False, _t(f"Your pipeline ran {ratio:.1f}× as fast as the baseline ({detail}); "
                     f"expected at least {wanted:g}×.",
                     f"あなたのパイプラインは基準の {ratio:.1f} 倍の速さでした（{detail}）。"
                     f"{wanted:g} 倍以上が必要です。")


def check_replicas(check: Mapping[str, Any], run: RunView) -> Outcome:
    """The last strategy the run made (of `strategy`'s class, if given) has that many
    replicas; `fallback = true` asks that it came from a TPU the worker did not have."""
    name = check.get("strategy")
    found = [e for e in run.of_type("replicas") if name is None or e.get("strategy") == name]
    if not found:
        return False, _t(f"No {name or 'tf.distribute'} strategy was made.",
                         f"{name or 'tf.distribute'} の戦略が作られていません。")
    event = found[-1]
    count = len(event.get("replicas") or [])
    if "fallback" in check and bool(event.get("fallback")) != bool(check["fallback"]):
        return False, _t("The run did not fall back from a missing TPU as expected.",
                         "TPU がないときのフォールバックが期待どおりではありません。")
    bounds = _bounds_text(check)
    if _bounds_ok(count, check):
        return True, _t(f"{event.get('strategy')} has {count} replica(s) ({bounds}).",
                        f"{event.get('strategy')} のレプリカは {count} 個です（条件: {bounds}）。")
    return False, _t(f"{event.get('strategy')} has {count} replica(s); expected {bounds}.",
                     f"{event.get('strategy')} のレプリカは {count} 個で、条件（{bounds}）を"
                     f"満たしません。")


def check_all_reduce(check: Mapping[str, Any], run: RunView) -> Outcome:
    """A step (of `step`: run or fit) all-reduced gradients from `min_replicas` replicas (2
    unless given): each replica's gradient norm and the reduced one were measured."""
    kind, need = check.get("step"), int(check.get("min_replicas", 2))
    for step in run.of_type("replica_step"):
        replicas = step.get("replicas") or []
        if kind is not None and step.get("kind") != kind:
            continue
        norms = [r.get("grad_norm") for r in replicas if isinstance(r, Mapping)]
        reduced = (step.get("reduced") or {}).get("grad_norm")
        if len(norms) >= need and all(isinstance(n, int | float) for n in norms) and \
                isinstance(reduced, int | float):
            return True, _t(f"Step {step.get('step')}: {len(norms)} replicas' gradients "
                            f"all-reduced with {step.get('reduce_op')}.",
                            f"ステップ {step.get('step')}：{len(norms)} 個のレプリカの勾配が "
                            f"{step.get('reduce_op')} で all-reduce されました。")
    return False, _t(f"No step all-reduced gradients from {need} replicas.",
                     f"{need} 個のレプリカの勾配を all-reduce したステップがありません。")


def check_augment(check: Mapping[str, Any], run: RunView) -> Outcome:
    """The run augmented images (from `source`: layer, map or model) and the grid shows them."""
    kind = check.get("source")
    grids = [e for e in run.of_type("augment") if e.get("samples")
             and (kind is None or e.get("kind") == kind)]
    if grids:
        return True, _t(f"{grids[-1].get('function')} augmented {len(grids[-1]['samples'])} "
                        f"sample(s).",
                        f"{grids[-1].get('function')} が {len(grids[-1]['samples'])} 個の"
                        f"サンプルを拡張しました。")
    return False, _t("No image augmentation was seen.", "画像のデータ拡張が見つかりません。")


Grader = Callable[[Mapping[str, Any], RunView], Outcome]

# kind -> (grader, required parameters, optional parameters)
KINDS: dict[str, tuple[Grader, frozenset[str], frozenset[str]]] = {
    "status": (check_status, frozenset({"equals"}), frozenset()),
    "stdout_contains": (check_stdout_contains, frozenset({"text"}), frozenset()),
    "stdout_not_contains": (check_stdout_not_contains, frozenset({"text"}), frozenset()),
    "stdout_matches": (check_stdout_matches, frozenset({"pattern"}), frozenset()),
    "error": (check_error, frozenset({"exc_type"}), frozenset({"line", "message_contains"})),
    "no_error": (check_no_error, frozenset(), frozenset({"exc_type"})),
    "event": (check_event, frozenset({"type"}), frozenset({"fields", "min_count"})),
    "trace_count": (check_trace_count, frozenset({"function"}),
                    frozenset({"equals", "at_most", "at_least"})),
    "graph_has_op": (check_graph_has_op, frozenset({"op"}), frozenset({"function"})),
    "metric": (check_metric, frozenset({"name"}), frozenset({"phase", "min", "max"})),
    "model_params": (check_model_params, frozenset(), frozenset({"equals", "min", "max", "model"})),
    "pipeline": (check_pipeline, frozenset({"stages"}), frozenset({"args"})),
    "throughput": (check_throughput, frozenset({"at_least"}), frozenset()),
    "replicas": (check_replicas, frozenset(),
                 frozenset({"equals", "min", "max", "strategy", "fallback"})),
    "all_reduce": (check_all_reduce, frozenset(), frozenset({"step", "min_replicas"})),
    "augment": (check_augment, frozenset(), frozenset({"source"})),
}
# Kinds that need at least one of these bounds to mean anything.
NEEDS_BOUND = {
    "trace_count": ("equals", "at_most", "at_least"),
    "metric": ("min", "max"),
    "model_params": ("equals", "min", "max"),
    "replicas": ("equals", "min", "max"),
}


def validate(check: Any) -> list[str]:
    """Return what is wrong with one check entry (an empty list when it is well formed)."""
    if not isinstance(check, Mapping):
        return ["a check must be a table"]
    kind = check.get("kind")
    if kind not in KINDS:
        return [f"unknown check kind {kind!r} (known: {', '.join(sorted(KINDS))})"]
    _, required, optional = KINDS[kind]
    allowed = required | optional | {"kind", "message"}
    problems = [f"{kind}: missing parameter {p!r}" for p in sorted(required - set(check))]
    problems += [f"{kind}: unknown parameter {p!r}" for p in sorted(set(check) - allowed)]
    bounds = NEEDS_BOUND.get(kind)
    if bounds and not any(b in check for b in bounds):
        problems.append(f"{kind}: give at least one of {', '.join(bounds)}")
    if kind == "status" and check.get("equals") not in TERMINAL_STATUSES:
        problems.append(f"status: {check.get('equals')!r} is not a terminal status")
    if kind == "pipeline" and not (isinstance(check.get("stages"), list) and check["stages"]
                                   and all(isinstance(x, str) for x in check["stages"])):
        problems.append("pipeline: stages must be a list of stage names")
    if kind == "throughput" and not (isinstance(check.get("at_least"), int | float)
                                     and check["at_least"] > 0):
        problems.append("throughput: at_least must be a positive number (a speed-up)")
    if kind == "stdout_matches":
        try:
            re.compile(str(check.get("pattern")))
        except re.error as exc:
            problems.append(f"stdout_matches: bad pattern ({exc})")
    message = check.get("message")
    if message is not None and not (
        isinstance(message, Mapping) and all(isinstance(message.get(x), str) for x in LANGUAGES)
    ):
        problems.append(f"{kind}: message must have 'en' and 'ja' strings")
    return problems


def _in_language(text: Mapping[str, str], lang: str | None) -> str | dict[str, str]:
    if lang is None:
        return {code: text.get(code) or text.get("en", "") for code in LANGUAGES}
    return text.get(lang) or text.get("en", "")


def evaluate(
    checks: Sequence[Mapping[str, Any]], record: Mapping[str, Any], lang: str | None = "en"
) -> dict[str, Any]:
    """Grade `record` against every check; `lang=None` gives each message in both languages.

    A failed result's `message` is the check's own hint; `detail` always says what was found.
    """
    run = RunView(record)
    results = []
    for check in checks:
        grader = KINDS[check["kind"]][0]
        passed, detail = grader(check, run)
        text = detail if passed else (check.get("message") or detail)
        results.append({"kind": check["kind"], "passed": passed,
                        "message": _in_language(text, lang),
                        "detail": _in_language(detail, lang)})
    return {"passed": all(r["passed"] for r in results), "results": results}
