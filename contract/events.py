"""Run events: their types and fields, who may write each, the statuses a run goes through.

Every event has `seq`, `type` and `t`, written by the supervisor. A child event is data: only the
fields declared for its type are kept, so it can never set `seq`, `type` or `t`, nor anything the
contract does not know.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

# A run's status before it ends, and the statuses that end it (the `done` event's `status`).
LIVE_STATUSES = ("queued", "running")
TERMINAL_STATUSES = ("succeeded", "failed", "timeout", "cancelled", "oom", "killed",
                     "worker-lost")
RUN_STATUSES = (*LIVE_STATUSES, *TERMINAL_STATUSES)

# Fields every event carries, set by whoever writes the stream entry.
ENVELOPE = ("seq", "type", "t")

# Event types only the supervisor (or, for `done` of a lost run, the heartbeat watcher) writes:
# a child can never forge them.
SUPERVISOR_EVENTS: dict[str, tuple[str, ...]] = {
    "status": ("status", "host", "device", "runtime", "started_at"),
    "stdout": ("text",),
    "stderr": ("text",),
    "truncated": ("stream", "dropped_bytes"),
    "resources": ("rss_mb", "cpu_s", "gpu_mem_mb", "gpu_util"),  # gpu_*: NVML, where present
    "done": ("status", "duration_ms", "exit_code", "peak_mb", "cpu_s"),
    # A `compare_eager` run's passes: the first one's end, then the eager one's start and end.
    "pass": ("pass", "status", "duration_ms", "exit_code", "peak_mb", "cpu_s"),
}

# A run with `compare_eager` runs its snippet twice. Every event of the second pass (run with
# `tf.config.run_functions_eagerly(True)`) carries `pass: "eager"`, which the supervisor sets:
# a child's own field of that name is dropped like any field its type does not declare.
PASS_FIELD = "pass"  # noqa: S105 - a pass of a run, not a password
PASSES = ("graph", "eager")
EAGER_PASS = "eager"  # noqa: S105
# What an `image` event may carry: PNG only, as base64.
IMAGE_TYPES = ("image/png",)

Types = type | tuple[type, ...]
OPTIONAL: Types = object


class ChildEvent:
    """The fields of one event type a child may send: each required one with its type, and the
    optional ones (any JSON value)."""

    def __init__(self, required: dict[str, Types], optional: tuple[str, ...] = ()) -> None:
        self.required = required
        self.optional = optional

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


CHILD_EVENTS: dict[str, ChildEvent] = {
    "error": ChildEvent({"exc_type": str, "message": str, "traceback": list}, ("line",)),
    "graph": ChildEvent({"function": str, "nodes": list, "edges": list},
                        ("functions", "concrete", "collapsed", "omitted", "note", "count")),
    "trace": ChildEvent({"function": str, "count": int},
                        ("signature", "inputs", "reason", "changes", "note")),
    "autograph": ChildEvent({"function": str, "code": str}, ("lines",)),
    "model": ChildEvent({"name": str, "layers": list},
                        ("class", "kind", "total_params", "trainable_params",
                         "non_trainable_params", "note")),
    "metrics": ChildEvent({"phase": str, "logs": dict}, ("scope", "epoch", "step", "batch")),
    # Per tf.function: traces and their times, calls, first and steady-state call times.
    "function_stats": ChildEvent({"functions": list}, ("final", "note")),
    # A matplotlib figure (plt.show(), still open at the end) or a plot_model diagram.
    "image": ChildEvent({"mime": str, "data": str},
                        ("width", "height", "line", "source", "label", "note")),
    # A tf.data pipeline the snippet iterated (a loop, next(), fit, evaluate, predict, a
    # distributed dataset): its stages from the source on, each with its arguments and the
    # element_spec after it.
    "dataset": ChildEvent({"id": int, "stages": list}, ("consumer", "line", "note")),
    # The first elements that iteration gave, or a few source samples through the pipeline's
    # pure stages where the iteration ran inside a compiled step (`source`: iterated | sampled).
    "dataset_preview": ChildEvent({"id": int, "elements": list}, ("source", "batched", "note")),
    # The throughput of one iteration, measured on the iterator the snippet used.
    "dataset_stats": ChildEvent({"id": int, "elements": int},
                                ("iteration", "consumer", "examples", "seconds", "per_second",
                                 "examples_per_second", "ms_per_element", "wait_ms", "first_ms",
                                 "final")),
    # Before/after samples of an image augmentation: a Keras preprocessing layer called on
    # images, or a dataset's map over images.
    "augment": ChildEvent({"function": str, "samples": list},
                          ("kind", "dataset", "line", "note")),
    # A tf.distribute strategy: its replicas and their devices; `fallback` says what the snippet
    # asked for (a TPU) and why it did not get it.
    "replicas": ChildEvent({"strategy": str, "replicas": list},
                           ("line", "cross_device", "fallback", "note")),
    # One step's per-replica values: strategy.run's results and batch sizes, the gradients'
    # norms before and after their all-reduce, or a strategy.reduce.
    "replica_step": ChildEvent({"kind": str, "replicas": list},
                               ("step", "function", "line", "reduce_op", "reduced",
                                "global_batch", "note")),
    # The instrumentation's own failure, once per site: shown to nobody, kept for debugging.
    "instrument_error": ChildEvent({"message": str}),
}

EVENT_TYPES = (*SUPERVISOR_EVENTS, *CHILD_EVENTS)
MAX_DEPTH = 32


def encode_event(seq: int, kind: str, t: int, fields: dict[str, Any]) -> str:
    """An event as its stream entry holds it: the envelope first, then `fields`, which can
    never override it. Readers may relay the text as it is (see `is_done`)."""
    event: dict[str, Any] = {"seq": seq, "type": kind, "t": t}
    event.update((k, v) for k, v in fields.items() if k not in ENVELOPE)
    return json.dumps(event, separators=(",", ":"), allow_nan=False)


_DONE_PREFIX = re.compile(rb'^\{"seq":\d+,"type":"done",')


def is_done(entry: bytes) -> bool:
    """Whether an entry written by `encode_event` is a `done`, without parsing it."""
    return _DONE_PREFIX.match(entry) is not None


_SURROGATE = re.compile("[\ud800-\udfff]")


def text_safe(text: str) -> str:
    """NUL and lone surrogates become U+FFFD: PostgreSQL cannot store NUL, UTF-8 cannot encode a
    lone surrogate, and no terminal shows either."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if _SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def json_safe(value: Any, describe: Callable[[Any], str] = str, depth: int = 0) -> Any:
    """A JSON-safe, storable copy: non-finite floats become None, NUL U+FFFD, NumPy scalars
    their value, other objects `describe(obj)`, anything nested deeper than MAX_DEPTH None."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        return text_safe(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {text_safe(str(k)): json_safe(v, describe, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, describe, depth + 1) for v in value]
    item = getattr(value, "item", None)  # NumPy scalars, without importing NumPy
    if callable(item) and type(value).__module__ == "numpy":
        try:
            return json_safe(item(), describe, depth + 1)
        except (TypeError, ValueError):
            pass
    return text_safe(describe(value))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_child_line(line: bytes) -> dict[str, Any] | None:
    """One line of the child's event pipe as a checked event (without `seq` and `t`), or None
    when it is not valid JSON or not a well-formed child event."""
    try:
        event = json.loads(line, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    return check_child_event(event)


def check_child_event(event: Any) -> dict[str, Any] | None:
    """The event's declared fields, made JSON-safe, if it is a well-formed child event; else
    None. `type` comes first; unknown fields, `seq` and `t` are dropped."""
    if not isinstance(event, dict):
        return None
    kind = event.get("type")
    spec = CHILD_EVENTS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        return None
    for name, expected in spec.required.items():
        value = event.get(name)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return None
    clean: dict[str, Any] = {"type": kind}
    for name in spec.fields:
        if name in event:
            clean[name] = json_safe(event[name])
    if kind == "image" and not _is_image(clean):
        return None
    if kind == "error":
        clean["traceback"] = [_frame(f) for f in clean["traceback"] if isinstance(f, dict)]
        if not isinstance(clean.get("line"), int) or isinstance(clean.get("line"), bool):
            clean["line"] = None
    return clean


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _is_image(event: dict[str, Any]) -> bool:
    """An image the page can decode: a known type and base64 data, nothing else."""
    return event["mime"] in IMAGE_TYPES and _BASE64.fullmatch(event["data"]) is not None


def _frame(frame: dict[str, Any]) -> dict[str, Any]:
    """One frame of an error's traceback, as every reader expects it."""
    line = frame.get("line")
    return {"line": line if isinstance(line, int) and not isinstance(line, bool) else None,
            "name": str(frame.get("name", "")), "text": str(frame.get("text", ""))}
