"""What finding each op's snippet line costs, per op, for a graph Keras layers made.

A graph event carries the line of the learner's snippet that made each op (sources.op_line).
With the snippet's file named, as in the sandbox, only the frames TensorFlow's own filter keeps
are read (`get_user_frames()`); the baseline reads every frame from the innermost, as an
unnamed source must. Both over the same ops in the same process, best of `--repeats`.

    .venv/bin/python bench/op_lines.py [--repeats 7]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _augmenting_ops() -> list[Any]:
    """The ops a tf.function calling a Keras augmentation model traces (in this file)."""
    import keras
    import tensorflow as tf

    augment = keras.Sequential([keras.layers.RandomFlip("horizontal"),
                                keras.layers.RandomRotation(0.1)])

    @tf.function
    def step(x: Any) -> Any:
        return augment(x, training=True)

    return list(step.get_concrete_function(tf.TensorSpec([None, 28, 28, 1])).graph
                .get_operations())


def _per_op_us(source: Any, ops: list[Any], repeats: int) -> tuple[float, list[int | None]]:
    best, lines = float("inf"), []
    for _ in range(repeats):
        start = time.perf_counter()
        lines = [source.op_line(op) for op in ops]
        best = min(best, time.perf_counter() - start)
    return best * 1e6 / len(ops), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    from trainer.instrument import sources

    ops = _augmenting_ops()
    named = sources.SourceFile(__file__)
    filtered_us, filtered = _per_op_us(named, ops, args.repeats)
    every_us, every = _per_op_us(sources.SourceFile(), ops, args.repeats)
    if filtered != every:
        sys.exit("the two ways found different lines")
    found = sum(line is not None for line in filtered)
    print(f"{len(ops)} ops, {found} with a line of this file")
    print(f"  named file, frames TensorFlow keeps: {filtered_us:7.1f} us per op")
    print(f"  every frame (baseline):              {every_us:7.1f} us per op")
    print(f"  ratio baseline / named:              {every_us / filtered_us:7.2f}x")


if __name__ == "__main__":
    main()
