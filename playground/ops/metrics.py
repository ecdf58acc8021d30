"""`/metrics`: the playground's state in Prometheus' text format, read when scraped.

Queues, queued runs and workers come from Redis, runs by final status from the database: they are
the same whoever is scraped, so with several Daphne processes aggregate them with `max`, not
`sum`. The `process_*` series are each process's own.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.db.models import Count
from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder

from contract import keys
from contract.events import TERMINAL_STATUSES
from contract.job import DEVICE_CHOICES, DEVICE_CLASSES
from playground.ops import health
from playground.runs import capacity, streams
from playground.runs.models import Run

log = logging.getLogger(__name__)
PREFIX = "playground"


class PlaygroundCollector:
    """Reads Redis and the database at each scrape; a source that fails is reported down and its
    series left out, so a scrape always answers."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(f"{PREFIX}_up", "Whether this process reaches the dependency "
                               "(1) or not (0).", labels=["dependency"])
        try:
            families = list(redis_families(read_redis()))
        except Exception:  # noqa: BLE001 - a scrape answers whatever is broken
            log.warning("metrics: Redis does not answer", exc_info=True)
            families = []
        up.add_metric(["redis"], 1 if families else 0)
        yield from families
        try:
            finished = runs_by_status()
        except Exception:  # noqa: BLE001 - a scrape answers whatever is broken
            log.warning("metrics: the database does not answer", exc_info=True)
            finished = None
        up.add_metric(["database"], 1 if finished is not None else 0)
        if finished is not None:
            yield finished
        yield up


def read_redis() -> dict[str, Any]:
    """Everything the Redis series need, in one round trip."""
    pipe = health.client().pipeline(transaction=False)
    lists = capacity.count_queues(pipe)
    pipe.hgetall(keys.QUEUED_KEY)
    pipe.hgetall(keys.WORKERS_KEY)
    pipe.hgetall(keys.RUNNING_KEY)
    *depths, queued, heartbeats, running = pipe.execute()
    return {"depths": dict(zip(lists, depths, strict=True)), "admitted": queued,
            "heartbeats": heartbeats, "supervised": running}


def redis_families(state: dict[str, Any]) -> Iterator[Metric]:
    depth = GaugeMetricFamily(f"{PREFIX}_queue_depth", "Runs in the device class's Celery "
                              "queue, not yet taken by a worker, by priority (0 first).",
                              labels=["class", "priority"])
    for (name, priority), length in state["depths"].items():
        depth.add_metric([name, str(priority)], length)
    yield depth
    yield from queued_families(state["admitted"])
    yield from worker_families(state["heartbeats"], state["supervised"])


def queued_families(queued: dict[bytes, bytes]) -> Iterator[Metric]:
    """Runs admitted and not started (`runs:queued`), by the device they asked for, which may be
    `auto`: the hash keeps the choice, not the class it was sent to."""
    now = time.time()
    ages: dict[str, list[float]] = {choice: [] for choice in DEVICE_CHOICES}
    for raw in queued.values():
        try:
            entry = json.loads(raw)
            ages[entry["device"]].append(max(0.0, now - float(entry["at"])))
        except (ValueError, KeyError, TypeError):
            continue  # not written by the web side: nothing to say about it
    count = GaugeMetricFamily(f"{PREFIX}_queued_runs", "Runs admitted and not yet started, by "
                              "the device asked for.", labels=["device"])
    oldest = GaugeMetricFamily(f"{PREFIX}_queued_oldest_seconds", "Age of the oldest run "
                               "admitted and not yet started (0 when none).", labels=["device"])
    for choice, found in ages.items():
        count.add_metric([choice], len(found))
        oldest.add_metric([choice], max(found, default=0.0))
    yield count
    yield oldest


def worker_families(heartbeats: dict[bytes, bytes], running: dict[bytes, bytes]
                    ) -> Iterator[Metric]:
    alive = streams.live_workers(heartbeats)
    taking = streams.live_classes(heartbeats)  # the live workers that take new runs
    workers = GaugeMetricFamily(f"{PREFIX}_workers", "Trainer workers with a live heartbeat "
                                "that take new runs.", labels=["class"])
    draining = GaugeMetricFamily(f"{PREFIX}_draining_workers", "Trainer workers alive but "
                                 "draining: they finish their runs and take no new one.",
                                 labels=["class"])
    slots = GaugeMetricFamily(f"{PREFIX}_worker_slots", "Runs the workers that take new runs "
                              "take at once.", labels=["class"])
    busy = GaugeMetricFamily(f"{PREFIX}_running_runs", "Runs being supervised by a live worker.",
                             labels=["class"])
    class_of = {field: name for name, found in alive.items() for field, _info in found}
    running_in = [class_of.get(worker.decode()) for worker in running.values()]
    for name in DEVICE_CLASSES:
        workers.add_metric([name], len(taking.get(name, [])))
        draining.add_metric([name], len(alive.get(name, [])) - len(taking.get(name, [])))
        slots.add_metric([name], sum(int(info.get("slots") or 0)
                                     for info in taking.get(name, [])))
        busy.add_metric([name], running_in.count(name))
    yield from (workers, draining, slots, busy)


def runs_by_status() -> Metric:
    """One GROUP BY over the stored runs (no ordering: Run's default would join the GROUP BY)."""
    counts = dict(Run.objects.filter(status__in=TERMINAL_STATUSES).order_by()
                  .values("status").annotate(n=Count("*")).values_list("status", "n"))
    family = GaugeMetricFamily(f"{PREFIX}_runs_finished", "Runs stored as finished, by final "
                               "status.", labels=["status"])
    for status in TERMINAL_STATUSES:
        family.add_metric([status], counts.get(status, 0))
    return family


REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(PlaygroundCollector())  # type: ignore[arg-type]
ProcessCollector(registry=REGISTRY)


def render(accept: str) -> tuple[bytes, str]:
    """The metrics and their content type: OpenMetrics when the scraper asks for it, else
    Prometheus' text format."""
    encode, content_type = choose_encoder(accept)
    return encode(REGISTRY), content_type
