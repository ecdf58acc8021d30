"""One iteration over a reported pipeline: its elements counted and timed as the snippet's loop
(or Keras' step loop) took them, its first rows kept for the preview, and its `dataset_stats`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tensorflow.python.distribute import values as distribute_values
from tensorflow.python.util import nest

from trainer.instrument import elements, pipeline

PREVIEW_ROWS = 8
LIVE_SECONDS = 1.0
STATS_MAX = 400  # dataset_stats events per run, final ones aside


@dataclass
class Pipeline:
    """A pipeline as reported: its id, its datasets (for sampling) and stages."""

    id: int
    datasets: list[tuple[Any, pipeline.Call | None]]
    stages: list[dict[str, Any]]
    batch_size: int | None
    iterations: int = 0
    previewed: bool = False
    samples: list[list[Any]] | None = None  # elements after each stage, where sampled
    unsampled: bool = False  # a loop took it first: sampled only if Keras iterates it later

    @property
    def batched(self) -> bool:
        if self.batch_size is not None:
            return True
        ops = [s.get("op") for s in self.stages]
        last = [op for op in ops if op in ("batch", "padded_batch", "unbatch", "rebatch")]
        return bool(last) and last[-1] != "unbatch"


@dataclass
class Iteration:
    """One pass of one iterator (or one epoch of a Keras loop) over a pipeline."""

    pipeline: Pipeline
    consumer: str
    number: int
    started: float
    elements: int = 0
    examples: int = 0
    pending: int = 0  # Keras: the batches of the step now running
    waited: float = 0.0
    first: float | None = None
    last: float | None = None
    last_sent: float = 0.0
    ended: bool = False
    rows: list[Any] = field(default_factory=list)
    marker: Any = None  # Keras: the epoch's generator, to tell a new epoch


def local_part(element: Any) -> Any:
    """A distributed element's first replica's part (a plain element is itself)."""
    def first(value: Any) -> Any:
        if isinstance(value, distribute_values.DistributedValues):
            return value.values[0]
        return value
    return nest.map_structure(first, element, expand_composites=False)


def _first_leaf(element: Any) -> Any:
    """The first component of an element, cheaply (this runs for every element)."""
    for _ in range(8):
        if isinstance(element, (tuple, list)) and element:
            element = element[0]
        elif isinstance(element, dict) and element:
            element = element[min(element)] if all(isinstance(k, str) for k in element) \
                else next(iter(element.values()))
        else:
            break
    return element


def _rows(tensor: Any) -> int | None:
    shape = getattr(tensor, "shape", None)
    try:
        return int(shape[0]) if shape is not None and len(shape) and shape[0] is not None \
            else None
    except (TypeError, ValueError, IndexError):
        return None


def replicated_size(element: Any) -> int | None:
    """The rows of a batch, every replica's part counted."""
    first = _first_leaf(element)
    if isinstance(first, distribute_values.DistributedValues):
        sizes = [_rows(v) for v in first.values]
        known = [s for s in sizes if s is not None]
        return sum(known) if known else None
    return _rows(first)


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


class Timer:
    """Counts and times iterations; sends previews and stats through `send`."""

    def __init__(self, send: Callable[[dict[str, Any], str | None], None]) -> None:
        self._send = send
        self._lock = threading.Lock()
        self._stats_sent = 0

    def got(self, watch: Iteration, element: Any, began: float, now: float) -> None:
        """An element the snippet's loop took: `began` when it asked, `now` when it had it."""
        watch.elements += 1
        watch.waited += now - began
        if watch.first is None:
            watch.first = now
        watch.last = now
        size = replicated_size(element) if watch.pipeline.batched else None
        watch.examples += size if size is not None else 1
        if not watch.pipeline.previewed:
            self._keep_rows(watch, element)
        if now - watch.last_sent >= LIVE_SECONDS and watch.elements > 1:
            self.stats(watch, final=False)

    def step(self, watch: Iteration, batches: int, now: float) -> None:
        """A Keras step begins at `now`; the one before it ended then."""
        self._complete(watch, now)
        watch.pending = batches
        if now - watch.last_sent >= LIVE_SECONDS and watch.elements:
            self.stats(watch, final=False)

    def _complete(self, watch: Iteration, now: float) -> None:
        if watch.pending:
            watch.elements += watch.pending
            watch.examples += watch.pending * (watch.pipeline.batch_size or 1)
            watch.pending = 0
            watch.last = now
            if watch.first is None:
                watch.first = now

    def _keep_rows(self, watch: Iteration, element: Any) -> None:
        element = local_part(element)
        if watch.pipeline.batched:
            watch.rows = elements.rows(element, PREVIEW_ROWS)
        else:
            watch.rows.append(element)
        if watch.pipeline.batched or len(watch.rows) >= PREVIEW_ROWS:
            self.preview(watch)

    def preview(self, watch: Iteration) -> None:
        report = watch.pipeline
        if report.previewed or not watch.rows:
            return
        report.previewed = True
        rows = [elements.describe_element(row) for row in watch.rows[:PREVIEW_ROWS]]
        watch.rows = []
        self._send({"type": "dataset_preview", "id": report.id, "elements": rows,
                    "source": "iterated", "batched": report.batched}, "elements")

    def end(self, watch: Iteration, now: float | None = None) -> None:
        if watch.ended:
            return
        self._complete(watch, time.perf_counter() if now is None else now)
        watch.ended = True
        self.preview(watch)
        if watch.elements:
            self.stats(watch, final=True)

    def stats(self, watch: Iteration, *, final: bool) -> None:
        with self._lock:
            if self._stats_sent >= STATS_MAX and not final:
                return
            self._stats_sent += 1
        watch.last_sent = time.perf_counter()
        end = watch.last if watch.last is not None else watch.last_sent
        seconds = max(end - watch.started, 1e-9)
        event: dict[str, Any] = {
            "type": "dataset_stats", "id": watch.pipeline.id, "elements": watch.elements,
            "iteration": watch.number, "consumer": watch.consumer,
            "seconds": round(seconds, 6), "per_second": round(watch.elements / seconds, 3),
            "final": final,
        }
        if watch.elements:
            event["ms_per_element"] = _ms(seconds / watch.elements)
            if watch.waited:
                event["wait_ms"] = _ms(watch.waited / watch.elements)
        if watch.first is not None:
            event["first_ms"] = _ms(watch.first - watch.started)
        if watch.examples and watch.examples != watch.elements:
            event["examples"] = watch.examples
            event["examples_per_second"] = round(watch.examples / seconds, 3)
        self._send(event, None)
