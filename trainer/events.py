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
from contract.events import encode_event


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
        self.worker: str | None = None  # heartbeat field, written with the next flush
        self.ended = False

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)

    def add(self, kind: str, fields: dict[str, Any]) -> None:
        """Queue one event; `fields` is data and never overrides `seq`, `type` or `t`."""
        self.seq += 1
        self.pending.append((self.seq, encode_event(self.seq, kind, self.elapsed_ms(), fields)))
        if kind == "done":
            self.ended = True

    def claim(self, worker: str) -> None:
        """Record, with the next flush, that `worker` supervises this run from now on."""
        self.worker = worker

    def flush(self) -> None:
        if not self.pending or self.closed:
            self.pending.clear()
            return
        pipe = self.client.pipeline(transaction=False)
        for seq, data in self.pending:
            pipe.xadd(self.key, {keys.STREAM_FIELD: data}, id=keys.entry_id(seq))
        pipe.expire(self.key, keys.STREAM_TTL_SECONDS)
        if self.worker is not None:
            pipe.hset(keys.RUNNING_KEY, self.run_id, self.worker)
            pipe.hdel(keys.QUEUED_KEY, self.run_id)
            self.worker = None
        if self.ended:
            keys.queue_finished(pipe, self.run_id)
        self.pending.clear()
        results = pipe.execute(raise_on_error=False)
        if any(isinstance(result, redis.ResponseError) for result in results):
            # Someone else ended this run (the watcher declared it lost): stop writing.
            self.closed = True
            return
        if self.ended:
            self.closed = True

