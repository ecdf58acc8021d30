"""compare_eager against a real zygote and jail: the same snippet runs again in a fresh spare with
tf.function running eagerly, its events tagged `pass: "eager"` in the same stream, then one
`done` for the run."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from contract import keys
from contract.job import Job
from tests.conftest import UNIT_REDIS_DB, redis_db
from trainer.config import WorkerSettings
from trainer.devices import Heartbeat
from trainer.events import EventStream
from trainer.pool import Pool
from trainer.supervisor import Supervisor

pytestmark = pytest.mark.sandbox

CODE = """import tensorflow as tf

@tf.function
def double(x):
    return x * 2.0

for _ in range(20):
    double(tf.constant(1.0))
print("eagerly" if tf.config.functions_run_eagerly() else "as graphs")
"""


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    pool = Pool(WorkerSettings.from_env(), "cpu")
    pool.start()
    pool.info()
    yield pool
    pool.stop()


@pytest.fixture
def r(redis_server: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_db(redis_server, UNIT_REDIS_DB))
    client.flushdb()
    yield client
    client.flushdb()


def run(pool: Pool, r: redis.Redis, job: Job) -> list[dict[str, Any]]:
    # A worker that beats, as a real one does: a heartbeat watcher of another test session on
    # this Redis database would declare a run of a silent worker lost within seconds.
    heartbeat = Heartbeat(r, "cpu", {"tf_devices": [], "slots": 1})
    heartbeat.start()
    try:
        Supervisor(EventStream(r, "compared"), pool, worker=heartbeat.field,
                   cancelled=lambda: False).run(job)
    finally:
        heartbeat.stop()
    return [json.loads(f[b"e"]) for _id, f in r.xrange(keys.stream_key("compared"))]


def _stdout(events: list[dict[str, Any]]) -> str:
    return "".join(e["text"] for e in events if e["type"] == "stdout")


def _calls(events: list[dict[str, Any]]) -> dict[str, Any]:
    *_, final = [e for e in events if e["type"] == "function_stats"]
    assert final["final"] is True
    (double,) = final["functions"]
    return dict(double)


def test_the_eager_pass_runs_the_same_code_eagerly_tagged_in_the_same_stream(
        pool: Pool, r: redis.Redis) -> None:
    written = run(pool, r, Job(code=CODE, compare_eager=True))

    first = [e for e in written if "pass" not in e]
    second = [e for e in written if e.get("pass") == "eager" and e["type"] != "pass"]
    assert (_stdout(first), _stdout(second)) == ("as graphs\n", "eagerly\n")
    graph_calls, eager_calls = _calls(first), _calls(second)
    assert (graph_calls["traces"], graph_calls["calls"]) == (1, 20)
    assert (eager_calls["traces"], eager_calls["calls"]) == (0, 20)
    passes = [(e["pass"], e["status"]) for e in written if e["type"] == "pass"]
    assert passes == [("graph", "succeeded"), ("eager", "running"), ("eager", "succeeded")]
    ended = [e for e in written if e["type"] == "pass" and "duration_ms" in e]
    assert all(e["duration_ms"] > 0 and e["peak_mb"] > 0 for e in ended)
    assert [e["type"] for e in written].count("status") == 1
    done = written[-1]
    assert done["type"] == "done" and "pass" not in done and done["status"] == "succeeded"
    assert done["duration_ms"] >= sum(e["duration_ms"] for e in ended)


def test_a_failed_run_is_not_compared(pool: Pool, r: redis.Redis) -> None:
    written = run(pool, r, Job(code="raise ValueError('no')", compare_eager=True))

    assert [(e["pass"], e["status"]) for e in written if e["type"] == "pass"] == [
        ("graph", "failed")]
    assert not [e for e in written if e.get("pass") == "eager"]
    assert written[-1]["status"] == "failed"


def test_the_eager_pass_timing_out_ends_only_that_pass(pool: Pool, r: redis.Redis) -> None:
    slow_when_eager = CODE + (
        "import time\nif tf.config.functions_run_eagerly():\n    time.sleep(600)\n")

    written = run(pool, r, Job(code=slow_when_eager, compare_eager=True))

    assert [(e["pass"], e["status"]) for e in written if e["type"] == "pass"][-1] == (
        "eager", "timeout")
    assert written[-1]["type"] == "done" and written[-1]["status"] == "succeeded"
