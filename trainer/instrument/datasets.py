"""The tf.data inspector: record the pipeline transformations the snippet calls, and for each
dataset it iterates send its stages (`dataset`), its first elements (`dataset_preview`) and the
iteration's throughput (`dataset_stats`), measured on the iterator the snippet itself uses.

Iteration is timed by wrapping the iterators' `__next__` (eager loops, distributed datasets) and
Keras' epoch iterator (fit, evaluate, predict read the dataset inside a compiled step); nothing
is iterated a second time. The functions of map and filter are sent as graphs.
"""

from __future__ import annotations

import inspect
import json
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tensorflow as tf
from tensorflow.python.data.ops import dataset_ops, iterator_ops
from tensorflow.python.distribute import input_lib
from tensorflow.python.eager import context
from tensorflow.python.util import nest

from trainer.instrument import elements, pipeline, sampler
from trainer.instrument.emitter import Emitter
from trainer.instrument.iteration import PREVIEW_ROWS, Iteration, Pipeline, Timer
from trainer.instrument.keras_hooks import KERAS_DIR
from trainer.instrument.patches import Patches
from trainer.instrument.sizing import fit_event
from trainer.instrument.sources import SourceFile

KERAS_CALLS = ("fit", "evaluate", "predict")
LOOPS = ("for", "distributed")  # consumers that preview what they take themselves
SAMPLE_NOTE = ("Keras reads this dataset inside its compiled step: these are the source's first "
               "rows through the pipeline's functions, not the batches it trained on.")
OnPipeline = Callable[[Pipeline, "list[list[Any]] | None"], None]
OnFit = Callable[[Any, Any, "int | None"], None]


@dataclass
class DataLimits:
    """The run's caps (contract.limits): pipelines shown, bytes of one event."""

    pipelines: int = 16
    event_bytes: int = 256 * 1024


def _maps_images(datasets: list[tuple[Any, pipeline.Call | None]]) -> bool:
    """Whether a map of the chain may take images (and so gets a before/after grid)."""
    return any(call is not None and call.method == "map"
               and elements.spec_may_hold_images(datasets[index - 1][0].element_spec)
               for index, (_, call) in enumerate(datasets) if index > 0)


def _keras_call() -> tuple[str, Any]:
    """The Keras entry point (fit, evaluate, predict) on the stack, innermost first, and its
    frame."""
    frame: Any = sys._getframe(2)  # noqa: SLF001
    while frame is not None:
        code = frame.f_code
        if code.co_name in KERAS_CALLS and code.co_filename.startswith(KERAS_DIR):
            return str(code.co_name), frame
        frame = frame.f_back
    return "keras", None


def _near_user(source: SourceFile, depth: int, frames: int = 3) -> int | None:
    """The line of the snippet that called in, if it is within `frames` frames above `depth`
    (iter() from a loop, or through NumPy's iterator): not TensorFlow iterating inside."""
    frame: Any = sys._getframe(depth)  # noqa: SLF001
    for _ in range(frames):
        if frame is None:
            return None
        if source.is_user(frame.f_code.co_filename):
            return int(frame.f_lineno)
        frame = frame.f_back
    return None


def _from_keras(depth: int) -> bool:
    """Whether Keras code made the iterator (fit's own iteration), just above `depth`."""
    frame: Any = sys._getframe(depth)  # noqa: SLF001
    for _ in range(3):
        if frame is None:
            return False
        if frame.f_code.co_filename.startswith(KERAS_DIR):
            return True
        frame = frame.f_back
    return False


def _distribute_stage(distributed: Any) -> dict[str, Any]:
    """The split a distributed dataset adds: each replica's part of every batch."""
    spec = distributed.element_spec
    local = nest.map_structure(lambda s: s._value_specs[0] if hasattr(s, "_value_specs") else s,  # noqa: SLF001
                               spec)
    replicas = int(getattr(distributed, "_num_replicas_in_sync", 1) or 1)
    return {"kind": "distribute", "op": "experimental_distribute_dataset",
            "args": {"replicas": replicas}, "spec": elements.spec_leaves(local),
            "spec_text": "per replica: " + elements.spec_text(local)}


