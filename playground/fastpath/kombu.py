"""kombu's Redis transport for the web side's Celery, with one Redis client per channel.

Stock kombu builds a new redis-py client (about 170 response callbacks set up each time) for every
message it publishes; the connection pool under it is shared either way. Here a channel keeps its
first client: a redis-py client is safe to share between threads, as the pool hands each command
its own connection.
"""
from __future__ import annotations

from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):  # type: ignore[misc]
    _sync_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        if self._sync_client is None:
            self._sync_client = super()._create_client()
        return self._sync_client


class Transport(redis.Transport):  # type: ignore[misc]
    Channel = Channel
