"""The run API without workers: validation, JSON errors, 503 when no worker serves a device."""
from __future__ import annotations

import json
import time

import pytest
import redis
from django.test import Client

from contract.job import Job
from tests.conftest import UNIT_REDIS_DB, redis_db

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def empty_redis(settings, redis_server):
    """A Redis database of its own, with no worker heartbeats in it."""
    from playground.runs import streams

    settings.REDIS_URL = redis_db(redis_server, UNIT_REDIS_DB)
    streams._sync = None
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    streams._sync = None


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, list, str, int]]:
    """The tasks create_run sends, kept here instead of going to a broker (a stand-in)."""
    from playground.runs import actions

    tasks: list[tuple[str, list, str, int]] = []

    class Recorder:
        def send_task(self, name, args, queue, priority=0):
            tasks.append((name, args, queue, priority))

    monkeypatch.setattr(actions, "_celery", Recorder())
    return tasks


@pytest.fixture
def cpu_worker(empty_redis):
    """A live heartbeat of one CPU worker."""
    empty_redis.hset("workers", "cpu:h:1", json.dumps({"class": "cpu", "seen": time.time()}))


def post(client: Client, body) -> tuple[int, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = client.post("/api/runs", raw, content_type="application/json")
    return answer.status_code, answer.json()


def test_no_worker_at_all_is_a_clear_503(client):
    status, body = post(client, {"code": "print(1)"})
    assert status == 503 and "No worker" in body["error"]["message"]


def test_a_live_cpu_worker_takes_auto_runs(client, empty_redis, sent):
    beat = {"class": "cpu", "tf_devices": [], "seen": time.time()}
    empty_redis.hset("workers", "cpu:h:1", json.dumps(beat))
    empty_redis.hset("workers", "gpu:h:2", json.dumps({**beat, "class": "gpu", "seen": 1.0}))
    status, body = post(client, {"code": "print(1)", "mode": "graph", "seed": 7})
    assert status == 201
    options = Job(code="print(1)", mode="graph", seed=7).options()
    assert sent == [("trainer.execute_run", [body["id"], "print(1)", options], "cpu", 0)]
    # A stale gpu heartbeat does not count as a live worker.
    assert post(client, {"code": "1", "device": "gpu"})[0] == 503
    record = client.get(f"/api/runs/{body['id']}").json()
    assert record["status"] == "queued" and record["device"] == "cpu" and record["events"] == []


@pytest.mark.parametrize("body, field", [
    ({"code": None}, "code"), ({"code": []}, "code"), ({"code": "1", "mode": 3}, "mode"),
    ({"code": "1", "seed": True}, "seed"), ({"code": "1", "seed": -1}, "seed"),
    ({"code": "1", "concept": {"a": 1}}, "concept"), ({"code": "print(1)\x00"}, "code"),
    ({"code": "1", "concept": "a\x00"}, "concept"),
    ({"code": "1", "compare_eager": "yes"}, "compare_eager"),
    ({"code": "1", "mode": "graph", "compare_eager": True}, "compare_eager"),
    ({"code": "1", "stdin": 3}, "stdin"), ({"code": "1", "stdin": "a\x00"}, "stdin"),
])
def test_invalid_fields_name_the_field(client, body, field):
    status, answer = post(client, body)
    assert status == 400 and answer["error"]["field"] == field


def test_compare_eager_reaches_the_worker_with_the_job(client, cpu_worker, sent):
    status, _ = post(client, {"code": "print(1)", "compare_eager": True})
    assert status == 201 and sent[0][1][2]["compare_eager"] is True


def test_stdin_reaches_the_worker_with_the_job_and_is_capped(client, cpu_worker, sent):
    status, _ = post(client, {"code": "print(input())", "stdin": "Ada\n"})
    assert status == 201 and sent[0][1][2]["stdin"] == "Ada\n"
    status, _ = post(client, {"code": "print(1)"})
    assert status == 201 and sent[1][1][2]["stdin"] == ""
    status, answer = post(client, {"code": "1", "stdin": "x" * (64 * 1024 + 1)})
    assert status == 413 and answer["error"]["field"] == "stdin"


def test_a_body_over_django_limit_is_json_413(client):
    status, answer = post(client, b'{"code": "' + b"x" * (3 * 1024 * 1024) + b'"}')
    assert status == 413 and answer["error"]["code"] == "too_large"


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1]", b'"code"', b"\xff{}",
                                 b"[" * 100_000 + b"]" * 100_000])