class DatasetWatcher:
    """Owns the tf.data patches and the pipelines reported so far."""

    def __init__(self, sender: Emitter, source: SourceFile, *,
                 send_graph: Callable[..., None] | None = None,
                 limits: DataLimits | None = None, on_pipeline: OnPipeline | None = None,
                 on_fit: OnFit | None = None) -> None:
        self._sender = sender
        self._source = source
        self._send_graph = send_graph
        self.limits = limits or DataLimits()
        self._on_pipeline = on_pipeline
        self._on_fit = on_fit
        self.registry = pipeline.Registry()
        self.timer = Timer(self._send)
        self._lock = threading.Lock()
        self._pipelines: weakref.WeakKeyDictionary[Any, Pipeline] = weakref.WeakKeyDictionary()
        self._count = 0
        self._capped = False
        self._iterations: dict[int, Iteration] = {}
        self._signatures: dict[str, inspect.Signature] = {}
        self._depth = threading.local()
        self._by_signature: dict[str, Pipeline] = {}

    def _send(self, event: dict[str, Any], key: str | None) -> None:
        self._sender.send(fit_event(event, key, self.limits.event_bytes) if key else event)

    # Patches ---------------------------------------------------------------------------------

    def install(self, patches: Patches) -> None:
        cls = dataset_ops.DatasetV2
        for name in pipeline.SOURCES:
            if isinstance(cls.__dict__.get(name), staticmethod):
                original = cls.__dict__[name].__func__
                patches.replace(cls, name, staticmethod(self._recorder(name, original, False)))
        for name in pipeline.TRANSFORMS:
            if callable(cls.__dict__.get(name)):
                patches.replace(cls, name, self._recorder(name, cls.__dict__[name], True))
        self._patch_iterators(patches)
        self._patch_keras(patches)

    def _recorder(self, method: str, original: Callable[..., Any], bound: bool
                  ) -> Callable[..., Any]:
        watcher = self
        calls = self._depth

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # Only the snippet's own call is recorded, not those the method makes inside.
            depth = getattr(calls, "n", 0)
            calls.n = depth + 1
            try:
                result = original(*args, **kwargs)
            finally:
                calls.n = depth
            if depth == 0:
                watcher.record(method, original, result, args, kwargs, bound)
            return result

        for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
            setattr(wrapper, attr, getattr(original, attr, None))
        wrapper.__wrapped__ = original  # type: ignore[attr-defined]
        return wrapper

    def _patch_iterators(self, patches: Patches) -> None:
        watcher = self
        for owner, make in ((dataset_ops.DatasetV2, self.iterating),
                            (input_lib.DistributedDataset, self.iterating_distributed)):
            patches.replace(owner, "__iter__", self._iter_wrapper(owner.__iter__, make))
        for owner, name in ((iterator_ops.OwnedIterator, "__next__"),
                            (iterator_ops.OwnedIterator, "get_next"),
                            (input_lib.DistributedIteratorBase, "__next__")):
            original = owner.__dict__[name]

            def step(self: Any, _original: Callable[[Any], Any] = original) -> Any:
                return watcher.next_of(self, _original)

            patches.replace(owner, name, step)

    @staticmethod
    def _iter_wrapper(original: Callable[[Any], Any], make: Callable[[Any, Any], None]
                      ) -> Callable[[Any], Any]:
        def __iter__(self: Any) -> Any:  # noqa: N807
            iterator = original(self)
            make(self, iterator)
            return iterator
        return __iter__

    def _patch_keras(self, patches: Patches) -> None:
        from keras.src.backend.tensorflow import trainer as tf_trainer

        watcher = self
        epochs = tf_trainer.TFEpochIterator
        original_init, original_next = epochs.__init__, epochs.__next__

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
            original_init(self, *args, **kwargs)
            watcher.keras_epochs(self)

        def __next__(self: Any) -> Any:  # noqa: N807
            return watcher.keras_step(self, original_next)

        patches.replace(epochs, "__init__", __init__)
        patches.replace(epochs, "__next__", __next__)

    # Recording -------------------------------------------------------------------------------

    def record(self, method: str, original: Callable[..., Any], result: Any,
               args: tuple[Any, ...], kwargs: dict[str, Any], bound: bool) -> None:
        try:
            if not isinstance(result, dataset_ops.DatasetV2) or self.registry.get(result):
                return
            caller = sys._getframe(2)  # noqa: SLF001 - who called the method
            if not self._source.is_user(caller.f_code.co_filename):
                return  # made by a library: described from its class if it is iterated
            line = caller.f_lineno
            signature = self._signatures.get(method)
            if signature is None:
                signature = self._signatures[method] = inspect.signature(original)
            arguments = signature.bind_partial(*args, **kwargs).arguments
            parent = weakref.ref(args[0]) if bound and args else None
            call = pipeline.Call(method, parent, pipeline.call_args(method, arguments), line)
            fn_arg = pipeline.FUNCTION_ARGS.get(method)
            if fn_arg and fn_arg in arguments:
                call.function = f"{method}: {pipeline.function_name(arguments[fn_arg])}"
                self._graph(call.function, result)
            self.registry.add(result, call)
        except Exception as error:  # noqa: BLE001 - never break the user's pipeline
            self._sender.failed("dataset record", error)

    def _graph(self, label: str, dataset: Any) -> None:
        concrete = pipeline.traced_function(dataset)
        if concrete is None or self._send_graph is None:
            return
        name = concrete.name
        self._send_graph(label, concrete.graph,
                         concrete=name.decode() if isinstance(name, bytes) else str(name))

    # Pipelines -------------------------------------------------------------------------------

    def _known(self, key: Any) -> Pipeline | None:
        try:
            return self._pipelines.get(key)
        except TypeError:
            return None

    def report(self, key: Any, dataset: Any, consumer: str, line: int | None,
               extra: dict[str, Any] | None = None) -> Pipeline | None:
        """The pipeline of `dataset` (reported under `key`), sent once as it is first iterated;
        None past the run's cap."""
        known = self._known(key)
        if known is not None:
            return known
        datasets = pipeline.chain(dataset, self.registry)
        stages = pipeline.describe(datasets) + ([extra] if extra else [])
        # The same pipeline made again (`ds.take(2)` in every epoch) is the one reported.
        signature = json.dumps([consumer, line, stages], sort_keys=True, default=str)
        with self._lock:
            report = self._by_signature.get(signature)
            if report is None:
                report = self._new_report(datasets, stages)
                if report is None:
                    return None
                self._by_signature[signature] = report
                fresh = True
            else:
                fresh = False
        try:
            self._pipelines[key] = report
        except TypeError:
            pass
        if fresh:
            self._announce(report, consumer, line)
        return report

    def _new_report(self, datasets: list[tuple[Any, pipeline.Call | None]],
                    stages: list[dict[str, Any]]) -> Pipeline | None:
        """A numbered report, or None past the cap (which is said once). Under the lock."""
        if self._count >= self.limits.pipelines:
            if not self._capped:
                self._capped = True
                self._sender.send({"type": "dataset", "id": 0, "stages": [],
                                   "note": "This run has shown as many pipelines as it may;"
                                           " later ones are not shown."})
            return None
        self._count += 1
        return Pipeline(self._count, datasets, stages, pipeline.batch_size(stages))

    def _announce(self, report: Pipeline, consumer: str, line: int | None) -> None:
        event: dict[str, Any] = {"type": "dataset", "id": report.id, "stages": report.stages,
                                 "consumer": consumer}
        if line is not None:
            event["line"] = line
        self._send(event, "stages")
        if consumer in LOOPS and not _maps_images(report.datasets):
            # The loop previews what it takes: samples would only feed the grids of image maps.
            report.unsampled = True
        else:
            report.samples = self._sample(report, PREVIEW_ROWS)
            if self._on_pipeline is not None:
                self._on_pipeline(report, report.samples)
        # The samples are all that is needed of the datasets: the snippet's arrays are not kept.
        report.datasets = []

    def _sample_later(self, report: Pipeline, dataset: Any) -> None:
        """A pipeline a loop took first and Keras now fits: sampled now, from its dataset."""
        if report.unsampled:
            report.unsampled = False
            report.datasets = pipeline.chain(dataset, self.registry)
            report.samples = self._sample(report, PREVIEW_ROWS)
            report.datasets = []

    def _sample(self, report: Pipeline, rows: int) -> list[list[Any]] | None:
        if not context.executing_eagerly():
            return None
        try:
            return sampler.sample(report.datasets, rows)
        except sampler.CannotSample:
            return None
        except Exception as error:  # noqa: BLE001
            self._sender.failed("dataset sample", error)
            return None

    # Eager iteration -------------------------------------------------------------------------

    def iterating(self, dataset: Any, iterator: Any) -> None:
        """`iter(dataset)`: watched when the snippet made the dataset or loops over it (Keras'
        own iteration is watched through its epoch iterator)."""
        try:
            if not context.executing_eagerly() or _from_keras(3):
                return
            line = _near_user(self._source, 3)
            if line is None:
                return
            self._watch(iterator, self.report(dataset, dataset, "for", line), "for")
        except Exception as error:  # noqa: BLE001
            self._sender.failed("dataset iter", error)

    def iterating_distributed(self, distributed: Any, iterator: Any) -> None:
        """A loop over `strategy.experimental_distribute_dataset(...)`."""
        try:
            dataset = getattr(distributed, "_original_dataset", None)
            if not context.executing_eagerly() or dataset is None or _from_keras(3):
                return
            line = _near_user(self._source, 3)
            if line is None:
                return
            report = self.report(distributed, dataset, "distributed", line,
                                 _distribute_stage(distributed))
            self._watch(iterator, report, "distributed")
        except Exception as error:  # noqa: BLE001
            self._sender.failed("dataset iter", error)

    def _watch(self, iterator: Any, report: Pipeline | None, consumer: str) -> None:
        if report is None:
            return
        report.iterations += 1
        now = time.perf_counter()
        watch = Iteration(report, consumer, report.iterations, now, last_sent=now)
        key = id(iterator)
        with self._lock:
            self._iterations[key] = watch
        weakref.finalize(iterator, self._dropped, key)

    def _dropped(self, key: int) -> None:
        with self._lock:
            watch = self._iterations.pop(key, None)
        if watch is not None:
            self._safely(self.timer.end, watch)

    def _safely(self, action: Callable[..., None], *args: Any) -> None:
        try:
            action(*args)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("dataset stats", error)

    def next_of(self, iterator: Any, original: Callable[[Any], Any]) -> Any:
        watch = self._iterations.get(id(iterator))
        if watch is None or watch.ended or not context.executing_eagerly():
            return original(iterator)
        began = time.perf_counter()
        try:
            element = original(iterator)
        except (StopIteration, tf.errors.OutOfRangeError):
            self._safely(self.timer.end, watch)
            raise
        self._safely(self.timer.got, watch, element, began, time.perf_counter())
        return element

    # Keras ------------------------------------------------------------------------------------

    def keras_epochs(self, epochs: Any) -> None:
        """A Keras epoch iterator: over a dataset the snippet made, watched step by step; in
        fit, the model's first augmentation layers shown on a few of its inputs."""
        try:
            consumer, frame = _keras_call()
            x = frame.f_locals.get("x") if frame is not None else None
            dataset = getattr(getattr(epochs, "data_adapter", None), "_dataset", None)
            if consumer == "fit" and dataset is not None and dataset is not x:
                consumer = "validation"
            line = self._source.caller_line()
            report = None
            if isinstance(dataset, dataset_ops.DatasetV2) and (
                    self.registry.get(dataset) is not None or self._known(dataset) is not None):
                report = self.report(dataset, dataset, consumer, line)
            if report is not None:
                self._sample_later(report, dataset)
                self._sampled_preview(report)
                with self._lock:
                    self._iterations[id(epochs)] = Iteration(report, consumer, 0, 0.0,
                                                             ended=True)
                weakref.finalize(epochs, self._dropped, id(epochs))
            if consumer == "fit" and self._on_fit is not None and frame is not None:
                samples = report.samples if report is not None else None
                inputs = samples[-1] if samples else (
                    [x[:PREVIEW_ROWS]] if x is not None and hasattr(x, "shape") else None)
                if inputs:
                    self._on_fit(frame.f_locals.get("self"), inputs, line)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("dataset keras", error)

    def _sampled_preview(self, report: Pipeline) -> None:
        if report.previewed:
            return
        stages = report.samples
        if not stages or not stages[-1]:
            return
        last = stages[-1]
        rows = elements.rows(last[0], PREVIEW_ROWS) if report.batched else last[:PREVIEW_ROWS]
        report.previewed = True
        self._send({"type": "dataset_preview", "id": report.id, "batched": report.batched,
                    "source": "sampled", "note": SAMPLE_NOTE,
                    "elements": [elements.describe_element(r) for r in rows]}, "elements")

    def keras_step(self, epochs: Any, original: Callable[[Any], Any]) -> Any:
        """A step of fit/evaluate/predict begins: the step before it ended now (the data and the
        compiled step together, as the loop ran them)."""
        watch = self._iterations.get(id(epochs))
        if watch is None:
            return original(epochs)
        now = time.perf_counter()
        marker = getattr(epochs, "_epoch_iterator", None)
        if watch.ended or watch.marker is not marker:
            watch = self._new_epoch(epochs, watch, marker, now)
        try:
            step = original(epochs)
        except StopIteration:
            self._safely(self.timer.end, watch, now)
            raise
        try:
            self.timer.step(watch, max(1, int(step[1]) - int(step[0]) + 1), now)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("dataset keras step", error)
        return step

    def _new_epoch(self, epochs: Any, old: Iteration, marker: Any, now: float) -> Iteration:
        """A new epoch's loop. One left unfinished (Keras' peek at the first batch to build
        the model, under a strategy) is dropped unless it completed steps."""
        report = old.pipeline
        if not old.ended and old.elements:
            self._safely(self.timer.end, old, now)
        elif not old.ended and old.number:
            report.iterations -= 1
        report.iterations += 1
        watch = Iteration(report, old.consumer, report.iterations, now, last_sent=now,
                          marker=marker)
        with self._lock:
            self._iterations[id(epochs)] = watch
        return watch

    def finish(self) -> None:
        """The iterations still open at the end (a loop left with break, a fit stopped early)."""
        with self._lock:
            still_open = [w for w in self._iterations.values() if not w.ended]
        for watch in still_open:
            self._safely(self.timer.end, watch)
