"""The web side publishes runs through one Redis client per broker channel."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from celery import Celery

from tests.conftest import UNIT_REDIS_DB, redis_db

QUEUE = "tests-web-broker"


@pytest.fixture
def app(redis_server: str, settings) -> Iterator[tuple[Celery, redis.Redis]]:
    url = redis_db(redis_server, UNIT_REDIS_DB)
    celery = Celery("tests", broker=url)
    celery.conf.update(broker_transport=settings.CELERY_BROKER_TRANSPORT,
                       broker_connection_retry_on_startup=True)
    client = redis.Redis.from_url(url)
    client.delete(QUEUE)
    yield celery, client
    client.delete(QUEUE)
    celery.close()


def test_publishing_builds_no_new_redis_client_per_message(
        app: tuple[Celery, redis.Redis], monkeypatch: pytest.MonkeyPatch) -> None:
    celery, client = app
    celery.send_task("trainer.execute_run", args=["r1", "print(1)", {}], queue=QUEUE)
    built: list[int] = []
    real_init = redis.Redis.__init__

    def counting_init(self: redis.Redis, *args: object, **kwargs: object) -> None:
        built.append(1)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    for n in range(3):
        celery.send_task("trainer.execute_run", args=[f"r{n}", "print(1)", {}], queue=QUEUE)
    assert client.llen(QUEUE) == 4  # every message went out
    assert built == []
