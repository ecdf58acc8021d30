"""The run's event stream in Redis: numbered events, written in batches, never twice.

Each event goes to the stream `run:<id>` under the entry id `<seq>-0`, so Redis itself refuses
a gap-free sequence that goes backwards: a late writer (a worker thought lost) cannot interleave.
"""
from __future__ import annotations

import json
import time
from typing import Any

import redis

STREAM_TTL_SECONDS = 24 * 3600


def stream_key(run_id: str) -> str:
    return f"run:{run_id}"


def cancel_key(run_id: str) -> str:
    return f"run:{run_id}:cancel"


class EventStream:
    def __init__(self, client: redis.Redis, run_id: str, ttl: int = STREAM_TTL_SECONDS,
                 last: list[Any] | None = None) -> None:
        """`last`: the stream's XREVRANGE COUNT 1, when the caller has read it already."""
        self.client = client
        self.run_id = run_id
        self.key = stream_key(run_id)
        self.ttl = ttl
        self.start = time.monotonic()
        self.pending: list[tuple[int, str]] = []
        if last is None:
            last = client.xrevrange(self.key, count=1)
        self.seq = int(last[0][0].split(b"-")[0]) if last else 0
        self.started_before = self.seq > 0
        self.closed = False

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)

    def add(self, type_: str, **fields: Any) -> dict[str, Any]:
        self.seq += 1
        event = {"seq": self.seq, "type": type_, "t": self.elapsed_ms(), **fields}
        self.pending.append((self.seq, json.dumps(event, separators=(",", ":"))))
        return event

    def flush(self) -> None:
        if not self.pending or self.closed:
            self.pending.clear()
            return
        pipe = self.client.pipeline(transaction=False)
        for seq, data in self.pending:
            pipe.xadd(self.key, {"e": data}, id=f"{seq}-0")
        pipe.expire(self.key, self.ttl)
        self.pending.clear()
        for result in pipe.execute(raise_on_error=False):
            if isinstance(result, redis.ResponseError):
                # Someone else ended this run (the web side declared it lost): stop writing.
                self.closed = True
                return
