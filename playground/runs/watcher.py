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
# A queued run's class with no live worker for this long (a restarted worker comes back within
# it and takes the run from the queue) ends the run.
NO_WORKER_GRACE_SECONDS = 30


def sweep(client: redis.Redis) -> list[str]:
    """Declare lost every run whose worker is gone, that waited too long, or whose device class
    has had no worker for a while; returns their ids."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.WORKERS_KEY)
    pipe.hgetall(keys.RUNNING_KEY)
    pipe.hgetall(keys.QUEUED_KEY)
    heartbeats, running, queued = pipe.execute()
    live = {field for workers in streams.live_workers(heartbeats).values()
            for field, _info in workers}
    lost = [run.decode() for run, worker in running.items() if worker.decode() not in live]
    last_seen = _last_seen_per_class(heartbeats)
    now = time.time()
    for run, raw in queued.items():
        device, at = _queued(raw)
        seen = max(last_seen.values(), default=0.0) if device == "auto" else last_seen.get(
            device, 0.0)
        unserved = now - max(seen, at) > NO_WORKER_GRACE_SECONDS + keys.HEARTBEAT_TTL
        if now - at > QUEUED_TOO_LONG_SECONDS or unserved:
            lost.append(run.decode())
    return [run_id for run_id in lost if declare_lost(client, run_id)]


def _last_seen_per_class(heartbeats: dict[bytes, bytes]) -> dict[str, float]:
    """When a worker of each class last beat, live or not (the hash keeps the dead a while)."""
    seen: dict[str, float] = {}
    for raw in heartbeats.values():
        try:
            info = json.loads(raw)
            name, when = str(info["class"]), float(info["seen"])
        except (ValueError, KeyError, TypeError):
            continue
        seen[name] = max(seen.get(name, 0.0), when)
    return seen


def _queued(raw: bytes) -> tuple[str, float]:
    try:
        info = json.loads(raw)
        return str(info["device"]), float(info["at"])
    except (ValueError, KeyError, TypeError):
        return "auto", 0.0


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
