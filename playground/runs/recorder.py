"""Stores finished runs: reads the finished stream as a consumer group and writes each run's row.

Every `done` (the supervisor's, or the watcher's `worker-lost`) puts the run's id on
`runs:finished`. Each web host's recorder reads it in the group `recorder`; an entry is
acknowledged once the row holds the run, so a recorder that dies leaves its entries to another
(claimed after RETRY_MS idle), and a run that ends before its row is written is tried again.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import redis
from django.db import DatabaseError, close_old_connections, connection

from contract import keys
from playground.runs import actions, watcher

log = logging.getLogger(__name__)
GROUP = "recorder"
BATCH = 100
RETRY_MS = 500  # an unacknowledged entry idle this long is tried again
GIVE_UP_SECONDS = 15 * 60  # a run whose row never appears (its POST failed after the send)
WATCH_SECONDS = 1.0
RETENTION_SECONDS = 3600.0  # how often old runs are looked for


class Recorder:
    def __init__(self, client: redis.Redis, consumer: str) -> None:
        self.client = client
        self.consumer = consumer
        self.join_group()

    def join_group(self) -> None:
        """Make the group (reading the finished stream from its start) unless it exists."""
        try:
            self.client.xgroup_create(keys.FINISHED_STREAM, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def step(self, block_ms: int) -> int:
        """Store what is waiting (retries first), waiting up to `block_ms` for news; returns how
        many runs were stored or given up. A Redis that restarted empty has lost the group:
        it is made again."""
        try:
            return self._step(block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.join_group()
            return 0

    def _step(self, block_ms: int) -> int:
        _next, retries, _deleted = self.client.xautoclaim(
            keys.FINISHED_STREAM, GROUP, self.consumer, min_idle_time=RETRY_MS,
            start_id="0-0", count=BATCH)
        fresh = self.client.xreadgroup(GROUP, self.consumer, {keys.FINISHED_STREAM: ">"},
                                       count=BATCH, block=None if retries else block_ms)
        entries = list(retries) + [entry for _stream, found in fresh or [] for entry in found]
        if entries and not connection.in_atomic_block:
            close_old_connections()  # as Django does per request: drop a broken or old one
        return sum(self._store(entry_id, fields) for entry_id, fields in entries)

    def _store(self, entry_id: bytes, fields: dict[bytes, bytes]) -> bool:
        run_id = fields.get(b"run", b"").decode()
        try:
            if run_id:
                actions.finalize_run(run_id)
        except actions.NotStoredYet:
            written_ms = int(entry_id.split(b"-")[0])
            if time.time() - written_ms / 1000 < GIVE_UP_SECONDS:
                return False
            log.error("run %s ended but its row never appeared; not stored", run_id)
        except DatabaseError:
            log.exception("storing run %s failed; it will be tried again", run_id)
            return False
        self.client.xack(keys.FINISHED_STREAM, GROUP, entry_id)
        return True


def serve(client: redis.Redis, consumer: str, stopping: Any) -> None:
    """Record runs and sweep for lost ones until `stopping.is_set()`."""
    recorder = Recorder(client, consumer)
    next_sweep = next_cleanup = 0.0
    # Heartbeats missed while Redis was away are no sign of a lost worker: after an outage the
    # watcher waits until every worker has had time to beat again.
    healthy_since = time.monotonic()
    while not stopping.is_set():
        try:
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + WATCH_SECONDS
                if time.monotonic() - healthy_since >= keys.HEARTBEAT_TTL:
                    watcher.sweep(client)
            if time.monotonic() >= next_cleanup:
                next_cleanup = time.monotonic() + RETENTION_SECONDS
                actions.forget_old_runs()
            recorder.step(block_ms=int(WATCH_SECONDS * 1000))
        except redis.RedisError as exc:
            log.warning("Redis: %s; trying again", exc)
            stopping.wait(0.5)
            healthy_since = time.monotonic()
        except DatabaseError as exc:
            log.warning("database: %s; trying again", exc)
            stopping.wait(0.5)
