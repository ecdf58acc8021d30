"""What each device class can take right now: its live workers, their slots and warm spares, the
runs waiting in its queue and the wait a new run can expect. `/api/devices` shows it; `/metrics`
counts the queues with the same function."""
from __future__ import annotations

import statistics
import time
from typing import Any

from django.db.models import QuerySet
from kombu.transport.redis import Channel

from contract import keys
from contract.events import TERMINAL_STATUSES
from contract.job import DEVICE_CLASSES, QUEUE_PRIORITIES
from playground.runs import streams
from playground.runs.models import Run

RECENT_RUNS = 50  # the stored runs of a class whose median duration prices a place in its queue
DURATION_CACHE_SECONDS = 30.0
_durations: dict[str, tuple[float, float | None]] = {}  # class -> (read at, median seconds)


def queue_list(device_class: str, priority: int) -> str:
    """The Redis list of a class's queue at one priority. A device class's queue is named after
    the class (contract.job); kombu's Redis transport keeps priority 0 in a list of the queue's
    name and each other priority in the name, its separator and the priority."""
    return f"{device_class}{Channel.sep}{priority}" if priority else device_class


def count_queues(pipe: Any) -> list[tuple[str, int]]:
    """Queue on `pipe` an LLEN of every class's list at every priority; returns the (class,
    priority) of each answer, in order."""
    lists = [(name, priority) for name in DEVICE_CLASSES for priority in QUEUE_PRIORITIES]
    for name, priority in lists:
        pipe.llen(queue_list(name, priority))
    return lists


def by_class(lists: list[tuple[str, int]], depths: list[int]) -> dict[str, int]:
    """Runs waiting in each class's queue, all priorities together."""
    total = dict.fromkeys(DEVICE_CLASSES, 0)
    for (name, _priority), depth in zip(lists, depths, strict=True):
        total[name] += int(depth)
    return total


def median_duration(device_class: str) -> float | None:
    """The median duration in seconds of the class's last RECENT_RUNS stored runs (None before
    any), read from the database at most every DURATION_CACHE_SECONDS per process."""
    now = time.monotonic()
    cached = _durations.get(device_class)
    if cached is not None and now - cached[0] < DURATION_CACHE_SECONDS:
        return cached[1]
    recent: QuerySet[Run, int | None] = (
        Run.objects.filter(device=device_class, status__in=TERMINAL_STATUSES,
                           duration_ms__isnull=False)
        .order_by("-created").values_list("duration_ms", flat=True)[:RECENT_RUNS])
    found = [ms for ms in recent if ms is not None]
    median = statistics.median(found) / 1000 if found else None
    _durations[device_class] = (now, median)
    return median


def estimated_wait(queued: int, free: int, slots: int, median_s: float | None) -> float | None:
    """Seconds a run sent now waits before it starts, roughly.

    A run that finds a free slot with no queue before it starts at once (0). Otherwise the runs
    queued ahead of it that the free slots cannot take, and itself, wait for busy slots to come
    free; with every slot freeing after about the class's median run duration, that is
    `(queued - free + 1) / slots × median`. It assumes future runs last as long as recent ones and
    that the heartbeats' counts are current (they are up to a beat old); None when there is no
    slot or no stored run to price it with.
    """
    if queued < free:
        return 0.0
    if slots <= 0 or median_s is None:
        return None
    return round((queued - free + 1) / slots * median_s, 1)


def _worker(info: dict[str, Any]) -> dict[str, Any]:
    return {"host": info.get("host", ""), "slots": int(info.get("slots") or 0),
            "busy": int(info.get("busy") or 0), "spares": info.get("spares"),
            "simulated": bool(info.get("simulated")), "hardware": info.get("hardware", {})}


def describe(device_class: str, workers: list[dict[str, Any]], queued: int) -> dict[str, Any]:
    """One class as `/api/devices` shows it, from its live workers' heartbeats."""
    hosts = [_worker(info) for info in workers]
    slots = sum(w["slots"] for w in hosts)
    free = sum(max(0, w["slots"] - w["busy"]) for w in hosts)
    spares = [w["spares"] for w in hosts if isinstance(w["spares"], int)]
    return {
        "class": device_class, "workers": len(workers),
        "tf_devices": sorted({d for w in workers for d in w.get("tf_devices", [])}),
        "runtime": workers[0].get("runtime", {}), "sandbox": workers[0].get("sandbox"),
        "simulated": all(w["simulated"] for w in hosts),
        "slots": slots, "free_slots": free, "warm_spares": sum(spares) if spares else None,
        "queue_depth": queued,
        "wait_s": estimated_wait(queued, free, slots, median_duration(device_class)),
        "hosts": hosts,
    }


def devices() -> list[dict[str, Any]]:
    """Every class with a live worker that takes runs: one Redis round trip, and a database query
    per class at most every DURATION_CACHE_SECONDS."""
    pipe = streams.client().pipeline(transaction=False)
    pipe.hgetall(keys.WORKERS_KEY)
    lists = count_queues(pipe)
    heartbeats, *depths = pipe.execute()
    live = streams.live_classes(heartbeats)
    queued = by_class(lists, depths)
    return [describe(name, workers, queued[name]) for name, workers in sorted(live.items())]
