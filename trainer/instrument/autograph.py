"""Show the code AutoGraph generates for each user function a tf.function converts, once each."""

from __future__ import annotations

import threading
from typing import Any

import tensorflow as tf

from trainer.instrument.emitter import Emitter
from trainer.instrument.patches import original_function

MAX_CODE_CHARS = 64 * 1024


class AutographReporter:
    def __init__(self, sender: Emitter) -> None:
        self._sender = sender
        self._done: set[Any] = set()
        self._lock = threading.Lock()

    def report(self, label: str, python_function: Any) -> None:
        """Emit `autograph` for python_function unless its code was already shown."""
        code_object = getattr(original_function(python_function), "__code__", None)
        key = code_object if code_object is not None else id(python_function)
        with self._lock:
            if key in self._done or not self._sender.room("autograph"):
                return
            self._done.add(key)
        code = tf.autograph.to_code(python_function)
        if len(code) > MAX_CODE_CHARS:
            code = code[:MAX_CODE_CHARS] + "\n# … (truncated)\n"
        self._sender.send({"type": "autograph", "function": label, "code": code})
