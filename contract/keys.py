"""Redis keys shared by web side and workers, their lifetimes and the heartbeat's timing."""
from __future__ import annotations

import os
from typing import Any

# A run's stream (and the keys beside it) lives this long after its last write; the database
# holds the durable copy.
STREAM_TTL_SECONDS = int(os.environ.get("STREAM_TTL_SECONDS", 24 * 3600))
# Once the database holds a finished run, its stream stays only this long (a socket that
# reconnects meanwhile replays it from Redis; later ones from the database).
STORED_STREAM_TTL_SECONDS = 300
STREAM_FIELD = "e"  # each stream entry holds one event as JSON under this field

# One hash for every worker (field `<class>:<host>:<pid>`, value JSON with `seen`): readers take
# it in one HGETALL instead of scanning the keyspace, which holds a stream per run.
WORKERS_KEY = "workers"
HEARTBEAT_SECONDS = 2
HEARTBEAT_TTL = 8  # a worker silent this long is gone, and the runs it held lost
# A worker that drains (stops taking runs, finishes its own) says so in its heartbeat: it takes
# no new run but is alive for the runs it holds.
DRAINING_FIELD = "draining"
# Runs being supervised: run id -> the heartbeat field of the worker running it.
RUNNING_KEY = "runs:running"
# Runs admitted and not yet started: run id -> JSON {"device", "at"}, the device as asked for
# (a class, or "auto").
QUEUED_KEY = "runs:queued"
# Every run that ended, by id, once its `done` is in its stream: the web side stores them.
FINISHED_STREAM = "runs:finished"
FINISHED_MAXLEN = 100_000


def stream_key(run_id: str) -> str:
    return f"run:{run_id}"


def cancel_key(run_id: str) -> str:
    return f"run:{run_id}:cancel"


def owner_key(run_id: str) -> str:
    """The session that owns a run, kept beside its stream so the socket need not ask the DB."""
    return f"run:{run_id}:owner"


def in_flight_key(session_key: str) -> str:
    """The session's runs not yet stored as finished: a sorted set of run ids by start time."""
    return f"session:{session_key}:in-flight"


def address_key(run_id: str) -> str:
    """The client address a run was posted from, kept beside its stream."""
    return f"run:{run_id}:address"


def address_in_flight_key(address: str) -> str:
    """The client address's runs not yet stored as finished, like `in_flight_key`."""
    return f"address:{address}:in-flight"


def heartbeat_field(device_class: str, host: str, pid: int) -> str:
    return f"{device_class}:{host}:{pid}"


def entry_id(seq: int) -> str:
    """A stream entry's id is its event's seq: Redis refuses an id that does not grow."""
    return f"{seq}-0"


def queue_finished(pipe: Any, run_id: str) -> None:
    """Queue on a Redis pipeline what goes with a run's `done`, whoever writes it: the run's id
    on the finished stream (the web side stores it from there), and the run off the hashes of
    queued and running runs. Harmless twice: storing a run is idempotent."""
    pipe.xadd(FINISHED_STREAM, {"run": run_id}, maxlen=FINISHED_MAXLEN, approximate=True)
    pipe.hdel(RUNNING_KEY, run_id)
    pipe.hdel(QUEUED_KEY, run_id)
