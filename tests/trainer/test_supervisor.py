"""The supervisor against a real zygote and jail: when the supervisor itself fails mid-run, the
child and its cgroup still go, the run still ends with one `done`, and no internal text shows."""
from __future__ import annotations

import json
import os
import select
from collections.abc import Iterator

import pytest
import redis

from contract import keys
from contract.job import Job
from tests.conftest import UNIT_REDIS_DB, redis_db
from trainer.config import WorkerSettings
from trainer.events import EventStream
from trainer.pool import Pool
from trainer.supervisor import SUPERVISOR_FAILED, Supervisor

pytestmark = pytest.mark.sandbox


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


def events(r: redis.Redis, run_id: str) -> list[dict]:
    return [json.loads(f[b"e"]) for _id, f in r.xrange(keys.stream_key(run_id))]


def test_a_failing_supervisor_kills_the_child_and_ends_the_run(pool: Pool, r: redis.Redis,
                                                               monkeypatch) -> None:
    supervisor = Supervisor(EventStream(r, "broken"), pool, worker="cpu:test:1",
                            cancelled=lambda: False)

    def explode(kind: str, data: bytes) -> None:
        raise RuntimeError("internal detail that must not reach the learner")

    monkeypatch.setattr(supervisor, "_read", explode)
    taken: list = []
    original_take = pool.take

    def take_and_watch(*args):
        spare = original_take(*args)
        taken.append((spare, os.pidfd_open(spare.child_pid)))
        return spare

    monkeypatch.setattr(pool, "take", take_and_watch)
    supervisor.run(Job(code="import time\nprint('start', flush=True)\ntime.sleep(600)\n"))
    ((spare, pidfd),) = taken
    # The child's pidfd turns readable when it exits; its sleep would take ten minutes.
    assert select.select([pidfd], [], [], 30)[0] == [pidfd]
    os.close(pidfd)
    written = events(r, "broken")
    assert [e["type"] for e in written].count("done") == 1
    assert written[-1]["status"] == "killed"
    text = "".join(e.get("text", "") for e in written)
    assert SUPERVISOR_FAILED in text and "internal detail" not in text
    assert spare.group is None or not any(d.exists() for d in spare.group._dirs())
    assert all(getattr(spare, name) == -1 for name in ("stdout", "stderr", "events", "status"))


def test_a_run_the_sandbox_cannot_start_still_ends(pool: Pool, r: redis.Redis,
                                                   monkeypatch) -> None:
    def refuse(kind: str = "warm") -> None:
        raise RuntimeError("the sandbox cannot start a child on this worker")

    monkeypatch.setattr(pool, "take", refuse)
    Supervisor(EventStream(r, "unstarted"), pool, worker="cpu:test:1",
               cancelled=lambda: False).run(Job(code="print(1)"))
    written = events(r, "unstarted")
    assert [e["type"] for e in written] == ["stderr", "done"]
    assert written[-1]["status"] == "killed"
    assert [f[b"run"] for _id, f in r.xrange(keys.FINISHED_STREAM)] == [b"unstarted"]
