"""A tf.data pipeline as a chain of stages: what each transformation was called with (recorded
where the snippet called it), the dataset it made and the element_spec after it."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

import tensorflow as tf

from trainer.instrument.elements import spec_leaves, spec_text
from trainer.instrument.patches import original_function
from trainer.instrument.values import finite, short, short_repr

AUTOTUNE = -1
STAGES_MAX = 40
ARGS_MAX = 8

# Dataset methods recorded, and the stage kind each makes (static ones make a source).
SOURCES = ("from_tensor_slices", "from_tensors", "range", "from_generator", "zip",
           "list_files", "sample_from_datasets", "choose_from_datasets", "random", "counter",
           "load")
TRANSFORMS = ("map", "filter", "shuffle", "batch", "padded_batch", "ragged_batch", "rebatch",
              "unbatch", "cache", "prefetch", "interleave", "flat_map", "take", "skip",
              "repeat", "shard", "enumerate", "with_options", "concatenate", "take_while",
              "window", "scan", "group_by_window", "unique", "ignore_errors", "snapshot")
# Arguments that hold the function a stage runs, by method.
FUNCTION_ARGS = {"map": "map_func", "filter": "predicate", "interleave": "map_func",
                 "flat_map": "map_func", "take_while": "predicate", "scan": "scan_func"}
# The attribute of a dataset that holds its traced function (a StructuredFunctionWrapper).
FUNCTION_ATTRS = ("_map_func", "_predicate", "_scan_func")
SKIPPED_ARGS = {"self", "name", "options", "map_func", "predicate", "scan_func",
                "transformation_func"}

# Datasets made without a recorded call (by TensorFlow, Keras, or a constructor such as
# TFRecordDataset): their kind from the class name, their arguments from these attributes.
CLASS_KINDS = {
    "TensorSlice": "from_tensor_slices", "Tensor": "from_tensors", "Range": "range",
    "Map": "map", "ParallelMap": "map", "Filter": "filter", "Shuffle": "shuffle",
    "Batch": "batch", "ParallelBatch": "batch", "PaddedBatch": "padded_batch",
    "Cache": "cache", "Prefetch": "prefetch", "Interleave": "interleave",
    "ParallelInterleave": "interleave", "FlatMap": "flat_map", "Take": "take", "Skip": "skip",
    "Repeat": "repeat", "Shard": "shard", "Unbatch": "unbatch", "Options": "with_options",
    "Concatenate": "concatenate", "Zip": "zip", "Rebatch": "rebatch", "Window": "window",
    "Generator": "from_generator", "FlatMapDataset": "flat_map",
}
CLASS_ARGS = ("_batch_size", "_drop_remainder", "_buffer_size", "_num_parallel_calls",
              "_count", "_cycle_length", "_block_length", "_deterministic", "_seed",
              "_reshuffle_each_iteration", "_filename")


@dataclass
class Call:
    """A transformation as the snippet called it."""

    method: str
    parent: Any  # weak reference to the dataset it was called on, or None for a source
    args: dict[str, Any]
    line: int | None
    function: str | None = None  # label of the graph event of its traced function
    extra_inputs: int = 0


@dataclass
class Registry:
    """Every dataset made by a recorded call, weakly: a dataset dropped is forgotten."""

    calls: weakref.WeakKeyDictionary[Any, Call] = field(
        default_factory=weakref.WeakKeyDictionary)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, dataset: Any, call: Call) -> None:
        with self.lock:
            self.calls[dataset] = call

    def get(self, dataset: Any) -> Call | None:
        try:
            return self.calls.get(dataset)
        except TypeError:  # not weakly referenceable
            return None


def static_value(value: Any) -> Any:
    """A Python value for an argument: constant tensors by value, AUTOTUNE by name, functions
    by name, datasets and large things by a short description."""
    if isinstance(value, tf.data.Dataset):
        return "dataset"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return short(value) if isinstance(value, str) else value
    if isinstance(value, int):
        return "AUTOTUNE" if value == AUTOTUNE else value
    if isinstance(value, float):
        return finite(value)
    if callable(value) and not hasattr(value, "dtype"):
        return function_name(value)
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        try:
            constant = tf.get_static_value(value)
        except Exception:  # noqa: BLE001 - a tensor of unusual kind
            constant = None
        if constant is not None and getattr(constant, "ndim", 1) == 0:
            return static_value(constant.item())
        return f"{getattr(value.dtype, 'name', value.dtype)}{list(value.shape)}"
    return short_repr(value, 60)


def function_name(fn: Any) -> str:
    fn = original_function(fn)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    if name is None:
        name = type(fn).__name__
    return str(name).replace("<locals>.", "")


def call_args(method: str, bound: dict[str, Any]) -> dict[str, Any]:
    """The arguments worth showing: no functions (shown as the stage's function), no name."""
    shown: dict[str, Any] = {}
    for key, value in bound.items():
        if key in SKIPPED_ARGS or len(shown) >= ARGS_MAX:
            continue
        if method in ("from_tensor_slices", "from_tensors") and key == "tensors":
            shown["tensors"] = short(structure_text(value), 200)
        elif method == "range" and key == "args" and isinstance(value, (list, tuple)):
            shown["range"] = ", ".join(str(static_value(v)) for v in value)
        elif key in ("datasets", "args") and isinstance(value, (list, tuple)):
            shown[key] = f"{len(value)} inputs" if key == "datasets" else len(value)
        elif key == "generator":
            shown[key] = function_name(value)
        elif value is not None or key in ("count",):
            shown[key] = static_value(value)
    return shown


def structure_text(value: Any) -> str:
    """Arrays handed to from_tensor_slices, as their shapes: `(uint8[60000,28,28], int64[60])`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {structure_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)) and not hasattr(value, "shape"):
        return "(" + ", ".join(structure_text(v) for v in value) + ")"
    dtype = getattr(value, "dtype", None)
    shape = getattr(value, "shape", None)
    if dtype is None or shape is None:
        return type(value).__name__
    name = getattr(dtype, "name", str(dtype))
    return f"{name}{list(shape)}".replace(" ", "")


def _class_kind(dataset: Any) -> str:
    name = type(dataset).__name__.strip("_")
    for suffix in ("DatasetV2", "DatasetV1", "Dataset"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return CLASS_KINDS.get(name, name or "dataset")


def _class_args(dataset: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for attr in CLASS_ARGS:
        value = dataset.__dict__.get(attr)
        if value is not None:
            found[attr.strip("_")] = static_value(value)
    return found


def _inputs(dataset: Any) -> list[Any]:
    try:
        return list(dataset._inputs())  # noqa: SLF001 - the only way to walk a pipeline
    except Exception:  # noqa: BLE001
        return []


def _stage(dataset: Any, call: Call | None) -> dict[str, Any]:
    spec = dataset.element_spec
    stage: dict[str, Any]
    if call is not None:
        kind = call.method
        stage = {"kind": "source" if kind in SOURCES else kind, "op": kind,
                 "args": dict(call.args)}
        if call.line is not None:
            stage["line"] = call.line
        if call.function is not None:
            stage["function"] = call.function
    else:
        kind = _class_kind(dataset)
        stage = {"kind": "source" if kind in SOURCES or not _inputs(dataset) else kind,
                 "op": kind, "args": _class_args(dataset)}
    stage["spec"] = spec_leaves(spec)
    stage["spec_text"] = spec_text(spec)
    return stage


def chain(dataset: Any, registry: Registry) -> list[tuple[Any, Call | None]]:
    """The datasets from the source to `dataset`, first to last, each with its recorded call.
    A recorded call's dataset leads to the dataset it was called on; any other to its first
    input."""
    found: list[tuple[Any, Call | None]] = []
    current: Any = dataset
    seen: set[int] = set()
    while current is not None and id(current) not in seen and len(found) < STAGES_MAX:
        seen.add(id(current))
        call = registry.get(current)
        found.append((current, call))
        if call is not None:
            current = None if call.method in SOURCES or call.parent is None else call.parent()
        else:
            inputs = _inputs(current)
            current = inputs[0] if inputs else None
    found.reverse()
    return found


def describe(datasets: list[tuple[Any, Call | None]]) -> list[dict[str, Any]]:
    """The stages of a chain; inputs beyond the first (zip, concatenate) are counted in the
    stage's arguments."""
    stages = []
    for dataset, call in datasets:
        stage = _stage(dataset, call)
        if call is None and len(_inputs(dataset)) > 1:
            stage["args"]["inputs"] = len(_inputs(dataset))
        stages.append(stage)
    if len(datasets) >= STAGES_MAX:
        stages[0]["note"] = f"the first stages are not shown (over {STAGES_MAX})"
    return stages


def batch_size(stages: list[dict[str, Any]]) -> int | None:
    """The size of the batches the last stage gives, where the pipeline fixes it."""
    size: int | None = None
    for stage in stages:
        op = stage.get("op")
        if op in ("batch", "padded_batch", "ragged_batch", "rebatch"):
            value = stage["args"].get("batch_size")
            size = value if isinstance(value, int) and not isinstance(value, bool) else None
        elif op == "unbatch":
            size = None
    return size


def traced_function(dataset: Any) -> Any:
    """The ConcreteFunction a map, filter or interleave dataset runs per element, if any."""
    for attr in FUNCTION_ATTRS:
        wrapper = dataset.__dict__.get(attr)
        concrete = getattr(wrapper, "function", None)
        if concrete is not None and hasattr(concrete, "graph"):
            return concrete
    return None
