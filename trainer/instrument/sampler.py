"""A few elements through a pipeline without iterating it: the source's first rows, then each
stage's traced function called on them, its variables (random seeds) put back afterwards.

Only pipelines that start from arrays (from_tensor_slices, from_tensors, range) and whose
functions have no Python side effects (py_function) can be sampled; shuffling, caching,
prefetching and repeating leave elements as they are, so they are passed through.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import config_pb2
from tensorflow.python.data.util import structure
from tensorflow.python.eager import context
from tensorflow.python.util import nest

from trainer.instrument.pipeline import Call, traced_function

ROWS_MAX = 256  # source rows one sample may take (a batch with a fixed size needs it whole)
VARIABLE_BYTES_MAX = 1 << 20
PYTHON_OPS = {"PyFunc", "PyFuncStateless", "EagerPyFunc"}
PASS_THROUGH = {"shuffle", "prefetch", "cache", "repeat", "with_options", "take", "shard",
                "ignore_errors", "snapshot"}


class CannotSample(Exception):
    """This pipeline cannot be sampled without iterating it."""


def _source_rows(dataset: Any, op: str, count: int) -> list[Any]:
    spec = dataset.element_spec
    if op == "from_tensor_slices":
        tensors = dataset.__dict__.get("_tensors")
        if not tensors:
            raise CannotSample
        heads = _heads(tensors, count)
        size = min(len(h) for h in heads)
        return [structure.from_compatible_tensor_list(spec, [h[i] for h in heads])
                for i in range(size)]
    if op == "from_tensors":
        tensors = dataset.__dict__.get("_tensors")
        if not tensors:
            raise CannotSample
        return [structure.from_compatible_tensor_list(spec, list(tensors))]
    raise CannotSample


def _plain(tensors: Any) -> bool:
    """Eager dense tensors that NumPy can hold (not variants: ragged and sparse components)."""
    return all(isinstance(t, tf.__internal__.EagerTensor)
               and t.dtype not in (tf.variant, tf.resource) for t in tensors)


def _heads(tensors: list[Any], count: int) -> list[Any]:
    """Each component's first `count` rows. Plain arrays are sliced in NumPy (without a copy):
    a TF slice runs an op, and each kind of op costs milliseconds on its first use."""
    if _plain(tensors):
        return [[tf.constant(row) for row in np.asarray(t)[:count]] for t in tensors]
    heads = [t[:count] for t in tensors]
    return [[h[i] for i in range(int(h.shape[0]))] for h in heads]


def _stack(*rows: Any) -> Any:
    if _plain(rows):
        return tf.constant(np.stack([np.asarray(r) for r in rows]))
    return tf.stack(rows)


def _python_free(concrete: Any) -> bool:
    graph = concrete.graph
    if any(op.type in PYTHON_OPS for op in graph.get_operations()):
        return False
    library = graph.as_graph_def().library
    return not any(node.op in PYTHON_OPS for f in library.function for node in f.node_def)


@contextlib.contextmanager
def _unoptimized_calls() -> Iterator[None]:
    """Functions first called in here are not rewritten by Grappler (this thread only).

    A sample calls each stage's function once, while tf.data runs its own copy: Grappler's
    passes would take about as long as the call itself (an augmentation's first call ~80 ms of
    CPU with them, ~50 without) for no later call to gain from. The results are the same."""
    ctx = context.context()
    before = ctx.function_call_options
    config = config_pb2.ConfigProto.FromString(before.config_proto_serialized)
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    ctx.function_call_options = context.FunctionCallOptions(
        executor_type=before.executor_type, config_proto=config)
    try:
        yield
    finally:
        ctx.function_call_options = before


def call_restoring(concrete: Any, args: list[Any]) -> Any:
    """Call a traced function with its variables (a Keras layer's seed state) put back after,
    so the pipeline's own calls see the values they would have seen."""
    variables = list(concrete.graph.variables)
    if sum(int(np.prod(v.shape)) * v.dtype.size for v in variables) > VARIABLE_BYTES_MAX:
        raise CannotSample
    saved = [v.read_value() for v in variables]
    try:
        with _unoptimized_calls():
            return concrete(*args)
    finally:
        for variable, value in zip(variables, saved, strict=True):
            variable.assign(value)


def _apply(dataset: Any, input_spec: Any, rows: list[Any]) -> list[Any]:
    concrete = traced_function(dataset)
    if concrete is None or not _python_free(concrete):
        raise CannotSample
    out = []
    for row in rows:
        result = call_restoring(concrete, structure.to_tensor_list(input_spec, row))
        out.append(structure.from_compatible_tensor_list(dataset.element_spec, result))
    return out


def _keep(dataset: Any, input_spec: Any, rows: list[Any]) -> list[Any]:
    concrete = traced_function(dataset)
    if concrete is None or not _python_free(concrete):
        raise CannotSample
    kept = []
    for row in rows:
        verdict = call_restoring(concrete, structure.to_tensor_list(input_spec, row))
        flag = verdict[0] if isinstance(verdict, (list, tuple)) else verdict
        if bool(flag.numpy()):
            kept.append(row)
    return kept


def _batch(rows: list[Any], size: int | None, exact: bool) -> list[Any]:
    if not rows or (exact and (size is None or len(rows) < size)):
        raise CannotSample
    take = rows[: size] if size else rows
    return [nest.map_structure(_stack, *take)]


def need(datasets: list[tuple[Any, Call | None]], rows: int) -> int:
    """Source rows it takes to give `rows` rows at the end (a fixed-size batch takes whole)."""
    wanted = rows
    for _dataset, call in reversed(datasets):
        if call is None:
            continue
        if call.method == "batch" and call.args.get("drop_remainder") is True:
            size = call.args.get("batch_size")
            wanted = size if isinstance(size, int) else wanted
        elif call.method == "skip" and isinstance(call.args.get("count"), int):
            wanted += max(0, call.args["count"])
    if wanted > ROWS_MAX:
        raise CannotSample
    return wanted


def sample(datasets: list[tuple[Any, Call | None]], rows: int) -> list[list[Any]]:
    """The elements after each stage of the chain (first to last), for a handful of source
    rows; raises CannotSample when a stage cannot be followed without iterating."""
    if not datasets or datasets[0][1] is None:
        raise CannotSample
    first, call = datasets[0]
    current = _source_rows(first, call.method, need(datasets, rows))  # type: ignore[union-attr]
    stages = [current]
    spec = first.element_spec
    for dataset, call in datasets[1:]:
        if call is None:
            raise CannotSample
        method = call.method
        if method == "map":
            current = _apply(dataset, spec, current)
        elif method == "filter":
            current = _keep(dataset, spec, current)
        elif method == "batch":
            size = call.args.get("batch_size")
            exact = call.args.get("drop_remainder") is True
            current = _batch(current, size if isinstance(size, int) else None, exact)
        elif method == "unbatch":
            current = [r for element in current for r in _unbatch(element)]
        elif method == "skip" and isinstance(call.args.get("count"), int):
            current = current[max(0, call.args["count"]):]
        elif method not in PASS_THROUGH:
            raise CannotSample
        spec = dataset.element_spec
        stages.append(current)
    return stages


def _unbatch(element: Any) -> list[Any]:
    leaves = nest.flatten(element)
    size = int(leaves[0].shape[0]) if leaves and len(leaves[0].shape) else 0
    if _plain(leaves):
        rows = list(zip(*_heads(leaves, size), strict=True))
        return [nest.pack_sequence_as(element, list(row)) for row in rows]
    return [nest.map_structure(lambda x, i=i: x[i], element) for i in range(size)]
