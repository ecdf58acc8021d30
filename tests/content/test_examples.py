"""Every example, tour solution and exercise start runs in the real sandbox and meets its checks."""

from collections.abc import Callable
from typing import Any

import pytest

from playground.concepts.checks import evaluate
from playground.concepts.source import read_content
from playground.concepts.views import READ_AND_RUN

pytestmark = pytest.mark.sandbox

CONTENT = read_content()
EXAMPLES = [pytest.param(e, id=f"{c.slug}/{e.name}") for c in CONTENT.concepts for e in c.examples]
STEPS = [pytest.param(s, id=f"{t.slug}/{s.name}") for t in CONTENT.tours for s in t.steps]
EXERCISES = [p for p in STEPS if p.values[0].checks]

RunSnippet = Callable[..., dict[str, Any]]


def explain(result: dict[str, Any], record: dict[str, Any]) -> str:
    """What a failing assertion should show: each check's verdict, the output and the error."""
    lines = [f"run ended {record.get('status')!r}"]
    for r in result["results"]:
        lines.append(f"  {'ok ' if r['passed'] else 'BAD'} {r['kind']}: {r['detail']}")
    events = record.get("events", [])
    stdout = "".join(e.get("text", "") for e in events if e.get("type") == "stdout")
    errors = [e for e in events if e.get("type") == "error"]
    lines.append("--- stdout (tail) ---\n" + stdout[-2000:])
    if errors:
        lines.append(f"--- error: {errors[-1].get('exc_type')} at line {errors[-1].get('line')}: "
                     f"{str(errors[-1].get('message'))[:1000]}")
    return "\n".join(lines)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_meets_its_expectations(run_snippet: RunSnippet, example: Any) -> None:
    record = run_snippet(example.code, example.mode, compare_eager=example.compare_eager)
    result = evaluate(example.expect, record, "en")
    assert result["passed"], explain(result, record)


@pytest.mark.parametrize("step", STEPS)
def test_every_step_solution_passes(run_snippet: RunSnippet, step: Any) -> None:
    record = run_snippet(step.solution or step.code, step.mode,
                         compare_eager=step.compare_eager)
    result = evaluate(step.checks or READ_AND_RUN, record, "en")
    assert result["passed"], explain(result, record)


@pytest.mark.parametrize("step", EXERCISES)
def test_every_exercise_starts_failing(run_snippet: RunSnippet, step: Any) -> None:
    record = run_snippet(step.code, step.mode, compare_eager=step.compare_eager)
    result = evaluate(step.checks, record, "en")
    assert not result["passed"], "the starting code already passes:\n" + explain(result, record)
    for failed in (r for r in result["results"] if not r["passed"]):
        assert failed["message"] != failed["detail"], f"{failed['kind']} fails without a hint"