def test_a_body_that_is_not_a_json_object_is_400_bad_json(client, raw):
    status, answer = post(client, raw)
    assert status == 400 and answer["error"]["code"] == "bad_json"


def test_unknown_run_and_wrong_method_are_json(client):
    unknown = client.get("/api/runs/nope")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert "'nope'" in unknown.json()["error"]["message"]
    answer = client.get("/api/runs")
    assert answer.status_code == 405 and answer.json()["error"]["code"] == "method_not_allowed"
    assert answer["Allow"] == "POST"


@pytest.mark.parametrize("rate, parsed", [("120/m", (120, 60)), ("600/5m", (600, 300)),
                                          ("2/s", (2, 1)), (" 60 / h ", (60, 3600))])
def test_rates_parse(rate, parsed):
    from playground import ratelimit

    assert ratelimit.parse(rate) == parsed


@pytest.mark.parametrize("rate", ["", "10", "10/w", "x/m", "-1/m"])
def test_a_malformed_rate_is_refused(rate):
    from playground import ratelimit

    with pytest.raises(ValueError):
        ratelimit.parse(rate)


def test_a_session_that_floods_runs_gets_429_and_others_do_not(settings, empty_redis,
                                                               cpu_worker, sent):
    """A flood from one browser session is cut at RUN_RATE_LIMIT; another session still runs."""
    settings.RUN_RATE_LIMIT = "3/m"
    flooder, other = Client(), Client()
    answers = [post(flooder, {"code": "print(1)"}) for _ in range(5)]
    assert [status for status, _ in answers] == [201, 201, 201, 429, 429]
    assert answers[-1][1]["error"]["code"] == "rate_limited"
    assert post(other, {"code": "print(1)"})[0] == 201
    run_ids = {args[0] for _, args, _, _ in sent}
    assert len(run_ids) == 4  # refused runs were never sent to a worker
    owners = {key.decode().split(":")[1] for key in empty_redis.keys("run:*:owner")}
    assert owners == run_ids  # nor left an owner behind


def test_sharing_is_rate_limited_per_session(settings, client):
    from playground.runs.models import Run

    settings.SHARE_RATE_LIMIT = "1/h"
    client.get("/api/session")
    key = client.session.session_key
    done = [{"seq": 1, "type": "done", "t": 0, "status": "succeeded", "duration_ms": 0,
             "exit_code": 0}]
    runs = [Run.objects.create(session_key=key, code="1", status="succeeded", events=done)
            for _ in range(2)]
    assert client.post(f"/api/runs/{runs[0].id}/share").status_code == 201
    # Sharing the same run again is not a new share and is not counted.
    assert client.post(f"/api/runs/{runs[0].id}/share").status_code == 200
    refused = client.post(f"/api/runs/{runs[1].id}/share")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"


def test_a_session_may_have_only_so_many_runs_in_flight(settings, empty_redis, cpu_worker,
                                                        sent):
    """Runs fired without waiting for them are refused past RUN_MAX_IN_FLIGHT; one stored as
    finished makes room again, and other sessions are not affected."""
    from playground.runs import actions

    settings.RUN_MAX_IN_FLIGHT = 2
    script, other = Client(), Client()
    answers = [post(script, {"code": "print(1)"}) for _ in range(4)]
    assert [status for status, _ in answers] == [201, 201, 429, 429]
    assert "2 runs queued or running" in answers[2][1]["error"]["message"]
    assert post(other, {"code": "print(1)"})[0] == 201
    first = answers[0][1]["id"]
    done = {"seq": 1, "type": "done", "t": 0, "status": "succeeded", "duration_ms": 0,
            "exit_code": 0}
    empty_redis.xadd(f"run:{first}", {"e": json.dumps(done)}, id="1-0")
    assert actions.finalize_run(first)
    assert post(script, {"code": "print(1)"})[0] == 201
    assert post(script, {"code": "print(1)"})[0] == 429


