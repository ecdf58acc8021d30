"""Which kind of spare a run takes: a warm one (TensorFlow started), unless its source sets up
what TensorFlow reads only once, before its runtime starts; then a cold one, where it has not.

The choice is read from the source before the run, by name: a call in a comment or a string
does not count, and one reached another way (`getattr`, `exec`) is not seen. Such a run gets a
warm spare, where TensorFlow refuses the set-up; the sandbox's error then says what to do.
"""
from __future__ import annotations

import ast

WARM, COLD = "warm", "cold"
SPARE_KINDS = (WARM, COLD)

# tf.config's set-up that TensorFlow takes only before its runtime starts (its first op, or a
# listing of logical devices), by the names a snippet reaches them with.
DEVICE_SETUP = (
    "set_logical_device_configuration",  # tf.config
    "set_virtual_device_configuration",  # tf.config.experimental
    "set_visible_devices",  # tf.config (and tf.config.experimental)
    "set_memory_growth",  # tf.config.experimental
    "set_inter_op_parallelism_threads",  # tf.config.threading
    "set_intra_op_parallelism_threads",  # tf.config.threading
)
COLD_REASON = "the snippet configures devices"


def spare_for(code: str) -> tuple[str, str]:
    """(kind, reason): `cold` and why when `code` sets devices up by name, else (`warm`, "")."""
    if not any(name in code for name in DEVICE_SETUP):  # the common case costs no parse
        return WARM, ""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return WARM, ""  # the run fails the same way in either
    found = _first_setup(tree)
    if found is None:
        return WARM, ""
    name, line = found
    return COLD, f"{COLD_REASON} ({name}, line {line})"


def _first_setup(tree: ast.AST) -> tuple[str, int] | None:
    """The first set-up function the source names, and its line."""
    hits: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in DEVICE_SETUP:
            hits.append((node.lineno, node.attr))
        elif isinstance(node, ast.Name) and node.id in DEVICE_SETUP:
            hits.append((node.lineno, node.id))
        elif isinstance(node, ast.ImportFrom):
            hits += [(node.lineno, a.name) for a in node.names if a.name in DEVICE_SETUP]
    if not hits:
        return None
    line, name = min(hits)
    return name, line
