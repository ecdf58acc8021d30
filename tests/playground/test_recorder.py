"""Ending and storing runs on the web side: the heartbeat watcher declares lost runs, the
recorder stores finished ones from the finished stream, and reading a run never writes it.
Real Redis, real database; no worker."""
from __future__ import annotations

import json
import time

import pytest
import redis
from django.test import Client

from contract import keys
from contract.events import encode_event
from tests.conftest import UNIT_REDIS_DB, redis_db

pytestmark = pytest.mark.django_db


@pytest.fixture
def r(settings, redis_server):
    from playground.runs import streams

    settings.REDIS_URL = redis_db(redis_server, UNIT_REDIS_DB)
    streams._sync = None
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    streams._sync = None


def write(r: redis.Redis, run_id: str, *events: tuple[str, dict]) -> None:
    last = r.xrevrange(keys.stream_key(run_id), count=1)
    seq = int(last[0][0].split(b"-")[0]) if last else 0
    for kind, fields in events:
        seq += 1
        r.xadd(keys.stream_key(run_id), {"e": encode_event(seq, kind, seq, fields)},
               id=keys.entry_id(seq))


def finished(run_id: str, r: redis.Redis) -> None:
    write(r, run_id, ("status", {"status": "running", "started_at": time.time(), "runtime": {}}),
          ("stdout", {"text": "hi\n"}),
          ("done", {"status": "succeeded", "duration_ms": 3, "exit_code": 0}))
    r.xadd(keys.FINISHED_STREAM, {"run": run_id})


def heartbeat(r: redis.Redis, field: str, age: float) -> None:
    r.hset(keys.WORKERS_KEY, field, json.dumps({"class": "cpu", "seen": time.time() - age}))


def stream_types(r: redis.Redis, run_id: str) -> list[tuple[int, str, str | None]]:
    from playground.runs import streams

    return [(e["seq"], e["type"], e.get("status")) for e in streams.read_all(run_id)]


def test_a_run_that_ends_before_its_row_is_written_is_stored_on_a_retry(r, monkeypatch):
    """The task goes out before the row is written: the recorder waits for the row, never
    drops the run's output."""
    from playground.runs import recorder
    from playground.runs.models import Run

    monkeypatch.setattr(recorder, "RETRY_MS", 0)
    finished("early", r)
    rec = recorder.Recorder(r, "test")
    assert rec.step(block_ms=10) == 0  # no row yet: left pending
    assert r.xpending(keys.FINISHED_STREAM, recorder.GROUP)["pending"] == 1
    Run.objects.create(id="early", session_key="k", code="print('hi')")
    assert rec.step(block_ms=10) == 1
    stored = Run.objects.get(id="early")
    assert stored.status == "succeeded" and [e["type"] for e in stored.events] == [
        "status", "stdout", "done"]
    assert stored.duration_ms == 3 and stored.finished is not None
    assert r.xpending(keys.FINISHED_STREAM, recorder.GROUP)["pending"] == 0


def test_a_run_announced_twice_is_stored_once(r):
    from playground.runs import recorder
    from playground.runs.models import Run

    Run.objects.create(id="twice", session_key="k", code="1")
    finished("twice", r)
    r.xadd(keys.FINISHED_STREAM, {"run": "twice"})
    rec = recorder.Recorder(r, "test")
    assert rec.step(block_ms=10) == 2
    assert Run.objects.get(id="twice").status == "succeeded"


def test_reading_a_finished_run_before_it_is_stored_writes_nothing(r, client: Client):
    from playground.runs.models import Run

    client.get("/api/session")
    Run.objects.create(id="fresh", session_key=client.session.session_key, code="1")
    finished("fresh", r)
    record = client.get("/api/runs/fresh").json()
    assert record["status"] == "succeeded" and record["duration_ms"] == 3
    assert record["finished"] is not None and len(record["events"]) == 3
    assert Run.objects.get(id="fresh").status == "queued"  # the recorder stores it, not a GET


def test_a_run_whose_worker_stopped_beating_ends_worker_lost_once(r):
    from playground.runs import watcher

    heartbeat(r, "cpu:dead:1", age=keys.HEARTBEAT_TTL + 1)
    heartbeat(r, "cpu:alive:2", age=0)
    write(r, "orphan", ("status", {"status": "running"}), ("stdout", {"text": "a"}))
    write(r, "healthy", ("status", {"status": "running"}))
    r.hset(keys.RUNNING_KEY, mapping={"orphan": "cpu:dead:1", "healthy": "cpu:alive:2"})
    assert watcher.sweep(r) == ["orphan"]
    assert stream_types(r, "orphan")[-1] == (3, "done", "worker-lost")
    assert stream_types(r, "healthy") == [(1, "status", "running")]
    assert [f[b"run"] for _id, f in r.xrange(keys.FINISHED_STREAM)] == [b"orphan"]
    assert r.hkeys(keys.RUNNING_KEY) == [b"healthy"]
    assert watcher.sweep(r) == []  # declared once
    assert len(stream_types(r, "orphan")) == 3


