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
        self.next_claim = 0.0  # when to look for unacknowledged entries next
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
        retries = self._claim()
        fresh = self.client.xreadgroup(GROUP, self.consumer, {keys.FINISHED_STREAM: ">"},
                                       count=BATCH, block=None if retries else block_ms)
        entries = retries + [entry for _stream, found in fresh or [] for entry in found]
        if not entries:
            return 0
        if not connection.in_atomic_block:
            close_old_connections()  # as Django does per request: drop a broken or old one
        return self._store(entries)

    def _claim(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Entries left unacknowledged for RETRY_MS (by this recorder or a dead one), looked for
        at most every RETRY_MS: not a round trip per batch."""
        if time.monotonic() < self.next_claim:
            return []
        self.next_claim = time.monotonic() + RETRY_MS / 1000
        _next, retries, _deleted = self.client.xautoclaim(
            keys.FINISHED_STREAM, GROUP, self.consumer, min_idle_time=RETRY_MS,
            start_id="0-0", count=BATCH)
        return list(retries)

    def _store(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> int:
        """Store the entries' runs together; acknowledge those stored (or past hope)."""
        run_ids = [fields.get(b"run", b"").decode() for _entry_id, fields in entries]
        release = self.client.pipeline(transaction=False)  # and acknowledge, in one round trip
        stored = self._finalize([run_id for run_id in run_ids if run_id], release)
        settled = [entry_id for (entry_id, _fields), run_id in zip(entries, run_ids, strict=True)
                   if not run_id or (run_id in stored
                                     and self._settled(entry_id, run_id, stored[run_id]))]
        if settled:
            release.xack(keys.FINISHED_STREAM, GROUP, *settled)
        if len(release):
            release.execute()
        return len(settled)

    def _finalize(self, run_ids: list[str], release: Any) -> dict[str, bool | None]:
        """`actions.finalize_runs`, but a batch the database refuses is stored again run by run,
        so that a run it cannot take holds no other back. A run that failed is left out."""
        try:
            return actions.finalize_runs(run_ids, release=release)
        except DatabaseError:
            if len(run_ids) > 1:
                return self._finalize_each(run_ids, release)
            log.exception("storing run %s failed; it will be tried again", run_ids[0])
            return {}

    def _finalize_each(self, run_ids: list[str], release: Any) -> dict[str, bool | None]:
        stored: dict[str, bool | None] = {}
        for run_id in run_ids:
            try:
                stored.update(actions.finalize_runs([run_id], release=release))
            except DatabaseError:
                log.exception("storing run %s failed; it will be tried again", run_id)
        return stored

    def _settled(self, entry_id: bytes, run_id: str, stored: bool | None) -> bool:
        """Whether the entry is done with: its run stored (or nothing to store), or its row
        still missing GIVE_UP_SECONDS after the run ended."""
        if stored is not None:
            return True
        written_ms = int(entry_id.split(b"-")[0])
        if time.time() - written_ms / 1000 < GIVE_UP_SECONDS:
            return False
        log.error("run %s ended but its row never appeared; not stored", run_id)
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
