"""`/healthz` and `/metrics` as an operator or a load balancer reads them, with Redis and the
database up, and with either gone: an answer every time, never a 500."""
from __future__ import annotations

import json
import time

import pytest
from django.db import OperationalError
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from contract import keys
from scripts.stack import free_port

pytestmark = pytest.mark.django_db


def beat(redis_client, name: str, age: float = 0.0, slots: int = 2, draining: bool = False
         ) -> str:
    field = keys.heartbeat_field(name, "host", int(age * 1000) + slots + 100 * draining)
    redis_client.hset(keys.WORKERS_KEY, field, json.dumps(
        {"class": name, "seen": time.time() - age, "slots": slots,
         keys.DRAINING_FIELD: draining}))
    return field


@pytest.fixture
def redis_gone(settings) -> None:
    from playground.runs import streams

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    streams._sync = None
    yield
    streams._sync = None


@pytest.fixture
def database_gone(monkeypatch) -> None:
    """The database refuses every query (a stand-in for a database server that went away)."""
    from django.db.backends.utils import CursorWrapper

    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)


def test_healthz_counts_live_workers_per_class(ops_redis):
    beat(ops_redis, "cpu", slots=2)
    beat(ops_redis, "cpu", slots=3)
    beat(ops_redis, "gpu")
    beat(ops_redis, "gpu", draining=True)  # alive, but takes no new run
    beat(ops_redis, "tpu", age=keys.HEARTBEAT_TTL + 5)  # lapsed: not live
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"redis": "ok", "database": "ok", "workers": {"cpu": 2, "gpu": 1}}
    assert "no-cache" in answer["Cache-Control"]


def test_healthz_is_503_when_redis_does_not_answer(redis_gone):
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"redis": "error", "database": "ok", "workers": {}}


def test_healthz_is_503_when_the_database_does_not_answer(ops_redis, database_gone):
    beat(ops_redis, "cpu")
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"redis": "ok", "database": "error", "workers": {"cpu": 1}}


def test_a_garbled_heartbeat_is_no_redis_outage(ops_redis):
    ops_redis.hset(keys.WORKERS_KEY, "cpu:x:1", b"not json")
    answer = Client().get("/healthz")
    assert answer.status_code == 200 and answer.json()["redis"] == "ok"


def scrape(accept: str = "") -> tuple[dict[tuple[str, tuple[tuple[str, str], ...]], float], str]:
    answer = Client().get("/metrics", HTTP_ACCEPT=accept)
    assert answer.status_code == 200
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(answer.content.decode())
               for s in family.samples}
    return samples, answer["Content-Type"]


def test_metrics_tell_queues_waiting_runs_workers_and_finished_runs(ops_redis):
    from playground.runs.models import Run

    ops_redis.rpush("cpu", "m1", "m2", "m3")  # Celery's queue of the class is a list of its name
    ops_redis.rpush("cpu\x06\x163", "m4")  # ... and each other priority a list of its own
    ops_redis.rpush("gpu", "m5")
    now = time.time()
    for run_id, device, age in (("a", "cpu", 40), ("b", "cpu", 5), ("c", "auto", 100)):
        ops_redis.hset(keys.QUEUED_KEY, run_id, json.dumps({"device": device, "at": now - age}))
    ops_redis.hset(keys.QUEUED_KEY, "garbled", "{")
    cpu = beat(ops_redis, "cpu", slots=2)
    beat(ops_redis, "cpu", slots=3)
    leaving = beat(ops_redis, "cpu", slots=4, draining=True)
    gone = beat(ops_redis, "gpu", age=keys.HEARTBEAT_TTL + 5)
    ops_redis.hset(keys.RUNNING_KEY, mapping={"r1": cpu, "r2": cpu, "r3": gone, "r4": leaving})
    for status in ("succeeded", "succeeded", "failed", "queued"):
        Run.objects.create(session_key="s", code="1", status=status)

    samples, content_type = scrape()
    assert content_type.startswith("text/plain")

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("playground_queue_depth", **{"class": "cpu", "priority": "0"}) == 3
    assert value("playground_queue_depth", **{"class": "cpu", "priority": "3"}) == 1
    assert value("playground_queue_depth", **{"class": "gpu", "priority": "0"}) == 1
    assert value("playground_queue_depth", **{"class": "tpu", "priority": "9"}) == 0
    assert value("playground_queued_runs", device="cpu") == 2
    assert 40 <= value("playground_queued_oldest_seconds", device="cpu") < 45
    assert 100 <= value("playground_queued_oldest_seconds", device="auto") < 105
    assert value("playground_queued_oldest_seconds", device="gpu") == 0
    assert value("playground_workers", **{"class": "cpu"}) == 2
    assert value("playground_draining_workers", **{"class": "cpu"}) == 1
    assert value("playground_workers", **{"class": "gpu"}) == 0
    assert value("playground_worker_slots", **{"class": "cpu"}) == 5  # the draining take none
    assert value("playground_running_runs", **{"class": "cpu"}) == 3  # r3's worker is gone
    assert value("playground_runs_finished", status="succeeded") == 2
    assert value("playground_runs_finished", status="failed") == 1
    assert value("playground_runs_finished", status="worker-lost") == 0
    assert value("playground_up", dependency="redis") == 1
    assert value("playground_up", dependency="database") == 1
    assert value("process_open_fds") > 0


def test_metrics_still_answer_without_redis(redis_gone):
    samples, _ = scrape()
    assert samples[("playground_up", (("dependency", "redis"),))] == 0
    assert samples[("playground_up", (("dependency", "database"),))] == 1
    assert not any(name == "playground_queue_depth" for name, _labels in samples)
    assert ("playground_runs_finished", (("status", "succeeded"),)) in samples


def test_metrics_still_answer_without_the_database(ops_redis, database_gone):
    samples, _ = scrape()
    assert samples[("playground_up", (("dependency", "database"),))] == 0
    assert samples[("playground_up", (("dependency", "redis"),))] == 1
    assert not any(name == "playground_runs_finished" for name, _labels in samples)


def test_openmetrics_when_the_scraper_asks_for_it(ops_redis):
    answer = Client().get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert answer["Content-Type"].startswith("application/openmetrics-text")
    assert answer.content.rstrip().endswith(b"# EOF")
