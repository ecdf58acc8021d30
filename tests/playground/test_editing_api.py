"""The editing API with the real ruff: Format reflows a snippet, lint marks the mistakes worth
marking and no style, both refuse what is not text or too large and are rate limited per session,
and a ruff that does not answer in time is a 503, never a hung request."""
from __future__ import annotations

import json

import pytest
import redis
from django.test import Client

from tests.conftest import UNIT_REDIS_DB, redis_db

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_redis(settings, redis_server):
    from playground.runs import streams

    settings.REDIS_URL = redis_db(redis_server, UNIT_REDIS_DB)
    streams._sync = None
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    streams._sync = None


def post(client: Client, path: str, body) -> tuple[int, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = client.post(path, raw, content_type="application/json")
    return answer.status_code, answer.json()


def test_format_reflows_a_badly_indented_snippet(client):
    status, body = post(client, "/api/format", {"code": "def f( a,b ):\n  return a+b\n"})
    assert status == 200
    assert body == {"code": "def f(a, b):\n    return a + b\n", "changed": True, "problem": None}


def test_format_leaves_code_with_a_syntax_error_as_it_is_and_says_where(client):
    code = "x = [1,\nprint(x)\n"
    status, body = post(client, "/api/format", {"code": code})
    assert status == 200 and body["code"] == code and body["changed"] is False
    assert body["problem"]["rule"] == "invalid-syntax" and body["problem"]["line"] >= 2


def test_format_ignores_the_projects_own_ruff_settings(client):
    # pyproject.toml says 100 columns; a snippet gets ruff's default of 88.
    long_call = "x = some_function(" + ", ".join(f"argument{i}" for i in range(7)) + ")\n"
    assert 88 < len(long_call.rstrip()) <= 100
    status, body = post(client, "/api/format", {"code": long_call})
    assert status == 200 and body["changed"] is True and "\n    argument0" in body["code"]


def test_lint_marks_undefined_names_unused_imports_and_syntax_errors_not_style(client):
    code = "import os\nimport tensorflow as tf\nx=tf.constant( 1 )\nprint(y)\nl = 1;  \n"
    status, body = post(client, "/api/lint", {"code": code})
    assert status == 200
    found = {(d["rule"], d["line"], d["severity"]) for d in body["diagnostics"]}
    assert found == {("F401", 1, "warning"), ("F821", 4, "error")}
    undefined = next(d for d in body["diagnostics"] if d["rule"] == "F821")
    assert (undefined["column"], undefined["end_column"]) == (7, 8)
    status, body = post(client, "/api/lint", {"code": "for x in range(3)\n    print(x)\n"})
    assert [d["rule"] for d in body["diagnostics"]][:1] == ["invalid-syntax"]
    assert body["diagnostics"][0]["line"] == 1


def test_both_refuse_what_is_not_text_or_is_too_large(client, settings):
    settings.EDIT_MAX_BYTES = 100
    for path in ("/api/format", "/api/lint"):
        assert post(client, path, {})[1]["error"] == {
            "code": "missing", "field": "code",
            "message": "`code` must be a string with the snippet's text."}
        assert post(client, path, {"code": 3})[1]["error"]["code"] == "invalid"
        assert post(client, path, {"code": "x\x00"})[1]["error"]["code"] == "invalid"
        status, body = post(client, path, {"code": "x = 1\n" * 20})
        assert status == 413 and body["error"]["code"] == "too_large"
        assert client.get(path).status_code == 405


def test_a_session_that_floods_lint_gets_429_and_others_do_not(settings):
    settings.EDIT_RATE_LIMIT = "3/m"
    flooding, other = Client(), Client()
    answers = [post(flooding, "/api/lint", {"code": "x = 1\n"})[0] for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert post(flooding, "/api/format", {"code": "x = 1\n"})[0] == 429
    assert post(other, "/api/lint", {"code": "x = 1\n"})[0] == 200


def test_a_ruff_that_does_not_answer_in_time_is_a_503_with_retry_after(client, monkeypatch):
    from playground.editing import ruff

    # A stand-in binary at the process boundary: it sleeps past the limit.
    monkeypatch.setattr(ruff, "binary", lambda: "/bin/sleep")
    monkeypatch.setattr(ruff, "run", _sleeping(ruff.run))
    answer = client.post("/api/lint", json.dumps({"code": "x = 1\n"}),
                         content_type="application/json")
    assert answer.status_code == 503 and answer["Retry-After"]
    assert answer.json()["error"]["code"] == "unavailable"


def _sleeping(run):
    def sleep_instead(args, text, timeout):
        return run(["5"], text, 0.2)
    return sleep_instead
