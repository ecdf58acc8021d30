"""The heartbeat watcher: the one component that declares runs `worker-lost`.

A run being supervised is listed in `runs:running` with the heartbeat field of its worker; a run
admitted and not yet started is listed in `runs:queued`. A running run whose worker's heartbeat
lapsed, or a run queued for too long, gets the `done` its worker can no longer write, as the
next `seq` of its stream: Redis refuses that id if the worker wrote it first, so a run never
ends twice, and the socket already open sees it like any other event.
"""
from __future__ import annotations

import json
import logging
import time

import redis

from contract import keys
from contract.events import encode_event
from playground.runs import streams

log = logging.getLogger(__name__)
QUEUED_TOO_LONG_SECONDS = 15 * 60


def sweep(client: redis.Redis) -> list[str]:
    """Declare lost every run whose worker is gone or that waited too long; returns their ids."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.WORKERS_KEY)
    pipe.hgetall(keys.RUNNING_KEY)
    pipe.hgetall(keys.QUEUED_KEY)
    heartbeats, running, queued = pipe.execute()
    live = {field for workers in streams.live_workers(heartbeats).values()
            for field, _info in workers}
    lost = [run.decode() for run, worker in running.items() if worker.decode() not in live]
    now = time.time()
    for run, raw in queued.items():
        if now - _queued_at(raw) > QUEUED_TOO_LONG_SECONDS:
            lost.append(run.decode())
    return [run_id for run_id in lost if declare_lost(client, run_id)]


def _queued_at(raw: bytes) -> float:
    try:
        return float(json.loads(raw)["at"])
    except (ValueError, KeyError, TypeError):
        return 0.0


def declare_lost(client: redis.Redis, run_id: str) -> bool:
    """End the run `worker-lost` unless it has ended; True when this call ended it."""
    stream = keys.stream_key(run_id)
    last = streams.decode(client.xrevrange(stream, count=1))
    if last and last[-1]["type"] == "done":
        cleanup = client.pipeline(transaction=False)
        keys.queue_finished(cleanup, run_id)  # its worker ended it: only the lists lag behind
        cleanup.execute()
        return False
    seq = last[-1]["seq"] + 1 if last else 1
    t = last[-1]["t"] if last else 0
    done = encode_event(seq, "done", t, {"status": "worker-lost", "duration_ms": t,
                                         "exit_code": -1})
    try:
        client.xadd(stream, {keys.STREAM_FIELD: done}, id=keys.entry_id(seq))
    except redis.ResponseError:
        return False  # the worker wrote that seq first: it is alive after all
    ended = client.pipeline(transaction=False)
    ended.expire(stream, keys.STREAM_TTL_SECONDS)
    keys.queue_finished(ended, run_id)
    ended.execute()
    log.warning("run %s declared worker-lost", run_id)
    return True
