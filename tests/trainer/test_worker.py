"""The worker's own decisions before any sandbox is involved: a run is never run twice, and a run
cancelled while queued never starts. Real Redis; no pool is ever started."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis

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


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """The tasks the worker sends to the web side (to its Celery app, a stand-in here)."""
    from trainer.celery import app

    tasks: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args, queue: tasks.append((name, args)))
    return tasks


def events(client: redis.Redis, run_id: str) -> list[dict]:
    return [json.loads(fields[b"e"]) for _, fields in client.xrange(f"run:{run_id}")]


def test_a_redelivered_run_is_ended_worker_lost_and_never_run_again(client: redis.Redis,
                                                                    sent: list) -> None:
    """A task redelivered after its worker died finds its stream started: it must not run the
    learner's code a second time."""
    first = {"seq": 1, "type": "status", "t": 0, "status": "running"}
    output = {"seq": 2, "type": "stdout", "t": 3, "text": "side effect\n"}
    for event in (first, output):
        client.xadd("run:again", {"e": json.dumps(event)}, id=f"{event['seq']}-0")
    worker.execute("again", "print('side effect')", {})
    written = events(client, "again")
    assert written[:2] == [first, output]
    assert written[2]["seq"] == 3 and written[2]["type"] == "done"
    assert written[2]["status"] == "worker-lost"
    assert len(written) == 3
    assert sent == [("playground.finalize_run", ["again"])]  # stored by the web side


def test_a_run_cancelled_while_queued_never_starts(client: redis.Redis, sent: list) -> None:
    client.set("run:early:cancel", "1")
    worker.execute("early", "print('never')", {})
    written = events(client, "early")
    assert [(e["seq"], e["type"], e.get("status")) for e in written] == [
        (1, "done", "cancelled")]
    assert sent == [("playground.finalize_run", ["early"])]
