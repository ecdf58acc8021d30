"""The supervisor's event stream when Redis goes away and comes back: nothing lost, nothing twice,
and a run ended meanwhile by the watcher is left ended. Real Redis."""
from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from contract import keys
from contract.events import encode_event
from tests.conftest import UNIT_REDIS_DB, redis_db
from trainer.events import EventStream


@pytest.fixture
def r(redis_server: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_db(redis_server, UNIT_REDIS_DB))
    client.flushdb()
    yield client
    client.flushdb()


def unreachable() -> redis.Redis:
    """A client of a port where nothing listens: every command fails to connect."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return redis.Redis(port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))


def written(r: redis.Redis, run_id: str) -> list[tuple[int, str]]:
    return [(e["seq"], e["type"]) for e in
            (json.loads(f[b"e"]) for _id, f in r.xrange(keys.stream_key(run_id)))]


def test_events_wait_in_order_while_redis_is_away(r: redis.Redis) -> None:
    stream = EventStream(r, "away", last=[])
    stream.claim("cpu:h:1")
    stream.client = unreachable()
    for text in ("a", "b", "c"):
        stream.add("stdout", {"text": text})
        assert stream.flush() is False
    stream.add("done", {"status": "succeeded", "duration_ms": 1, "exit_code": 0})
    stream.client = r  # Redis is back
    assert stream.flush_until_written(patience=5)
    assert written(r, "away") == [(1, "stdout"), (2, "stdout"), (3, "stdout"), (4, "done")]
    assert [f[b"run"] for _id, f in r.xrange(keys.FINISHED_STREAM)] == [b"away"]


def test_what_landed_before_the_link_broke_is_not_written_twice(r: redis.Redis) -> None:
    stream = EventStream(r, "half", last=[])
    for text in ("a", "b", "c"):
        stream.add("stdout", {"text": text})
    # The first two reached Redis, then the link broke before the answer came back.
    for seq, data in stream.pending[:2]:
        r.xadd(keys.stream_key("half"), {"e": data}, id=keys.entry_id(seq))
    stream.unreachable = True
    assert stream.flush()
    assert written(r, "half") == [(1, "stdout"), (2, "stdout"), (3, "stdout")]
    assert not stream.closed


def test_a_run_the_watcher_ended_meanwhile_stays_ended(r: redis.Redis) -> None:
    stream = EventStream(r, "lost", last=[])
    stream.add("stdout", {"text": "a"})
    assert stream.flush()
    stream.client = unreachable()
    stream.add("stdout", {"text": "b"})
    assert stream.flush() is False
    lost = encode_event(2, "done", 5, {"status": "worker-lost", "duration_ms": 5, "exit_code": -1})
    r.xadd(keys.stream_key("lost"), {"e": lost}, id=keys.entry_id(2))
    stream.client = r
    stream.retry_at = 0.0
    assert stream.flush()
    assert stream.closed
    assert written(r, "lost") == [(1, "stdout"), (2, "done")]
