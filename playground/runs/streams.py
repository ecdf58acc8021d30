"""The web side's Redis: its clients, and reading runs' streams and workers' heartbeats."""
from __future__ import annotations

import json
import time
from typing import Any

import redis
import redis.asyncio as aredis
import redis.asyncio.retry
from django.conf import settings
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from contract import keys

_sync: redis.Redis | None = None
_async: aredis.Redis | None = None

# A command that meets a broken connection (Redis restarted) reconnects and is sent again, a few
# times within a second: a restart that short goes unnoticed, a longer outage fails the request
# fast (JSON 503, playground/runs/errors.py) instead of holding it for redis-py's default ~4 s.
RETRIES = 4
BACKOFF = {"base": 0.05, "cap": 0.4}
# A pooled connection idle this long is checked with a PING before it carries a command.
HEALTH_CHECK_SECONDS = 5
CONNECT_TIMEOUT_SECONDS = 2.0
# Above the recorder's XREADGROUP BLOCK (1 s), the only blocking read of the sync client.
SYNC_TIMEOUT_SECONDS = 10.0
# Above the socket's XREAD BLOCK (5 s): no timeout may cut a blocked read short.
ASYNC_TIMEOUT_SECONDS = 60.0


def client() -> redis.Redis:
    global _sync
    if _sync is None:
        _sync = redis.Redis.from_url(
            settings.REDIS_URL, retry=Retry(ExponentialWithJitterBackoff(**BACKOFF), RETRIES),
            health_check_interval=HEALTH_CHECK_SECONDS, socket_timeout=SYNC_TIMEOUT_SECONDS,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
    return _sync


def async_client() -> aredis.Redis:
    global _async
    if _async is None:
        _async = aredis.Redis.from_url(
            settings.REDIS_URL, max_connections=10000,
            retry=redis.asyncio.retry.Retry(ExponentialWithJitterBackoff(**BACKOFF), RETRIES),
            health_check_interval=HEALTH_CHECK_SECONDS, socket_timeout=ASYNC_TIMEOUT_SECONDS,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
    return _async


def decode(entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[dict[str, Any]]:
    return [json.loads(fields[keys.STREAM_FIELD.encode()]) for _id, fields in entries]


def read_all(run_id: str) -> list[dict[str, Any]]:
    return decode(client().xrange(keys.stream_key(run_id)))


def live_classes(heartbeats: dict[bytes, bytes] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Device class -> heartbeats of the workers that take new runs of it right now (from
    `heartbeats`, the HGETALL of WORKERS_KEY, when the caller has read it). A draining worker
    is alive but takes none."""
    found = {name: [info for _field, info in workers if not info.get(keys.DRAINING_FIELD)]
             for name, workers in live_workers(heartbeats).items()}
    return {name: workers for name, workers in found.items() if workers}


def live_workers(heartbeats: dict[bytes, bytes] | None = None
                 ) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Device class -> (heartbeat field, heartbeat) of each worker alive right now. Forgets the
    heartbeats of workers long gone."""
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    now = time.time()
    gone = []
    if heartbeats is None:
        heartbeats = client().hgetall(keys.WORKERS_KEY)
    for field, raw in heartbeats.items():
        info = json.loads(raw)
        age = now - info.get("seen", 0)
        if age < keys.HEARTBEAT_TTL:
            found.setdefault(info["class"], []).append((field.decode(), info))
        elif age > 30 * keys.HEARTBEAT_TTL:
            gone.append(field)  # a worker that died without saying goodbye
    if gone:
        client().hdel(keys.WORKERS_KEY, *gone)
    return found
