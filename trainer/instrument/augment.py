"""Before/after grids of image augmentation (`augment` events): a Keras preprocessing layer (or
a Sequential of them) the snippet calls on images, a dataset's map over images (from a few
sampled elements), and the augmentation layers a model starts with when it is fitted."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from keras.src.layers.layer import Layer
from keras.src.layers.preprocessing.data_layer import DataLayer
from keras.src.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from keras.src.models.sequential import Sequential
from tensorflow.python.eager import context
from tensorflow.python.util import nest

from trainer.instrument.elements import image_like, thumbnail, to_numpy
from trainer.instrument.emitter import Emitter
from trainer.instrument.iteration import Pipeline
from trainer.instrument.patches import Patches
from trainer.instrument.sizing import fit_event
from trainer.instrument.sources import SourceFile

SAMPLES = 4
GRIDS_MAX = 12  # augment events per run
THUMB = 96


def _images(value: Any) -> np.ndarray | None:
    """A batch of images (N×H×W×C or N×H×W) from an image or a batch, or None."""
    array = to_numpy(value)
    if array is None or array.dtype.kind not in "biuf" or array.size == 0:
        return None
    if array.ndim == 4 and image_like(array.shape[1:]):
        return array
    if array.ndim == 3 and image_like(array.shape) and array.shape[2] in (1, 3, 4):
        return array[None]
    if array.ndim == 3 and image_like(array.shape[1:]):
        return array
    if array.ndim == 2 and image_like(array.shape):
        return array[None]
    return None


def _first_images(element: Any) -> tuple[str, np.ndarray] | None:
    for path, leaf in nest.flatten_with_joined_string_paths(element):
        images = _images(leaf)
        if images is not None:
            return str(path), images
    return None


def _leaf(element: Any, path: str) -> Any:
    for found, leaf in nest.flatten_with_joined_string_paths(element):
        if str(found) == path:
            return leaf
    return None


def pairs(before: list[Any], after: list[Any]) -> list[dict[str, Any]]:
    """Up to SAMPLES before/after thumbnails from matching elements (or the rows of one batch)."""
    out: list[dict[str, Any]] = []
    for old, new in zip(before, after, strict=False):
        found = _first_images(old)
        if found is None:
            return out
        path, old_images = found
        new_images = _images(_leaf(new, path))
        if new_images is None:
            found_new = _first_images(new)
            if found_new is None:
                return out
            new_images = found_new[1]
        for a, b in zip(old_images, new_images, strict=False):
            out.append({"before": thumbnail(a, THUMB), "after": thumbnail(b, THUMB)})
            if len(out) >= SAMPLES:
                return out
    return out


def is_augmentation(layer: Any) -> bool:
    """A Keras image preprocessing layer, or a Sequential made only of preprocessing layers
    (one of them an image one)."""
    if isinstance(layer, BaseImagePreprocessingLayer):
        return True
    if isinstance(layer, Sequential):
        inner = list(layer.layers)
        return bool(inner) and all(isinstance(x, DataLayer) or is_augmentation(x)
                                   for x in inner) and any(is_augmentation(x) for x in inner)
    return False


def _seed_states(layers: list[Any]) -> list[Any]:
    """The seed variables of random layers, to put back after a sample call."""
    states = []
    for layer in layers:
        flatten = getattr(layer, "_flatten_layers", None)
        for sub in flatten() if callable(flatten) else [layer]:
            generator = getattr(sub, "generator", None) or getattr(sub, "seed_generator", None)
            state = getattr(generator, "state", None)
            if state is not None:
                states.append(state)
    return states


class AugmentReporter:
    """Sends `augment` events, at most one per layer object or dataset map."""

    def __init__(self, sender: Emitter, source: SourceFile, event_bytes: int = 256 * 1024
                 ) -> None:
        self._sender = sender
        self._source = source
        self.event_bytes = event_bytes
        self._sent = 0
        self._seen: set[int] = set()
        self._lock = threading.Lock()
        self._busy = threading.local()
        self._kinds: dict[type, bool] = {}
        self._models: dict[int, tuple[int, bool]] = {}

    def _room(self, key: int) -> bool:
        with self._lock:
            if self._sent >= GRIDS_MAX or key in self._seen:
                return False
            self._seen.add(key)
            self._sent += 1
            return True

    def _send(self, event: dict[str, Any]) -> None:
        if event["samples"]:
            self._sender.send(fit_event(event, "samples", self.event_bytes))

    # Layers called by the snippet -----------------------------------------------------------

    def install(self, patches: Patches) -> None:
        reporter = self
        original = Layer.__call__

        def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N807
            if getattr(reporter._busy, "on", False) or not reporter.augmenting(self):
                return original(self, *args, **kwargs)
            # The layers inside an augmentation model are the model's grid, not their own.
            reporter._busy.on = True
            try:
                result = original(self, *args, **kwargs)
            finally:
                reporter._busy.on = False
            if args:
                reporter.called(self, args[0], result)
            return result

        patches.replace(Layer, "__call__", __call__)

    def augmenting(self, layer: Any) -> bool:
        """Whether a layer is an augmentation (cached by type, or by a Sequential's size)."""
        kind = type(layer)
        if not isinstance(layer, Sequential):
            known = self._kinds.get(kind)
            if known is None:
                known = self._kinds[kind] = isinstance(layer, BaseImagePreprocessingLayer)
            return known
        size = len(layer._layers) if hasattr(layer, "_layers") else -1  # noqa: SLF001
        cached = self._models.get(id(layer))
        if cached is None or cached[0] != size:
            cached = self._models[id(layer)] = (size, is_augmentation(layer))
        return cached[1]

    def called(self, layer: Any, before: Any, after: Any) -> None:
        try:
            if id(layer) in self._seen or not context.executing_eagerly() or \
                    _images(before) is None or not self._room(id(layer)):
                return
            self._send({"type": "augment", "function": f"{type(layer).__name__} "
                        f"{getattr(layer, 'name', '')}".strip(), "kind": "layer",
                        "line": self._source.caller_line(), "samples": pairs([before], [after])})
        except Exception as error:  # noqa: BLE001 - never break the user's call
            self._sender.failed("augment layer", error)

    # Dataset maps and models in fit ---------------------------------------------------------

    def pipeline(self, report: Pipeline, samples: list[list[Any]] | None) -> None:
        """Each map of a sampled pipeline that takes and gives images."""
        if not samples:
            return
        try:
            for index, (dataset, call) in enumerate(report.datasets):
                if index == 0 or call is None or call.method != "map":
                    continue
                found = pairs(samples[index - 1], samples[index])
                if found and self._room(id(dataset)):
                    self._send({"type": "augment", "function": call.function or "map",
                                "kind": "map", "dataset": report.id, "line": call.line,
                                "samples": found})
        except Exception as error:  # noqa: BLE001
            self._sender.failed("augment map", error)

    def model(self, model: Any, inputs: list[Any], line: int | None) -> None:
        """The augmentation layers a fitted model starts with, applied (in training mode) to a
        few of its inputs (elements of its data), their random seeds put back afterwards."""
        try:
            layers = []
            for layer in getattr(model, "layers", []):
                if not (is_augmentation(layer) or isinstance(layer, DataLayer)):
                    break
                layers.append(layer)
            found = _first_images(inputs[0]) if isinstance(inputs, list) and inputs else None
            images = None if found is None else found[1]
            if not any(is_augmentation(x) for x in layers) or images is None:
                return
            if not all(x.built for x in layers) or not self._room(id(model)):
                return
            batch = images[:SAMPLES]
            out: Any = batch
            states = _seed_states(layers)
            saved = [s.numpy() for s in states]
            self._busy.on = True
            try:
                for layer in layers:
                    out = layer(out, training=True)
            finally:
                self._busy.on = False
                for state, value in zip(states, saved, strict=True):
                    state.assign(value)
            names = ", ".join(type(x).__name__ for x in layers)
            self._send({"type": "augment", "function": f"{model.name}: {names}",
                        "kind": "model", "line": line, "samples": pairs([batch], [out])})
        except Exception as error:  # noqa: BLE001
            self._sender.failed("augment model", error)
