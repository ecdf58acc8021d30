"""`/api/devices` as the device picker reads it: per class, the live workers, their free slots
and warm spares, the runs queued and the wait a new run can expect; simulated classes say so."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.test import Client

from contract import keys
from playground.runs import capacity
from playground.runs.models import Run

pytestmark = pytest.mark.django_db


def beat(redis_client, name: str, host: str, slots: int, busy: int, spares: int | None = 2,
         simulated: bool = False, age: float = 0.0) -> None:
    info = {"class": name, "host": host, "seen": time.time() - age, "slots": slots,
            "busy": busy, "simulated": simulated, "tf_devices": [f"/device:{name.upper()}:0"],
            "hardware": {"cpu": {"model": "Test CPU", "cores": 2}}}
    if spares is not None:
        info["spares"] = spares
    redis_client.hset(keys.WORKERS_KEY, keys.heartbeat_field(name, host, 1), json.dumps(info))


def stored_runs(device: str, *durations_ms: int) -> None:
    for ms in durations_ms:
        Run.objects.create(session_key="s", code="pass", device=device, status="succeeded",
                           duration_ms=ms, finished=dt.datetime.now(dt.UTC))


@pytest.fixture(autouse=True)
def fresh_durations():
    capacity._durations.clear()
    yield
    capacity._durations.clear()


def test_a_run_that_finds_a_free_slot_waits_for_nothing():
    assert capacity.estimated_wait(queued=2, free=3, slots=4, median_s=10.0) == 0.0


def test_queued_runs_wait_for_busy_slots_at_the_median_duration():
    # 5 queued, 1 free slot: 4 ahead of the free slot, plus this run, over 2 slots of ~3 s.
    assert capacity.estimated_wait(queued=5, free=1, slots=2, median_s=3.0) == 7.5
    assert capacity.estimated_wait(queued=1, free=0, slots=2, median_s=None) is None


def test_devices_shows_each_class_s_capacity_and_queue(ops_redis):
    beat(ops_redis, "cpu", "cpu-a", slots=4, busy=1, spares=2)
    beat(ops_redis, "cpu", "cpu-b", slots=4, busy=4, spares=1)
    beat(ops_redis, "gpu", "gpu-a", slots=1, busy=1, spares=None, simulated=True)
    beat(ops_redis, "tpu", "tpu-a", slots=1, busy=0, age=keys.HEARTBEAT_TTL + 1)  # gone
    ops_redis.rpush(capacity.queue_list("gpu", 0), "m1", "m2")
    ops_redis.rpush(capacity.queue_list("gpu", 6), "m3")
    ops_redis.rpush(capacity.queue_list("tpu", 0), "m4")
    stored_runs("gpu", 1000, 3000, 5000)
    stored_runs("cpu", 100)
    answer = Client().get("/api/devices")
    assert answer.status_code == 200
    found = {entry["class"]: entry for entry in answer.json()["devices"]}
    assert set(found) == {"cpu", "gpu"}
    cpu, gpu = found["cpu"], found["gpu"]
    assert (cpu["workers"], cpu["slots"], cpu["free_slots"], cpu["warm_spares"]) == (2, 8, 3, 3)
    assert (cpu["queue_depth"], cpu["wait_s"], cpu["simulated"]) == (0, 0.0, False)
    assert sorted(h["host"] for h in cpu["hosts"]) == ["cpu-a", "cpu-b"]
    assert cpu["hosts"][0]["hardware"]["cpu"]["model"] == "Test CPU"
    # 3 queued behind 1 busy slot: (3 - 0 + 1) / 1 slot x the median of 1, 3 and 5 s.
    assert (gpu["queue_depth"], gpu["free_slots"], gpu["wait_s"]) == (3, 0, 12.0)
    assert gpu["simulated"] is True and gpu["warm_spares"] is None
