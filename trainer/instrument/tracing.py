"""Hook tf.function tracing: a `trace` event per trace, then its AutoGraph code and its graph."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from tensorflow.python.eager.polymorphic_function import tracing_compilation
from tensorflow.python.util import tf_decorator

from trainer.instrument import collapse, graphs, signatures
from trainer.instrument.autograph import AutographReporter
from trainer.instrument.emitter import Emitter
from trainer.instrument.keras_hooks import KERAS_DIR
from trainer.instrument.patches import LIBRARY_ROOTS, Patches, code_file, original_function
from trainer.instrument.sources import SourceFile

KERAS_FUNCTIONS = {"train": "train_function", "eval": "test_function",
                   "predict": "predict_function"}
# Graph events may add up to this many times the per-graph cap over a run.
GRAPH_BUDGET_FACTOR = 4

SAME_SIGNATURE_VARIABLES = (
    "same signature traced again: the first trace created variables, so TensorFlow traces "
    "a second version that must not create them")
SAME_SIGNATURE = "same signature traced again (a new tracing context or captured value)"


def _text(name: Any) -> str:
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)


def _label(fn: Any, fallback: str) -> str:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or fallback
    return str(name).replace("<locals>.", "")


class _Trace:
    """What one trace needs between its start and its end."""

    def __init__(self, label: str, python_function: Any, *, autograph: bool, user: bool) -> None:
        self.label = label
        self.python_function = python_function
        self.autograph = autograph
        self.user = user
        self.count: int | None = None


class TraceWatcher:
    """Remembers every trace of every tf.function, to count retraces and say what changed."""

    def __init__(self, sender: Emitter, *, graph_max_bytes: int, keras_graphs: bool,
                 keras_phase: Callable[[], str | None], source: SourceFile | None = None,
                 on_trace: Callable[[Any, float], None] | None = None) -> None:
        self._sender = sender
        self._source = source or SourceFile()
        self._on_trace = on_trace
        self._graph_max_bytes = graph_max_bytes
        self._graph_bytes_left = graph_max_bytes * GRAPH_BUDGET_FACTOR
        self._keras_graphs = keras_graphs
        self._keras_phase = keras_phase
        self._autograph = AutographReporter(sender, self._source)
        self._lock = threading.Lock()
        # Keyed by id(function cache); the cache is kept so its id is never reused.
        self._history: dict[int, tuple[Any, list[Any], list[Any]]] = {}
        self._by_code: Counter[Any] = Counter()
        self._graphs_stopped = False
        self._reporting = threading.local()  # seconds this thread spent reporting traces

    def install(self, patches: Patches) -> None:
        original = tracing_compilation._create_concrete_function  # noqa: SLF001
        watcher = self

        def _create_concrete_function(function_type: Any, type_context: Any, func_graph: Any,
                                      tracing_options: Any) -> Any:
            started = watcher.start(function_type, tracing_options)
            began, reporting = time.perf_counter(), watcher.reporting_seconds()
            concrete = original(function_type, type_context, func_graph, tracing_options)
            if started is not None:
                # A nested function's report is made inside this trace: not its time.
                spent = time.perf_counter() - began - (watcher.reporting_seconds() - reporting)
                watcher.end(started, concrete, spent)
            return concrete

        patches.replace(tracing_compilation, "_create_concrete_function", _create_concrete_function)

    def _who(self, tracing_options: Any) -> _Trace | None:
        """Who is tracing, if that trace is worth showing: user functions, Keras' on request."""
        _, target = tf_decorator.unwrap(tracing_options.python_function)
        filename = code_file(target)
        autograph = bool(tracing_options.autograph)
        if filename is None or not filename.startswith(LIBRARY_ROOTS):
            label = _label(original_function(target), tracing_options.name)
            return _Trace(label, target, autograph=autograph, user=True)
        if self._keras_graphs and filename.startswith(KERAS_DIR):
            which = KERAS_FUNCTIONS.get(self._keras_phase() or "", "function")
            label = f"keras {which}: {tracing_options.name}"
            return _Trace(label, target, autograph=False, user=False)
        return None

    def start(self, function_type: Any, tracing_options: Any) -> _Trace | None:
        try:
            trace = self._who(tracing_options)
            if trace is not None:
                self._report_trace(trace, function_type, tracing_options)
            return trace
        except Exception as error:  # noqa: BLE001 - never break the user's trace
            self._sender.failed("trace", error)
            return None

    def _reason(self, code: Any, sig: dict[str, Any], scope: Any, earlier: list[Any],
                scopes: list[Any], *, user: bool) -> tuple[str, list[Any]]:
        if not earlier:
            before = self._by_code[code] if code is not None and user else 0
            if before:
                return (f"first trace of this tf.function object; its Python function was already "
                        f"traced {before} time(s) by other tf.function objects, which are not "
                        f"reused (is the tf.function created anew each time?)"), []
            return "first trace", []
        found = signatures.closest_changes(earlier, sig)
        if found:
            return "; ".join(c["text"] for c in found), found
        if scope not in scopes:
            return SAME_SIGNATURE_VARIABLES, []
        return SAME_SIGNATURE, []

    def _report_trace(self, trace: _Trace, function_type: Any, tracing_options: Any) -> None:
        label, target = trace.label, trace.python_function
        sig = signatures.leaves(function_type)
        cache = tracing_options.function_cache
        key = id(cache) if cache is not None else id(target)
        code = getattr(original_function(target), "__code__", None)
        scope = tracing_options.scope_type
        with self._lock:
            owner = cache if cache is not None else target
            _, earlier, scopes = self._history.setdefault(key, (owner, [], []))
            reason, found = self._reason(code, sig, scope, earlier, scopes, user=trace.user)
            earlier.append(sig)
            scopes.append(scope)
            count = trace.count = len(earlier)
            if code is not None:
                self._by_code[code] += 1
        event = {
            "type": "trace",
            "function": label,
            "signature": signatures.signature_text(sig),
            "inputs": [{"arg": path, **leaf} for path, leaf in sig.items()],
            "count": count,
            "reason": reason,
            "changes": [{k: v for k, v in c.items() if k != "text"} for c in found],
        }
        left = self._sender.remaining("trace")
        if left == 1:
            event = {"type": "trace", "function": label, "signature": event["signature"],
                     "count": count, "reason": reason,
                     "note": "This run reached its trace limit: later traces are not reported."}
        if left:
            self._sender.send(event)

    def reporting_seconds(self) -> float:
        return float(getattr(self._reporting, "seconds", 0.0))

    def end(self, trace: _Trace, concrete: Any, seconds: float = 0.0) -> None:
        began = time.perf_counter()
        try:
            self._report_end(trace, concrete, seconds)
        finally:
            self._reporting.seconds = self.reporting_seconds() + time.perf_counter() - began

    def _report_end(self, trace: _Trace, concrete: Any, seconds: float) -> None:
        if trace.user and self._on_trace is not None:
            self._on_trace(trace.python_function, seconds)
        if trace.autograph:
            try:
                self._autograph.report(trace.label, trace.python_function)
            except Exception as error:  # noqa: BLE001 - AutoGraph may refuse some functions
                self._sender.failed("autograph", error)
        try:
            extra: dict[str, Any] = {"concrete": _text(concrete.name)}
            if trace.count is not None:
                extra["count"] = trace.count
            self.send_graph(trace.label, concrete.graph, **extra)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("graph", error)

    def send_graph(self, label: str, graph: Any, **extra: Any) -> None:
        """Emit one `graph` event, collapsed if over the cap; a note once the budget runs out."""
        with self._lock:
            if self._graphs_stopped:
                return
            if self._sender.remaining("graph") <= 1 or self._graph_bytes_left <= 0:
                self._graphs_stopped = True
                stop = True
            else:
                stop = False
        if stop:
            self._sender.send({"type": "graph", "function": label, "nodes": [], "edges": [],
                               "functions": [], "omitted": True,
                               "note": "This run has sent as many graphs as it may; "
                                       "later graphs are not sent."})
            return
        described = {**graphs.describe(label, graph, self._source), **extra}
        event, size = collapse.fit(described, self._graph_max_bytes)
        with self._lock:
            self._graph_bytes_left -= size
        self._sender.send(event)
