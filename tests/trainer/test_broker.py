"""How the worker takes runs off its queue: one Redis command per run, no bookkeeping."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from kombu import Exchange, Producer, Queue

from tests.conftest import UNIT_REDIS_DB, redis_db
from trainer.celery import app

QUEUE = "tests-broker"


@pytest.fixture
def broker(redis_server: str) -> Iterator[tuple[str, redis.Redis]]:
    url = redis_db(redis_server, UNIT_REDIS_DB)
    client = redis.Redis.from_url(url)
    client.delete(QUEUE)
    yield url, client
    client.delete(QUEUE)


def test_a_message_taken_is_not_written_back_to_redis(broker: tuple[str, redis.Redis]) -> None:
    """Runs are acknowledged as they start (task_acks_late off), so kombu's emulation of
    unacknowledged messages in Redis would only add a round trip when a message arrives and
    another when it is acknowledged; with it off, neither is made."""
    url, client = broker
    with app.connection_for_read(url) as conn:
        channel = conn.default_channel
        queue = Queue(QUEUE, Exchange(QUEUE), routing_key=QUEUE, channel=channel)
        queue.declare()
        Producer(channel).publish({"run": 1}, exchange=QUEUE, routing_key=QUEUE,
                                  serializer="json")
        message = queue.get(no_ack=False)
        assert message is not None and message.payload == {"run": 1}
        assert not client.hexists("unacked", message.delivery_tag)
        assert client.zscore("unacked_index", message.delivery_tag) is None
        message.ack()
        assert client.llen(QUEUE) == 0
