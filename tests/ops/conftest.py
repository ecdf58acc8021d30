"""Fixtures of the operations tests: a Redis database of their own."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.conftest import claim_redis_db


@pytest.fixture(scope="session")
def ops_redis_url(redis_server: str) -> Iterator[str]:
    """A Redis database no other test session uses: heartbeats and queues written here stay."""
    url = claim_redis_db(redis_server)
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def ops_redis(settings, ops_redis_url: str) -> Iterator[redis.Redis]:
    """The web side pointed at that database, emptied (but for its claim) around the test."""
    from playground.runs import streams
    from tests.conftest import LOCK_KEY

    settings.REDIS_URL = ops_redis_url
    streams._sync = None
    client = redis.Redis.from_url(ops_redis_url)

    def empty() -> None:
        for key in client.scan_iter():
            if key != LOCK_KEY.encode():
                client.delete(key)

    empty()
    yield client
    empty()
    streams._sync = None

