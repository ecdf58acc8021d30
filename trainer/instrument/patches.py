"""Replace library attributes and put them back; tell library code from the user's code."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from typing import Any

import keras
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))


def _library_roots() -> tuple[str, ...]:
    roots = {HERE + os.sep}
    for module in (tf, keras):
        # No trailing separator: also covers sibling packages (tensorflow_*, keras_*).
        roots.add(os.path.dirname(os.path.abspath(module.__file__ or "")))
    site = os.path.dirname(os.path.dirname(os.path.abspath(tf.__file__ or "")))
    roots.add(os.path.join(site, "tf_keras"))
    return tuple(sorted(roots))


LIBRARY_ROOTS = _library_roots()


def original_function(fn: Any) -> Any:
    """The Python function behind tf.function and AutoGraph wrappers, methods and partials."""
    for _ in range(16):
        if isinstance(fn, functools.partial):
            fn = fn.func
        elif inspect.ismethod(fn):
            fn = fn.__func__
        elif getattr(fn, "__wrapped__", None) is not None:
            fn = fn.__wrapped__
        else:
            decorated = getattr(fn, "_tf_decorator", None)
            target = getattr(decorated, "decorated_target", None)
            if target is None or target is fn:
                return fn
            fn = target
    return fn


def code_file(fn: Any) -> str | None:
    code = getattr(original_function(fn), "__code__", None)
    return None if code is None else code.co_filename


def is_library_code(fn: Any) -> bool:
    """True for functions defined inside TensorFlow, Keras or this package."""
    filename = code_file(fn)
    if filename is None:
        return False
    return os.path.abspath(filename).startswith(LIBRARY_ROOTS)


def hide_from_tracebacks() -> None:
    """Add this package to the paths TensorFlow and Keras strip from the tracebacks they show."""
    for name in ("tensorflow.python.util.traceback_utils", "keras.src.utils.traceback_utils"):
        module = sys.modules.get(name)
        paths = getattr(module, "_EXCLUDED_PATHS", None)
        if isinstance(paths, tuple) and HERE not in paths:
            module._EXCLUDED_PATHS = (*paths, HERE)  # type: ignore[union-attr]


class Patches:
    """Attribute replacements made by one Instrumentation, undone in reverse order."""

    def __init__(self) -> None:
        self._done: list[tuple[Any, str, Any]] = []

    def replace(self, owner: Any, name: str, value: Any) -> Any:
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        self._done.append((owner, name, original))
        setattr(owner, name, value)
        return original

    def undo(self) -> None:
        while self._done:
            owner, name, original = self._done.pop()
            setattr(owner, name, original)
