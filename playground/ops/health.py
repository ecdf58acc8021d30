"""Whether this web process reaches Redis and the database, and which workers are live."""
from __future__ import annotations

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection

from contract import keys
from playground.runs import streams

log = logging.getLogger(__name__)
OK, ERROR = "ok", "error"
# A health check answers within a load balancer's patience even when Redis hangs.
REDIS_TIMEOUT_SECONDS = 2.0

_clients: dict[str, redis.Redis] = {}


def client() -> redis.Redis:
    """A Redis client with timeouts, one per URL (tests point REDIS_URL elsewhere)."""
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                             socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
    return _clients[url]


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure of the database is "error", never a 500
        log.warning("health: the database does not answer", exc_info=True)
        return False


def worker_counts() -> dict[str, int] | None:
    """Live workers per device class, or None when Redis does not answer."""
    try:
        heartbeats = client().hgetall(keys.WORKERS_KEY)
    except redis.RedisError:
        log.warning("health: Redis does not answer", exc_info=True)
        return None
    try:
        live = streams.live_classes(heartbeats)
    except Exception:  # noqa: BLE001 - a malformed heartbeat is a worker's bug, not Redis down
        log.exception("health: unreadable worker heartbeats")
        live = {}
    return {name: len(workers) for name, workers in sorted(live.items())}


def report() -> tuple[int, dict[str, Any]]:
    """The status code and body of `/healthz`: 200 when Redis and the database answer."""
    workers = worker_counts()
    database = database_answers()
    body = {"redis": OK if workers is not None else ERROR,
            "database": OK if database else ERROR,
            "workers": workers or {}}
    return (200 if workers is not None and database else 503), body
