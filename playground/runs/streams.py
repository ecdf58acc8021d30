"""Reading a run's Redis stream from the web side, synchronously and asynchronously."""
from __future__ import annotations

import json
from typing import Any

import redis
import redis.asyncio as aredis
from django.conf import settings

_sync: redis.Redis | None = None
_async: aredis.Redis | None = None


def stream_key(run_id: str) -> str:
    return f"run:{run_id}"


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


def live_classes() -> dict[str, list[dict[str, Any]]]:
    """Device class -> heartbeats of the workers that serve it right now."""
    found: dict[str, list[dict[str, Any]]] = {}
    r = client()
    keys = list(r.scan_iter(match="workers:*", count=1000))
    for raw in r.mget(keys) if keys else []:
        if raw:
            info = json.loads(raw)
            found.setdefault(info["class"], []).append(info)
    return found
