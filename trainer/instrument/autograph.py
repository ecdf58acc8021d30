"""Show the code AutoGraph generates for each user function a tf.function converts, once each,
with the snippet line each generated line came from."""

from __future__ import annotations

import inspect
import textwrap
import threading
from typing import Any

import tensorflow as tf

from trainer.instrument.emitter import Emitter
from trainer.instrument.patches import original_function
from trainer.instrument.sources import SourceFile

MAX_CODE_CHARS = 64 * 1024


def origin_lines(converted: Any, first_line: int, count: int,
                 source: SourceFile) -> list[int | None]:
    """For each of `count` generated lines from `first_line` of the converted function's file,
    the snippet line AutoGraph recorded as its origin (its source map), or None."""
    generated = converted.__code__.co_filename
    origins: dict[int, int] = {}
    for location, origin in (getattr(converted, "ag_source_map", None) or {}).items():
        if location.filename == generated and source.is_user(origin.loc.filename):
            origins[location.lineno] = origin.loc.lineno
    return [origins.get(first_line + index) for index in range(count)]


class AutographReporter:
    def __init__(self, sender: Emitter, source: SourceFile) -> None:
        self._sender = sender
        self._source = source
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
        # What tf.autograph.to_code gives, kept with where it starts in the generated file.
        converted = tf.autograph.to_graph(python_function)
        source_lines, first_line = inspect.getsourcelines(converted)
        code = textwrap.dedent("".join(source_lines))
        if len(code) > MAX_CODE_CHARS:
            code = code[:MAX_CODE_CHARS] + "\n# … (truncated)\n"
        event: dict[str, Any] = {"type": "autograph", "function": label, "code": code}
        lines = origin_lines(converted, first_line, len(code.splitlines()), self._source)
        if any(line is not None for line in lines):
            event["lines"] = lines
        self._sender.send(event)