def test_a_worker_that_writes_its_done_first_wins(r):
    """The watcher and a slow worker race for the same seq: Redis keeps one `done`."""
    from playground.runs import watcher

    write(r, "race", ("status", {"status": "running"}))
    r.hset(keys.RUNNING_KEY, "race", "cpu:gone:1")
    original = r.xadd
    slow_worker = redis.Redis(connection_pool=r.connection_pool)

    def worker_first(name, fields, id="*", **kw):
        write(slow_worker, "race", ("done", {"status": "succeeded", "duration_ms": 1,
                                             "exit_code": 0}))
        return original(name, fields, id=id, **kw)

    r.xadd = worker_first
    try:
        assert watcher.declare_lost(r, "race") is False
    finally:
        del r.xadd
    assert stream_types(r, "race") == [(1, "status", "running"), (2, "done", "succeeded")]


def test_a_run_queued_for_too_long_ends_worker_lost(r):
    from playground.runs import watcher

    old = time.time() - watcher.QUEUED_TOO_LONG_SECONDS - 1
    r.hset(keys.QUEUED_KEY, mapping={"stuck": json.dumps({"device": "gpu", "at": old}),
                                     "new": json.dumps({"device": "cpu", "at": time.time()})})
    assert watcher.sweep(r) == ["stuck"]
    assert stream_types(r, "stuck") == [(1, "done", "worker-lost")]
    assert r.hkeys(keys.QUEUED_KEY) == [b"new"]


def test_a_stored_run_s_stream_leaves_redis_soon_after(r):
    from playground.runs import recorder
    from playground.runs.models import Run

    Run.objects.create(id="kept", session_key="k", code="1")
    finished("kept", r)
    recorder.Recorder(r, "test").step(block_ms=10)
    assert 0 < r.ttl(keys.stream_key("kept")) <= keys.STORED_STREAM_TTL_SECONDS


def test_runs_past_retention_are_deleted_and_their_shares_stay(settings):
    import datetime as dt

    from playground.runs import actions
    from playground.runs.models import Run
    from playground.shares.models import Share

    settings.RUN_RETENTION_DAYS = 30
    old = Run.objects.create(id="old", session_key="k", code="1", status="succeeded")
    Run.objects.filter(id="old").update(created=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
    Run.objects.create(id="new", session_key="k", code="1", status="succeeded")
    share = Share.objects.create(run=old, record={"id": "old"})
    assert actions.forget_old_runs() == 1
    assert list(Run.objects.values_list("id", flat=True)) == ["new"]
    share.refresh_from_db()
    assert share.run is None and share.record == {"id": "old"}
    settings.RUN_RETENTION_DAYS = 0
    assert actions.forget_old_runs() == 0


def test_a_queued_run_whose_class_lost_its_last_worker_ends(r):
    from playground.runs import watcher

    long_ago = time.time() - watcher.NO_WORKER_GRACE_SECONDS - keys.HEARTBEAT_TTL - 5
    r.hset(keys.WORKERS_KEY, "gpu:g:1", json.dumps({"class": "gpu", "seen": long_ago}))
    heartbeat(r, "cpu:c:1", age=0)
    r.hset(keys.QUEUED_KEY, mapping={
        "stranded": json.dumps({"device": "gpu", "at": long_ago}),
        "served": json.dumps({"device": "cpu", "at": long_ago}),
        "any": json.dumps({"device": "auto", "at": long_ago}),
        "just-lost": json.dumps({"device": "gpu", "at": time.time()}),
    })
    assert watcher.sweep(r) == ["stranded"]
    assert stream_types(r, "stranded") == [(1, "done", "worker-lost")]


def test_a_draining_worker_takes_no_new_runs_but_keeps_its_own(r):
    """SIGTERM drains a worker: its class is no longer offered, its runs are not lost."""
    from playground.runs import streams, watcher

    r.hset(keys.WORKERS_KEY, "cpu:d:1", json.dumps(
        {"class": "cpu", "seen": time.time(), keys.DRAINING_FIELD: True}))
    write(r, "finishing", ("status", {"status": "running"}))
    r.hset(keys.RUNNING_KEY, "finishing", "cpu:d:1")
    assert streams.live_classes() == {}
    assert watcher.sweep(r) == []


def test_runs_that_finish_together_are_stored_together(r):
    """A batch of finished runs reads its rows in one query and its streams in one round
    trip, not a query and a few round trips per run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from playground.runs import recorder
    from playground.runs.models import Run

    for run_id in ("one", "two", "three"):
        Run.objects.create(id=run_id, session_key="k", code="1")
        finished(run_id, r)
    rec = recorder.Recorder(r, "test")
    with CaptureQueriesContext(connection) as queries:
        assert rec.step(block_ms=10) == 3
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 1
    assert set(Run.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_run_the_database_refuses_holds_no_other_run_back(r, monkeypatch):
    from django.db import DatabaseError

    from playground.runs import actions, recorder
    from playground.runs.models import Run

    real_store = actions._store

    def refuse_one(run_id, events, created):
        if run_id == "bad":
            raise DatabaseError("value too long")
        return real_store(run_id, events, created)

    monkeypatch.setattr(actions, "_store", refuse_one)
    for run_id in ("bad", "good"):
        Run.objects.create(id=run_id, session_key="k", code="1")
        finished(run_id, r)
    assert recorder.Recorder(r, "test").step(block_ms=10) == 1
    assert Run.objects.get(id="good").status == "succeeded"
    assert Run.objects.get(id="bad").status == "queued"
    assert r.xpending(keys.FINISHED_STREAM, recorder.GROUP)["pending"] == 1
