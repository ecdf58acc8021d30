"""Per-replica values out of a running step: each replica's function ends with one small
NumPy callback (its batch size, its gradients' norms before and after their all-reduce, a
summary of what it returns) that a collector joins into one `replica_step` per step."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.python.framework import ops
from tensorflow.python.ops import control_flow_util
from tensorflow.python.util import nest

from trainer.instrument.graphs import HIDDEN_SCOPE
from trainer.instrument.pipeline import function_name
from trainer.instrument.values import finite

PROBE_SCOPE = HIDDEN_SCOPE  # graph events leave these ops out
OUTPUTS_MAX = 8
SMALL = 16  # values of an output listed whole
FIRST_STEPS = 3  # steps of a site always sent
LIVE_SECONDS = 1.0
_ids = itertools.count(1)


@dataclass
class Site:
    """One traced (or eager) call of strategy.run: what its callbacks carry and where from."""

    kind: str
    function: str
    line: int | None
    devices: list[str]
    id: int = field(default_factory=lambda: next(_ids))
    reduce_ops: list[str] = field(default_factory=list)
    # Per replica: how many all-reduces its callback reports, and its outputs (name, whole).
    layouts: dict[int, tuple[int, list[tuple[str, bool]]]] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)
    steps: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    sent: int = 0
    last_sent: float = 0.0
    unsent: dict[str, Any] | None = None


def label(fn: Any) -> str:
    """A function's name as the snippet wrote it, AutoGraph's wrapping taken off."""
    name = function_name(fn)
    for prefix in ("outer_factory.inner_factory.", "outer_factory."):
        name = name.removeprefix(prefix)
    return ".".join(part.removeprefix("tf__") for part in name.split("."))


def probe_allowed() -> bool:
    """A callback can run here: eagerly, or in a tf.function not compiled by XLA."""
    if tf.executing_eagerly():
        return True
    graph = ops.get_default_graph()
    return getattr(graph, "building_function", False) and \
        not control_flow_util.GraphOrParentsInXlaContext(graph)


def norm(value: Any) -> Any:
    """The global norm of the floating-point tensors in `value`, or None."""
    tensors = [t for t in nest.flatten(value, expand_composites=False)
               if t is not None and getattr(getattr(t, "dtype", None), "is_floating", False)]
    if not tensors:
        return None
    return tf.cast(tf.linalg.global_norm(tensors), tf.float32)


def norm_now(value: Any) -> float | None:
    """`norm` of eager values, in NumPy: a TF op costs milliseconds on its first use."""
    tensors = [t for t in nest.flatten(value, expand_composites=False)
               if t is not None and getattr(getattr(t, "dtype", None), "is_floating", False)]
    if not tensors:
        return None
    if not all(isinstance(t, tf.__internal__.EagerTensor) for t in tensors):
        return norm(value)  # IndexedSlices and other composites: TensorFlow's global norm
    return float(np.sqrt(sum(float(np.sum(np.square(np.asarray(t, np.float64))))
                             for t in tensors)))


def _first_batched(args: Any) -> Any:
    for leaf in nest.flatten(args, expand_composites=False):
        if hasattr(leaf, "shape") and hasattr(leaf, "dtype") and len(leaf.shape or ()) > 0:
            return leaf
    return None


def batch_size(args: Any) -> Any:
    leaf = _first_batched(args)
    if leaf is None:
        return tf.constant(-1, tf.int32)
    return tf.shape(leaf, out_type=tf.int32)[0]


def batch_size_now(args: Any) -> int:
    """`batch_size` of eager values, read from their shapes."""
    leaf = _first_batched(args)
    size = None if leaf is None else leaf.shape[0]
    return -1 if size is None else int(size)


def _outputs(result: Any) -> list[tuple[str, Any, bool]]:
    """The numeric results to send, named, and whether each is small enough to send whole."""
    found = []
    for path, leaf in nest.flatten_with_joined_string_paths(result)[:OUTPUTS_MAX]:
        dtype = getattr(leaf, "dtype", None)
        if dtype is None or not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
            continue
        size = leaf.shape.num_elements() if leaf.shape.is_fully_defined() else None
        found.append((str(path) or "output", leaf, size is not None and size <= SMALL))
    return found


def output_tensors(result: Any) -> tuple[list[Any], list[tuple[str, bool]]]:
    """What to send of the function's results: small ones whole, others as min, max, mean."""
    tensors, names = [], []
    for name, leaf, whole in _outputs(result):
        value = tf.cast(leaf, tf.float32)
        tensors.append(value if whole else tf.stack([tf.reduce_min(value), tf.reduce_max(value),
                                                     tf.reduce_mean(value)]))
        names.append((name, whole))
    return tensors, names


