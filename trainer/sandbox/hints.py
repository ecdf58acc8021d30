"""Inside the child: what an error adds when the sandbox's TensorFlow refused a snippet's device
set-up, and what to do about it (contract.spares says which runs get a TensorFlow not started)."""
from __future__ import annotations

from contract.spares import COLD

# TensorFlow's words when its runtime has started and a set-up function comes too late.
TOO_LATE = ("cannot be modified after being initialized", "cannot be modified after initialization")

WARM_HINT = (
    "The sandbox had started TensorFlow before this snippet, because the snippet names none "
    "of tf.config's set-up functions (set_logical_device_configuration, set_visible_devices, "
    "experimental.set_memory_growth, threading.set_inter_op_parallelism_threads, ...). "
    "Call them by those names, before any other TensorFlow code, and the run gets a "
    "TensorFlow that has not started yet."
)
COLD_HINT = (
    "TensorFlow takes this set-up only before it starts, at its first operation or the first "
    "listing of logical devices (plain TensorFlow too): move the call above those."
)


def device_setup_hint(exc: BaseException, spare: str) -> str:
    """The sentence to add to `exc`'s message, or "" when it is not a set-up that came late."""
    if not isinstance(exc, RuntimeError) or not any(t in str(exc) for t in TOO_LATE):
        return ""
    return COLD_HINT if spare == COLD else WARM_HINT