def test_a_run_lost_without_trace_stops_counting_in_flight(settings, empty_redis, cpu_worker,
                                                          sent):
    from contract import keys
    from playground.runs import actions

    settings.RUN_MAX_IN_FLIGHT = 1
    script = Client()
    script.get("/api/session")
    key = script.session.session_key
    long_ago = time.time() - actions.IN_FLIGHT_AT_MOST.total_seconds() - 1
    empty_redis.zadd(keys.in_flight_key(key), {"lost": long_ago})
    assert post(script, {"code": "print(1)"})[0] == 201


def test_new_sessions_from_one_address_share_its_runs_in_flight(settings, empty_redis,
                                                                 cpu_worker, sent):
    """Making a fresh session per run does not get around the cap: the address counts too."""
    settings.RUN_MAX_IN_FLIGHT_PER_ADDRESS = 3
    answers = [post(Client(), {"code": "print(1)"})[0] for _ in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert post(elsewhere, {"code": "print(1)"})[0] == 201


def test_a_session_s_later_runs_queue_behind_others_first(settings, empty_redis, cpu_worker,
                                                          sent):
    """A session with nothing in flight is served before another session's second run."""
    busy, idle = Client(), Client()
    post(busy, {"code": "print(1)"})
    post(busy, {"code": "print(2)"})
    post(idle, {"code": "print(3)"})
    priorities = [priority for _name, _args, _queue, priority in sent]
    assert priorities[0] == 0 and priorities[2] == 0 and priorities[1] > 0


@pytest.mark.parametrize("field, value", [("code", "print('\ud800')"), ("concept", "\ud800"),
                                          ("concept", "no-such-concept"),
                                          ("concept", "<b>x</b>")])
def test_text_that_is_not_a_known_slug_or_unicode_is_refused_before_anything_runs(
        client, cpu_worker, sent, empty_redis, field, value):
    body = {"code": "print(1)", field: value}
    raw = json.dumps(body).encode()  # json.dumps escapes the lone surrogate as \ud800
    status, answer = post(client, raw)
    assert status == 400 and answer["error"]["field"] == field
    assert sent == [] and not empty_redis.keys("run:*")


def test_a_session_key_the_server_never_issued_is_not_a_session(client, cpu_worker, sent):
    """A made-up `sessionid` cookie gets a fresh session: runs are never made under it."""
    client.cookies["sessionid"] = "made-up-by-the-attacker-0123456789"
    status, body = post(client, {"code": "print(1)"})
    assert status == 201
    from playground.runs.models import Run

    assert Run.objects.get(id=body["id"]).session_key != "made-up-by-the-attacker-0123456789"
    other = Client()
    other.cookies["sessionid"] = "made-up-by-the-attacker-0123456789"
    assert other.get(f"/api/runs/{body['id']}").status_code == 404


def test_cancelling_a_finished_run_is_a_conflict(client):
    from playground.runs.models import Run

    client.get("/api/session")
    run = Run.objects.create(session_key=client.session.session_key, code="1",
                             status="succeeded")
    answer = client.post(f"/api/runs/{run.id}/cancel")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "finished"


def test_daphne_refuses_to_start_with_the_published_secret_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    from playground.security import check_secret_key

    settings.SECRET_KEY = settings.INSECURE_DEFAULT_SECRET_KEY
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        check_secret_key()
    settings.DEBUG = True
    check_secret_key()


@pytest.mark.parametrize("headers, body, content_type", [
    ({}, b"--x\r\nbroken", "multipart/form-data; boundary="),
    ({}, b"--x\r\nbroken", "multipart/form-data; boundary=\x00"),
    ({"HTTP_HOST": "evil.test"}, b'{"code": "print(1)"}', "application/json"),
    ({"HTTP_HOST": "bad host!"}, b'{"code": "print(1)"}', "application/json"),
])
def test_what_django_refuses_before_a_view_is_json_on_the_api(client, headers, body,
                                                              content_type):
    answer = client.post("/api/runs", body, content_type=content_type, **headers)
    assert 400 <= answer.status_code < 500
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["error"]["code"]
