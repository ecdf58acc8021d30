"""The concept and tour JSON API, and grading a run against a tour step."""

import importlib
import sys
import types
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

BOTH = {"en", "ja"}


@pytest.fixture
def loaded() -> None:
    call_command("load_content", stdout=None)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stand in for playground.runs.actions.run_record; records who asked for what."""
    state: dict[str, Any] = {"records": {}, "asked": []}

    def run_record(run_id: str, session_key: str | None) -> dict[str, Any] | None:
        state["asked"].append((run_id, session_key))
        return state["records"].get(run_id)

    try:
        module = importlib.import_module("playground.runs.actions")
        monkeypatch.setattr(module, "run_record", run_record)
    except ImportError:
        fake = types.ModuleType("playground.runs.actions")
        fake.run_record = run_record  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "playground.runs.actions", fake)
    return state


def finished(stdout: str, status: str = "succeeded") -> dict[str, Any]:
    return {"id": "r", "status": status,
            "events": [{"seq": 1, "type": "stdout", "text": stdout, "t": 1},
                       {"seq": 2, "type": "done", "status": status, "t": 2}]}


def test_it_lists_concepts(client: Client, loaded: None) -> None:
    response = client.get("/api/concepts")
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 22
    assert items[0]["slug"] == "tensorflow"
    for item in items:
        assert {"slug", "title", "summary", "related"} <= set(item)
        assert set(item["title"]) == BOTH and set(item["summary"]) == BOTH


def test_it_shows_one_concept(client: Client, loaded: None) -> None:
    data = client.get("/api/concepts/tf-function").json()
    fields = {"slug", "title", "definition", "explanation", "uses", "related", "examples"}
    assert fields <= set(data)
    for field in ("title", "definition", "explanation", "uses"):
        assert set(data[field]) == BOTH
    assert "retrac" in data["explanation"]["en"]
    example = data["examples"][0]
    assert example["id"] == "tf-function/01-trace-once"
    assert set(example["title"]) == BOTH
    assert "@tf.function" in example["code"]
    assert example["expect"] and example["expect"][0]["kind"]


def test_it_answers_404_json_for_unknown_slugs(client: Client, loaded: None) -> None:
    for url in ("/api/concepts/nope", "/api/tours/nope"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "'nope'" in response.json()["error"]["message"]


def test_it_lists_and_shows_tours(client: Client, loaded: None) -> None:
    tours = client.get("/api/tours").json()
    slugs = [t["slug"] for t in tours]
    assert slugs[:3] == ["first-steps", "eager-to-graph", "data-to-distribution"]
    assert all(set(t["title"]) == BOTH and t["step_count"] >= 1 for t in tours)
    tour = client.get("/api/tours/first-steps").json()
    first, second = tour["steps"][:2]
    assert set(first) >= {"n", "title", "text", "code", "hints"}
    assert "check" not in first and "solution" not in first
    assert second["n"] == 2 and second["check"] and second["solution"]
    assert second["hints"] and set(second["hints"][0]) == BOTH


def test_it_refuses_other_methods(client: Client, loaded: None) -> None:
    for answer, allowed in ((client.post("/api/concepts"), "GET"),
                            (client.get("/api/tours/first-steps/steps/2/check"), "POST")):
        assert answer.status_code == 405 and answer["Allow"] == allowed
        assert answer.json()["error"]["code"] == "method_not_allowed"


def check(client: Client, body: Any, step: int = 2, tour: str = "first-steps") -> Any:
    url = f"/api/tours/{tour}/steps/{step}/check"
    return client.post(url, body, content_type="application/json")


def test_it_grades_a_finished_run(client: Client, loaded: None, runs: dict[str, Any]) -> None:
    runs["records"] = {"good": finished("total: 8.20\n"), "bad": finished("total: 8.2\n")}
    good = check(client, {"run": "good"})
    assert good.status_code == 200
    assert good.json()["passed"] is True
    bad = check(client, {"run": "bad"}).json()
    assert bad["passed"] is False
    failed = [r for r in bad["results"] if not r["passed"]]
    assert failed[0]["kind"] == "stdout_contains"
    assert set(failed[0]["message"]) == BOTH and "8.20" in failed[0]["message"]["en"]


def test_it_passes_the_session_key(client: Client, loaded: None, runs: dict[str, Any]) -> None:
    session = client.session
    session["seen"] = True
    session.save()
    check(client, {"run": "abc"})
    assert runs["asked"] == [("abc", session.session_key)]


def test_a_read_and_run_step_needs_a_clean_run(client: Client, loaded: None,
                                                runs: dict[str, Any]) -> None:
    runs["records"] = {"ok": finished("hi"), "broken": finished("", status="failed")}
    assert check(client, {"run": "ok"}, step=1).json()["passed"] is True
    assert check(client, {"run": "broken"}, step=1).json()["passed"] is False


def test_it_answers_404_for_unknown_runs_and_steps(client: Client, loaded: None,
                                                    runs: dict[str, Any]) -> None:
    assert check(client, {"run": "someone-elses"}).status_code == 404
    unknown_step = check(client, {"run": "x"}, step=99).json()["error"]
    assert unknown_step["code"] == "not_found" and "step 99" in unknown_step["message"]
    assert check(client, {"run": "x"}, tour="nope").status_code == 404


def test_it_answers_409_while_the_run_is_going(client: Client, loaded: None,
                                               runs: dict[str, Any]) -> None:
    runs["records"] = {"live": {"id": "live", "status": "running", "events": []}}
    response = check(client, {"run": "live"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_finished"


@pytest.mark.parametrize("body, code, field", [
    ("not json", "bad_json", None), (["run"], "bad_json", None), ({}, "missing", "run"),
    ({"run": 5}, "invalid", "run"), ({"run": ""}, "invalid", "run"),
])
def test_it_answers_400_for_a_bad_body(client: Client, loaded: None, runs: dict[str, Any],
                                       body: Any, code: str, field: str | None) -> None:
    response = check(client, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"].get("field") == field
