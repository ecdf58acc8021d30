"""The run's event stream in Redis, as its supervisor writes it: numbered, batched, never twice.

Each event goes to the stream `run:<id>` under the entry id `<seq>-0`, so Redis itself refuses
a sequence that goes backwards: a late writer (a worker thought lost) cannot interleave. The
flush that writes `running` records which worker supervises the run; the flush that writes
`done` announces the run on the finished stream, from which the web side stores it.
"""
from __future__ import annotations

import time
from typing import Any

import redis

from contract import keys
from contract.events import encode_event, is_done

RETRY_SECONDS = 0.25  # while Redis is away, a flush tries again this often


class EventStream:
    def __init__(self, client: redis.Redis, run_id: str, last: list[Any] | None = None) -> None:
        """`last`: the stream's XREVRANGE COUNT 1, when the caller has read it already."""
        self.client = client
        self.run_id = run_id
        self.key = keys.stream_key(run_id)
        self.start = time.monotonic()
        self.pending: list[tuple[int, str]] = []
        if last is None:
            last = client.xrevrange(self.key, count=1)
        self.seq = int(last[0][0].split(b"-")[0]) if last else 0
        self.started_before = self.seq > 0
        self.closed = False
        self.worker: str | None = None  # heartbeat field of the supervising worker
        self.ended = False
        self.unreachable = False  # the last flush found Redis away
        self.retry_at = 0.0
        # Fields every event added carries while set (the supervisor's pass tag).
        self.tag: dict[str, Any] = {}

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)

    def add(self, kind: str, fields: dict[str, Any]) -> None:
        """Queue one event; `fields` is data and never overrides `seq`, `type` or `t`, nor the
        tag, which is set last."""
        if self.tag:
            fields = {**fields, **self.tag}
        self.seq += 1
        self.pending.append((self.seq, encode_event(self.seq, kind, self.elapsed_ms(), fields)))
        if kind == "done":
            self.ended = True

    def claim(self, worker: str) -> None:
        """Record, with every flush from now on, that `worker` supervises this run (written each
        time, so a Redis that restarted and lost the record gets it back)."""
        self.worker = worker

    def flush(self) -> bool:
        """Write what is pending; False (keeping it, in order) when Redis cannot be reached."""
        if not self.pending or self.closed:
            self.pending.clear()
            return True
        if self.unreachable and time.monotonic() < self.retry_at:
            return False
        try:
            if self.unreachable:
                self._resync()
                if self.closed:
                    self.pending.clear()
                    return True
            results = self._write()
        except (redis.ConnectionError, redis.TimeoutError):
            self.unreachable = True
            self.retry_at = time.monotonic() + RETRY_SECONDS
            return False
        self.unreachable = False
        self.pending.clear()
        if any(isinstance(result, redis.ResponseError) for result in results) or self.ended:
            # A refused id: someone else ended this run (the watcher declared it lost).
            self.closed = True
        return True

    def flush_until_written(self, patience: float) -> bool:
        """Flush, retrying while Redis is away, for up to `patience` seconds."""
        deadline = time.monotonic() + patience
        pause = 0.1
        while not self.flush():
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
            self.retry_at = 0.0
        return True

    def _write(self) -> list[Any]:
        pipe = self.client.pipeline(transaction=False)
        for seq, data in self.pending:
            pipe.xadd(self.key, {keys.STREAM_FIELD: data}, id=keys.entry_id(seq))
        pipe.expire(self.key, keys.STREAM_TTL_SECONDS)
        if self.worker is not None:
            pipe.hset(keys.RUNNING_KEY, self.run_id, self.worker)
            pipe.hdel(keys.QUEUED_KEY, self.run_id)
        if self.ended:
            keys.queue_finished(pipe, self.run_id)
        results: list[Any] = pipe.execute(raise_on_error=False)
        return results

    def _resync(self) -> None:
        """After Redis was away, a write may have landed before the link broke: keep only what
        is not in the stream yet, and stop if the run was ended by someone else meanwhile."""
        last = self.client.xrevrange(self.key, count=1)
        if not last:
            return
        last_seq = int(last[0][0].split(b"-")[0])
        ours = self.ended and last_seq == self.seq
        if is_done(last[0][1][keys.STREAM_FIELD.encode()]) and not ours:
            self.closed = True
        self.pending = [(seq, data) for seq, data in self.pending if seq > last_seq]
