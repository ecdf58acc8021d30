"""Inside the sandboxed child: show what TensorFlow did (graphs, traces, models, metrics,
tf.function timings, data views), and the figures the program draws."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from contract.limits import Limits
from trainer.instrument.datadist import DataViews
from trainer.instrument.emitter import Emitter
from trainer.instrument.figures import FigureReporter
from trainer.instrument.functions import FunctionTimer
from trainer.instrument.keras_hooks import KerasWatcher
from trainer.instrument.patches import Patches, hide_from_tracebacks
from trainer.instrument.sources import SourceFile
from trainer.instrument.tracing import TraceWatcher

if "matplotlib" in sys.modules:
    # Keras imports pyplot when matplotlib is installed: load the backend here too, so that a
    # zygote importing this package spares each child the import.
    import trainer.instrument.figure_backend  # noqa: F401

DEFAULT_GRAPH_LABEL = "<default graph>"


class Instrumentation:
    """The runner's single entry point: install() before the user's code, finish() after it.

    Importing this package runs no TF op, so the zygote may import it ahead of time; install()
    then costs a few attribute assignments in each child.

    `views=False` leaves TensorFlow and Keras unpatched and keeps only the program's own output
    that is not a stream: the figures plt.show() and plot_model draw (bench/snippets.py times
    what the views cost with it; they are output the learner asked for, as print's lines are).
    """

    def __init__(self, emit: Callable[[dict[str, Any]], None], *,
                 graph_max_bytes: int = 2 * 1024 * 1024, keras_graphs: bool = False,
                 metrics_per_second: float = 10.0, image_max_bytes: int = 512 * 1024,
                 limits: Limits | None = None, views: bool = True) -> None:
        self._sender = Emitter(emit)
        self._views = views
        self._graph_max_bytes = graph_max_bytes
        self._keras_graphs = keras_graphs
        self._metrics_per_second = metrics_per_second
        self._source = SourceFile()
        self._patches: Patches | None = None
        self._traces: TraceWatcher | None = None
        self._functions = FunctionTimer(self._sender)
        self._figures = FigureReporter(self._sender, self._source, image_max_bytes)
        self._data = DataViews(self._sender, self._source, limits)

    def install(self) -> None:
        """Patch TensorFlow and Keras; runs no TF op. Calling it twice does nothing more."""
        if self._patches is not None:
            return
        try:
            self._install()
        except Exception as error:  # noqa: BLE001 - without instrumentation the run still works
            self._sender.failed("install", error)
            self.uninstall()

    def _install(self) -> None:
        self._patches = Patches()
        hide_from_tracebacks()
        self._figures.install(self._patches)
        if not self._views:
            return
        keras = KerasWatcher(self._sender, metrics_per_second=self._metrics_per_second)
        self._traces = TraceWatcher(self._sender, graph_max_bytes=self._graph_max_bytes,
                                    keras_graphs=self._keras_graphs,
                                    keras_phase=lambda: keras.phase, source=self._source,
                                    on_trace=self._functions.traced)
        self._traces.install(self._patches)
        keras.install(self._patches)
        self._functions.install(self._patches)
        self._data.install(self._patches, self._traces.send_graph)

    def configure(self, *, keras_graphs: bool, source_file: str | None = None) -> None:
        """Per-run choices, made when the job arrives (after `install()` at warm-up):
        `source_file` is the snippet's file, whose lines events point at."""
        self._keras_graphs = keras_graphs
        if self._traces is not None:
            self._traces._keras_graphs = keras_graphs
        if source_file is not None:
            self._source.path = source_file

    def finish(self, graph: tf.Graph | None = None) -> None:
        """After the user's code (also after an error): the figures still open, the graph a
        graph-mode run built, and the final tf.function timings."""
        if self._patches is None:
            return
        self._figures.finish()
        if not self._views:
            return
        self._data.finish()
        try:
            if graph is not None and self._traces is not None and graph.get_operations():
                self._traces.send_graph(DEFAULT_GRAPH_LABEL, graph)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("finish", error)
        self._functions.send(final=True)

    def uninstall(self) -> None:
        """Undo every patch (tests and in-process use; a sandbox child simply exits)."""
        if self._patches is not None:
            self._patches.undo()
            self._figures.uninstall()
        self._patches = None
        self._traces = None
