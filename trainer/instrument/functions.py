"""Time each user tf.function: its traces, its calls, the first call and the steady state, as
`function_stats` events (live once a second while calls happen, and a final one)."""

from __future__ import annotations

import statistics
import threading
import time
import weakref
from collections import deque
from typing import Any

import tensorflow as tf
from tensorflow.python.eager.polymorphic_function import polymorphic_function
from tensorflow.python.util import tf_decorator, traceback_utils

from trainer.instrument.emitter import Emitter
from trainer.instrument.patches import LIBRARY_ROOTS, Patches, code_file, original_function

MAX_FUNCTIONS = 50  # functions reported; calls of later ones are not timed
MAX_TRACE_TIMES = 20  # trace times listed per function (all are counted)
SAMPLES = 512  # the latest steady-state call times kept per function, for the median
LIVE_SECONDS = 1.0
NOT_USER = object()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


class _Stats:
    """One Python function behind one or more tf.function objects."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.traces = 0
        self.trace_seconds: list[float] = []
        self.trace_total = 0.0
        self.calls = 0
        self.first_call: float | None = None
        self.steady: deque[float] = deque(maxlen=SAMPLES)
        self.steady_calls = 0
        self.total = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "function": self.label,
            "traces": self.traces,
            "trace_ms": [_ms(s) for s in self.trace_seconds],
            "trace_total_ms": _ms(self.trace_total),
            "calls": self.calls,
            "first_call_ms": None if self.first_call is None else _ms(self.first_call),
            "median_ms": _ms(statistics.median(self.steady)) if self.steady else None,
            "steady_calls": self.steady_calls,
            "total_ms": _ms(self.total),
        }


def _label(python_function: Any) -> str:
    fn = original_function(python_function)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or "function"
    return str(name).replace("<locals>.", "")


_original_call = polymorphic_function.Function.__call__  # what _timed_call wraps
_active: FunctionTimer | None = None  # the installed timer, which _timed_call reports to


# Made once at import (the zygote's), filtered like the original so that an error raised
# through it shows the same traceback.
@traceback_utils.filter_traceback
def _timed_call(self: Any, *args: Any, **kwargs: Any) -> Any:
    timer = _active
    stats = timer.stats_for(self) if timer is not None else None
    if stats is None:
        return _original_call(self, *args, **kwargs)
    traces = stats.traces
    started = time.perf_counter()
    result = _original_call(self, *args, **kwargs)
    timer.called(stats, time.perf_counter() - started, traced=stats.traces != traces)  # type: ignore[union-attr]
    return result


class FunctionTimer:
    """Wraps tf.function calls; TraceWatcher reports each trace's time here."""

    def __init__(self, sender: Emitter) -> None:
        self._sender = sender
        self._lock = threading.Lock()
        self._by_code: dict[Any, _Stats] = {}
        self._by_function: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        self._last_live = time.monotonic()
        self._omitted = 0

    def install(self, patches: Patches) -> None:
        global _active, _original_call
        current = polymorphic_function.Function.__dict__["__call__"]
        if current is not _timed_call:  # a second install keeps wrapping the true call
            _original_call = current
        _active = self
        patches.replace(polymorphic_function.Function, "__call__", _timed_call)

    def _stats(self, python_function: Any) -> _Stats | None:
        """The stats of a user function (made on first sight), None for library functions."""
        _, target = tf_decorator.unwrap(python_function)
        filename = code_file(target)
        if filename is not None and filename.startswith(LIBRARY_ROOTS):
            return None
        code = getattr(original_function(target), "__code__", None) or target
        with self._lock:
            stats = self._by_code.get(code)
            if stats is None:
                if len(self._by_code) >= MAX_FUNCTIONS:
                    self._omitted += 1
                    return None
                stats = self._by_code[code] = _Stats(_label(target))
        return stats

    def stats_for(self, function: Any) -> _Stats | None:
        """What a call of this tf.function counts toward: only eager calls of user functions
        (a call while another function traces is part of that trace, not a call)."""
        try:
            found = self._by_function.get(function)
            if found is None:
                found = self._stats(function.python_function) or NOT_USER
                self._by_function[function] = found
            if found is NOT_USER or not tf.executing_eagerly():
                return None
            return found  # type: ignore[return-value]
        except Exception as error:  # noqa: BLE001 - never break the user's call
            self._sender.failed("function_stats", error)
            return None

    def traced(self, python_function: Any, seconds: float) -> None:
        try:
            stats = self._stats(python_function)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("function_stats", error)
            return
        if stats is None:
            return
        stats.traces += 1
        stats.trace_total += seconds
        if len(stats.trace_seconds) < MAX_TRACE_TIMES:
            stats.trace_seconds.append(seconds)

    def called(self, stats: _Stats, seconds: float, *, traced: bool) -> None:
        stats.calls += 1
        stats.total += seconds
        if stats.first_call is None:
            stats.first_call = seconds
        elif not traced:
            stats.steady.append(seconds)
            stats.steady_calls += 1
        now = time.monotonic()
        if now - self._last_live >= LIVE_SECONDS:
            self._last_live = now
            self.send(final=False)

    def send(self, *, final: bool) -> None:
        """One `function_stats` event; live ones leave room for the final one."""
        try:
            with self._lock:
                if not self._by_code:
                    return
                functions = [stats.as_dict() for stats in self._by_code.values()]
                omitted = self._omitted
            if not final and self._sender.remaining("function_stats") <= 1:
                return
            event: dict[str, Any] = {"type": "function_stats", "functions": functions,
                                     "final": final}
            if omitted:
                event["note"] = (f"Only the first {MAX_FUNCTIONS} tf.functions are timed; "
                                 f"calls of later ones are not counted.")
            self._sender.send(event)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("function_stats", error)
