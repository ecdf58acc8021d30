"""The worker's own decisions before any sandbox is involved: a run is never run twice, and a run
cancelled while queued never starts. Real Redis; no pool is ever started."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis

from contract import keys
from contract.job import Job
from tests.conftest import UNIT_REDIS_DB, redis_db
from trainer import worker


@pytest.fixture
def client(redis_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    own = redis.Redis.from_url(redis_db(redis_server, UNIT_REDIS_DB))
    own.flushdb()
    monkeypatch.setattr(worker, "redis_client", lambda: own)

    def no_pool() -> None:
        raise AssertionError("the sandbox pool must not be touched")

    monkeypatch.setattr(worker, "start", no_pool)
    yield own
    own.flushdb()


def events(client: redis.Redis, run_id: str) -> list[dict]:
    return [json.loads(fields[b"e"]) for _, fields in client.xrange(keys.stream_key(run_id))]


def test_a_redelivered_run_is_never_run_again(client: redis.Redis) -> None:
    """A task redelivered after its worker died finds its stream started: it must not run the
    learner's code a second time, nor end the run itself (the heartbeat watcher does)."""
    first = {"seq": 1, "type": "status", "t": 0, "status": "running"}
    output = {"seq": 2, "type": "stdout", "t": 3, "text": "side effect\n"}
    for event in (first, output):
        client.xadd("run:again", {"e": json.dumps(event)}, id=f"{event['seq']}-0")
    worker.execute("again", Job(code="print('side effect')"))
    assert events(client, "again") == [first, output]


def test_a_run_cancelled_while_queued_never_starts(client: redis.Redis) -> None:
    client.set(keys.cancel_key("early"), "1")
    client.hset(keys.QUEUED_KEY, "early", json.dumps({"device": "cpu", "at": 0}))
    worker.execute("early", Job(code="print('never')"))
    written = events(client, "early")
    assert [(e["seq"], e["type"], e.get("status")) for e in written] == [
        (1, "done", "cancelled")]
    # Ended like any run: announced to the web side, off the queued list.
    finished = client.xrange(keys.FINISHED_STREAM)
    assert [fields[b"run"] for _id, fields in finished] == [b"early"]
    assert not client.hexists(keys.QUEUED_KEY, "early")


def test_the_worker_never_calls_the_web_side() -> None:
    """Data flows down and out: the worker writes Redis streams, it sends no task anywhere."""
    import inspect

    from trainer import events as trainer_events
    from trainer import supervisor

    for module in (worker, supervisor, trainer_events):
        assert "send_task" not in inspect.getsource(module)