def output_arrays(result: Any) -> tuple[list[Any], list[tuple[str, bool]]]:
    """`output_tensors` of eager results, in NumPy."""
    arrays, names = [], []
    for name, leaf, whole in _outputs(result):
        value = np.asarray(leaf, np.float32)
        arrays.append(value if whole else np.array([value.min(), value.max(), value.mean()]))
        names.append((name, whole))
    return arrays, names


def _summary(value: np.ndarray, whole: bool) -> dict[str, Any]:
    if not whole:
        low, high, mean = (finite(v) for v in value.ravel()[:3])
        return {"min": low, "max": high, "mean": mean}
    if value.ndim == 0:
        return {"value": finite(value)}
    return {"shape": list(value.shape), "values": [finite(v) for v in value.ravel()]}


class Collector:
    """Joins the callbacks of one step (one per replica) and sends them, throttled."""

    def __init__(self, send: Callable[[dict[str, Any]], bool], replica_steps: int) -> None:
        self._send = send
        self.left = replica_steps
        self._lock = threading.Lock()
        self._sites: list[Site] = []

    def add(self, site: Site) -> None:
        with self._lock:
            self._sites.append(site)

    def callback(self, site: Site) -> Callable[..., np.int8]:
        def report(replica: Any, batch: Any, *values: Any) -> np.int8:
            try:
                self._arrived(site, int(replica), int(batch), values)
            except Exception:  # noqa: BLE001, S110 - a probe must never fail the step
                pass
            return np.int8(0)
        return report

    def _arrived(self, site: Site, replica: int, batch: int, values: tuple[Any, ...]) -> None:
        pairs, outputs = site.layouts.get(replica, (0, []))
        entry: dict[str, Any] = {"replica": replica, "batch": batch if batch >= 0 else None}
        if replica < len(site.devices):
            entry["device"] = site.devices[replica]
        if pairs:
            entry["grad_norm"] = finite(values[0])
            entry["reduced_norm"] = finite(values[pairs])
        entry["outputs"] = [{"name": name, **_summary(np.asarray(v), whole)}
                            for (name, whole), v in zip(outputs, values[2 * pairs:], strict=False)]
        with self._lock:
            step = site.counts.get(replica, 0)
            site.counts[replica] = step + 1
            parts = site.steps.setdefault(step, {})
            parts[replica] = entry
            if len(parts) < len(site.devices):
                return
            del site.steps[step]
        self.offer(site, self._event(site, step, parts))

    def offer(self, site: Site, event: dict[str, Any]) -> None:
        """Send a site's step: its first few, then one a second; the last held back is sent
        at the end."""
        with self._lock:
            now = time.monotonic()
            due = site.sent < FIRST_STEPS or now - site.last_sent >= LIVE_SECONDS
            if not due or self.left <= 0:
                site.unsent = event
                return
            site.sent += 1
            site.last_sent = now
            site.unsent = None
            self.left -= 1
        self._send(event)

    @staticmethod
    def _event(site: Site, step: int, parts: dict[int, dict[str, Any]]) -> dict[str, Any]:
        replicas = [parts[r] for r in sorted(parts)]
        event: dict[str, Any] = {"type": "replica_step", "kind": site.kind, "step": step + 1,
                                 "function": site.function, "replicas": replicas}
        if site.line is not None:
            event["line"] = site.line
        batches = [r["batch"] for r in replicas if r.get("batch") is not None]
        if batches:
            event["global_batch"] = sum(batches)
        if any("grad_norm" in r for r in replicas):
            event["reduce_op"] = site.reduce_ops[0] if site.reduce_ops else "SUM"
            event["reduced"] = {"grad_norm": replicas[0].get("reduced_norm")}
        return event

    def finish(self) -> None:
        """Each site's last complete step, when the throttle held it back."""
        with self._lock:
            pending = [s.unsent for s in self._sites if s.unsent is not None]
            for site in self._sites:
                site.unsent = None
            pending = pending[: max(0, self.left)]
            self.left -= len(pending)
        for event in pending:
            self._send(event)
