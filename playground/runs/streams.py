"""Reading a run's Redis stream from the web side, synchronously and asynchronously."""
from __future__ import annotations

import json
import time
from typing import Any

import redis
import redis.asyncio as aredis
from django.conf import settings

_sync: redis.Redis | None = None
_async: aredis.Redis | None = None


def stream_key(run_id: str) -> str:
    return f"run:{run_id}"


def owner_key(run_id: str) -> str:
    """The session that owns a run, kept beside its stream so the socket need not ask the DB."""
    return f"run:{run_id}:owner"


def in_flight_key(session_key: str) -> str:
    """The session's runs not yet stored as finished: a sorted set of run ids by start time."""
    return f"session:{session_key}:in-flight"


def cancel_key(run_id: str) -> str:
    return f"run:{run_id}:cancel"


def client() -> redis.Redis:
    global _sync
    if _sync is None:
        _sync = redis.Redis.from_url(settings.REDIS_URL)
    return _sync


def async_client() -> aredis.Redis:
    global _async
    if _async is None:
        # Reads block on XREAD for seconds: no socket timeout may cut them short.
        _async = aredis.Redis.from_url(settings.REDIS_URL, max_connections=10000,
                                       socket_timeout=60, socket_connect_timeout=5)
    return _async


def decode(entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[dict[str, Any]]:
    return [json.loads(fields[b"e"]) for _id, fields in entries]


def read_all(run_id: str) -> list[dict[str, Any]]:
    return decode(client().xrange(stream_key(run_id)))


def append_terminal(run_id: str, seq: int, event: dict[str, Any]) -> bool:
    """Write a terminal event as `seq`; False when the worker wrote that number first."""
    try:
        client().xadd(stream_key(run_id), {"e": json.dumps({"seq": seq, **event})},
                      id=f"{seq}-0")
    except redis.ResponseError:
        return False
    client().expire(stream_key(run_id), settings.STREAM_TTL_SECONDS)
    return True


WORKERS_KEY = "workers"  # the hash each worker heartbeats into (see trainer.devices)
HEARTBEAT_TTL = 10


def live_classes(heartbeats: dict[bytes, bytes] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Device class -> heartbeats of the workers that serve it right now (from `heartbeats`,
    the HGETALL of WORKERS_KEY, when the caller has read it)."""
    found: dict[str, list[dict[str, Any]]] = {}
    now = time.time()
    gone = []
    if heartbeats is None:
        heartbeats = client().hgetall(WORKERS_KEY)
    for field, raw in heartbeats.items():
        info = json.loads(raw)
        age = now - info.get("seen", 0)
        if age < HEARTBEAT_TTL:
            found.setdefault(info["class"], []).append(info)
        elif age > 30 * HEARTBEAT_TTL:
            gone.append(field)  # a worker that died without saying goodbye
    if gone:
        client().hdel(WORKERS_KEY, *gone)
    return found
