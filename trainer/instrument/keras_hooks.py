"""Keras hooks: a metrics callback added inside fit/evaluate/predict, and `model` events."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import weakref
from typing import Any

import keras
from keras.src.callbacks import callback_list
from keras.src.utils import summary_utils

from trainer.instrument import models
from trainer.instrument.emitter import Emitter
from trainer.instrument.patches import Patches
from trainer.instrument.values import finite

KERAS_DIR = os.path.dirname(os.path.abspath(keras.__file__ or ""))
ENTRY_POINTS = {"fit": "train", "evaluate": "eval", "predict": "predict"}
# Epoch events are always sent up to this many per run, then throttled like batch events.
MAX_FREE_EPOCH_EVENTS = 1000


def _float_logs(logs: Any) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, value in (logs or {}).items():
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number or getattr(value, "shape", None) == ():
            out[str(name)] = finite(value)
    return out


class ModelReporter:
    """Sends a `model` event per model, again only when its structure changes."""

    def __init__(self, sender: Emitter) -> None:
        self._sender = sender
        self._last: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def report(self, model: Any) -> None:
        try:
            if not getattr(model, "built", False):
                return
            event = models.describe(model)
            fingerprint = json.dumps(event, sort_keys=True, default=str)
            with self._lock:
                if self._last.get(model) == fingerprint:
                    return
                self._last[model] = fingerprint
            self._sender.send(event)
        except Exception as error:  # noqa: BLE001 - never break the user's run
            self._sender.failed("model", error)


class KerasWatcher:
    """Owns the Keras patches and the phase (train/eval/predict) currently running."""

    def __init__(self, sender: Emitter, *, metrics_per_second: float) -> None:
        self.sender = sender
        self.models = ModelReporter(sender)
        self.interval = 1.0 / metrics_per_second if metrics_per_second > 0 else 0.0
        self.phase: str | None = None
        self.epoch_events = 0

    def install(self, patches: Patches) -> None:
        watcher = self
        original_init = callback_list.CallbackList.__init__
        original_summary = summary_utils.print_summary

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
            original_init(self, *args, **kwargs)
            watcher.attach(self, sys._getframe(1))  # noqa: SLF001 - who built this list

        def print_summary(model: Any, *args: Any, **kwargs: Any) -> Any:
            watcher.models.report(model)
            return original_summary(model, *args, **kwargs)

        patches.replace(callback_list.CallbackList, "__init__", __init__)
        patches.replace(summary_utils, "print_summary", print_summary)

    def attach(self, callbacks: Any, caller: Any) -> None:
        """Add a MetricsCallback to a CallbackList built by Keras' own fit/evaluate/predict."""
        try:
            code = caller.f_code
            phase = ENTRY_POINTS.get(code.co_name)
            if phase is None or not code.co_filename.startswith(KERAS_DIR):
                return
            model = getattr(callbacks, "model", None)
            if model is None:
                return
            added = MetricsCallback(self, phase)
            added.set_model(model)
            if getattr(callbacks, "params", None):
                added.set_params(callbacks.params)
            callbacks.callbacks.append(added)
        except Exception as error:  # noqa: BLE001
            self.sender.failed("keras", error)


class MetricsCallback(keras.callbacks.Callback):
    """Sends `metrics` events; never touches logs, training state or output."""

    # Keras may run batch hooks on worker threads (several at once): state is under a lock.
    async_safe = True

    def __init__(self, watcher: KerasWatcher, phase: str) -> None:
        super().__init__()
        self._watcher = watcher
        self._phase = phase
        self._lock = threading.Lock()
        self._active: str | None = None
        self._last_sent = -float("inf")
        self._last_step = 0
        self._steps = 0
        self._epoch_base = 0
        self._epoch = 0

    def _safely(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as error:  # noqa: BLE001 - never break the user's run
            self._watcher.sender.failed("metrics", error)

    def _begin(self, phase: str) -> None:
        if self._active == "train" and phase == "eval":
            # Validation inside fit(): its metrics come in the epoch event; it runs the test graph.
            self._watcher.phase = "eval"
            return
        if self._active is not None or phase != self._phase:
            return
        with self._lock:
            self._active = phase
            self._steps = self._epoch_base = self._last_step = 0
            # evaluate() and predict() make a single pass, reported as epoch 1.
            self._epoch = 0 if phase == "train" else 1
            self._last_sent = -float("inf")
        self._watcher.phase = phase
        self._watcher.models.report(self.model)

    def _end(self, phase: str, logs: Any) -> None:
        if self._active == "train" and phase == "eval":
            self._watcher.phase = "train"
            return
        if self._active != phase:
            return
        if phase != "train":
            self._send("epoch", logs, force=True)
        self._active = None
        self._watcher.phase = None
        self._watcher.models.report(self.model)

    def _send(self, scope: str, logs: Any, *, force: bool, batch: int | None = None) -> None:
        with self._lock:
            now = time.monotonic()
            throttled = not force or (scope == "epoch"
                                      and self._watcher.epoch_events >= MAX_FREE_EPOCH_EVENTS)
            if throttled and now - self._last_sent < self._watcher.interval:
                return
            if scope == "batch" and self._steps <= self._last_step:
                return  # a late batch from a worker thread: a newer one was already sent
            self._last_sent = now
            self._last_step = self._steps
            event = {"type": "metrics", "phase": self._active, "scope": scope,
                     "epoch": self._epoch, "step": self._steps, "logs": _float_logs(logs)}
            if batch is not None:
                event["batch"] = batch
            if scope == "epoch":
                self._watcher.epoch_events += 1
        self._watcher.sender.send(event)

    def _batch(self, phase: str, batch: int, logs: Any) -> None:
        if self._active != phase:
            return
        with self._lock:
            self._steps = max(self._steps, self._epoch_base + batch + 1)
            first = self._last_step == 0 and self._last_sent < 0
        if first and phase == "train":
            self._watcher.models.report(self.model)
        self._send("batch", logs, force=first, batch=batch)

    def _epoch_begin(self, epoch: int) -> None:
        with self._lock:
            self._epoch = epoch + 1
            self._epoch_base = self._steps

    def _epoch_end(self, logs: Any) -> None:
        if self._active == "train":
            self._send("epoch", logs, force=True)

    def on_train_begin(self, logs: Any = None) -> None:
        self._safely(self._begin, "train")

    def on_train_end(self, logs: Any = None) -> None:
        self._safely(self._end, "train", logs)

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._safely(self._epoch_begin, epoch)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self._safely(self._epoch_end, logs)

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self._safely(self._batch, "train", batch, logs)

    def on_test_begin(self, logs: Any = None) -> None:
        self._safely(self._begin, "eval")

    def on_test_end(self, logs: Any = None) -> None:
        self._safely(self._end, "eval", logs)

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        self._safely(self._batch, "eval", batch, logs)

    def on_predict_begin(self, logs: Any = None) -> None:
        self._safely(self._begin, "predict")

    def on_predict_end(self, logs: Any = None) -> None:
        self._safely(self._end, "predict", logs)

    def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
        self._safely(self._batch, "predict", batch, logs)
