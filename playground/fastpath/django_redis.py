"""django-redis with one redis-py client per Redis URL for the whole process."""
from __future__ import annotations

from typing import ClassVar

from django_redis import pool
from redis import Redis


class ConnectionFactory(pool.ConnectionFactory):  # type: ignore[misc]
    """Django makes a cache object per request (its caches live per async context), and stock
    django-redis a new redis-py client for each (about 170 response callbacks set up each time)
    around the connection pool it shares. Here a URL's first client serves every later cache
    object: a redis-py client is safe to share between threads, as the pool hands each command
    its own connection."""

    clients: ClassVar[dict[str, Redis]] = {}

    def connect(self, url: str) -> Redis:
        client = self.clients.get(url)
        if client is None:
            client = self.clients[url] = super().connect(url)
        return client
