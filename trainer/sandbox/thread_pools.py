"""Inside the child: TensorFlow's two thread pools stay within the run's task limit.

TensorFlow starts every thread of both pools with its runtime; past the pids limit that start
fails and the process aborts with a C++ stack and no word of why. A snippet asking for more is
told so when it asks, with what it may ask for instead.
"""
from __future__ import annotations

import os
from typing import Any

POOLS = ("intra_op_parallelism_threads", "inter_op_parallelism_threads")


def budget(max_tasks: int) -> int:
    """Threads both pools may have together: half the run's processes and threads, the rest
    being Python's, tf.data's and the snippet's own."""
    return max(2, max_tasks // 2)


def limit(max_tasks: int) -> None:
    """Guard the setters of TensorFlow's context (tf.config.threading's and any other way)."""
    from tensorflow.python.eager import context

    for name in POOLS:
        original = getattr(context.Context, name)
        setattr(context.Context, name, property(original.fget, _checked(name, original.fset,
                                                                       max_tasks)))


def _checked(name: str, fset: Any, max_tasks: int) -> Any:
    def setter(ctx: Any, num_threads: Any) -> None:
        if ctx._context_handle is None:  # started: TensorFlow refuses it itself
            asked = {n: _threads(getattr(ctx, f"_{n}")) for n in POOLS}
            asked[name] = _threads(num_threads)
            if sum(asked.values()) > budget(max_tasks):
                raise ValueError(
                    f"TensorFlow's thread pools would start {asked[POOLS[0]]} + "
                    f"{asked[POOLS[1]]} threads, more than this sandbox allows: a run has at "
                    f"most {max_tasks} processes and threads (RUN_MAX_TASKS), of which the two "
                    f"pools may take {budget(max_tasks)} together. Ask for fewer, e.g. "
                    f"tf.config.threading.set_intra_op_parallelism_threads(2).")
        fset(ctx, num_threads)
    return setter


def _threads(value: Any) -> int:
    """What TensorFlow starts for a pool set to `value`: 0 (or none) means one per CPU."""
    try:
        count = int(value or 0)
    except (TypeError, ValueError):
        return 0  # TensorFlow's own setter says what is wrong with it
    return count if count > 0 else len(os.sched_getaffinity(0))
