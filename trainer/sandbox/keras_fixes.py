"""Keras' first `fit`, `evaluate` or `predict` without its second trace, prepared in the zygote.

Without a distribution strategy, Keras (3.x, TensorFlow backend) defers building the optimizer's
and the metrics' variables to the first trace of its train function. TensorFlow then wraps each
variable created inside that trace in a conditional initializer, and traces the whole function a
second time without them: the two traces and the initializers were about 40% of the CPU of the
first-steps tour's first epoch (bench/first_calls.py). Under a strategy Keras builds everything
before the first trace instead (`_symbolic_build`, on symbolic inputs). The sandbox takes that
path for every model, with symbolic inputs made from the dataset's element spec, so no batch is
drawn that the loop would then miss. Whatever the early build cannot do is left to the trace, as
Keras leaves it: an error is raised there, as in a plain `python` run.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

ORIGINAL = "__tfpg_original__"


def install() -> bool:
    """Build models, metrics and optimizers before the first trace. No TF op runs here: safe in
    the zygote. Returns whether it was installed now (False when it already was, or when this
    Keras has no such method)."""
    try:
        from keras.src.backend.tensorflow.trainer import TensorFlowTrainer
    except ImportError:
        return False
    current = getattr(TensorFlowTrainer, "_maybe_symbolic_build", None)
    if current is None or hasattr(current, ORIGINAL):
        return False
    TensorFlowTrainer._maybe_symbolic_build = building_before_the_trace(current)  # noqa: SLF001
    return True


def building_before_the_trace(original: Callable[..., None]) -> Callable[..., None]:
    """`original`, which returns at once without a strategy, made to build from the input's spec.

    `data_batch` (given by `train_on_batch` and its kin) is only read for its shapes and dtypes.
    The epoch iterator's dataset gives an element spec without being iterated: a generator's next
    batch, or a seeded shuffle's order, stay what they would have been.
    """

    @functools.wraps(original)
    def maybe_symbolic_build(self: Any, iterator: Any = None, data_batch: Any = None) -> None:
        if self._distribute_strategy is not None:  # noqa: SLF001
            original(self, iterator=iterator, data_batch=data_batch)
            return
        if data_batch is None:
            data_batch = getattr(getattr(iterator, "_distributed_dataset", None),
                                 "element_spec", None)
        if data_batch is None or not dense_leaves(data_batch):
            return
        try:
            self._symbolic_build(data_batch=data_batch)  # noqa: SLF001
        except Exception:  # noqa: BLE001, S110 - the trace builds what is left and raises there
            pass

    setattr(maybe_symbolic_build, ORIGINAL, original)
    return maybe_symbolic_build


def dense_leaves(structure: Any) -> bool:
    """Whether every leaf is a dense tensor, array or spec (or None): a symbolic input keeps only
    a shape and a dtype, which would build a layer meant for a sparse or ragged input wrongly."""
    import numpy as np
    import tensorflow as tf

    dense = (type(None), np.ndarray, tf.TensorSpec, tf.Tensor)  # sparse and ragged are neither
    return all(isinstance(leaf, dense) for leaf in tf.nest.flatten(structure))
