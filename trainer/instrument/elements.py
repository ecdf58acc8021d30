"""Dataset elements and specs as short JSON: leaves with their path, small tables of numbers,
image-like tensors as raw thumbnails (uint8, at most THUMB_SIDE pixels a side, base64)."""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np
from tensorflow.python.util import nest

from trainer.instrument.values import dtype_name, finite, shape_list, short

THUMB_SIDE = 64
VALUES_MAX = 16  # a leaf with at most this many numbers is listed whole
HEAD = 6  # numbers shown of a larger one
LEAVES_MAX = 12  # leaves of one element
IMAGE_CHANNELS = (1, 3, 4)
IMAGE_MIN_SIDE = 8


def _paths(structure: Any) -> list[tuple[str, Any]]:
    """(path, leaf) pairs of a nested structure; a single leaf has the path ""."""
    try:
        return [(str(p), leaf) for p, leaf in nest.flatten_with_joined_string_paths(structure)]
    except Exception:  # noqa: BLE001 - not a structure tf.nest knows
        return [("", structure)]


def spec_leaves(spec: Any) -> list[dict[str, Any]]:
    """Each component of an element_spec: its path, dtype and shape (None: unknown dimension)."""
    leaves = []
    for path, leaf in _paths(spec)[:LEAVES_MAX]:
        entry: dict[str, Any] = {"path": path, "dtype": dtype_name(getattr(leaf, "dtype", None)),
                                 "shape": shape_list(getattr(leaf, "shape", None))}
        kind = type(leaf).__name__
        if kind != "TensorSpec":
            entry["spec"] = kind.replace("Spec", "")
        leaves.append(entry)
    return leaves


def _leaf_text(leaf: Any) -> str:
    dims = shape_list(getattr(leaf, "shape", None))
    shape = "[?…]" if dims is None else "[" + ",".join("?" if d is None else str(d)
                                                       for d in dims) + "]"
    return f"{dtype_name(getattr(leaf, 'dtype', None)) or type(leaf).__name__}{shape}"


def spec_text(spec: Any, depth: int = 0) -> str:
    """An element_spec as one short line: `(float32[?,28,28], int64[?])`."""
    if depth > 4:
        return "…"
    if isinstance(spec, dict):
        inner = ", ".join(f"{k}: {spec_text(v, depth + 1)}" for k, v in spec.items())
        return short("{" + inner + "}", 400)
    if isinstance(spec, (tuple, list)):
        return short("(" + ", ".join(spec_text(v, depth + 1) for v in spec) + ")", 400)
    return _leaf_text(spec)


def to_numpy(value: Any) -> np.ndarray | None:
    """An eager tensor or array as NumPy; None for anything else (symbolic, ragged, sparse)."""
    if isinstance(value, np.ndarray):
        return value
    convert = getattr(value, "numpy", None)
    if callable(convert) and hasattr(value, "dtype"):
        try:
            array = convert()
        except Exception:  # noqa: BLE001 - a symbolic tensor has no value
            return None
        return array if isinstance(array, np.ndarray) else np.asarray(array)
    if isinstance(value, (int, float, bool, np.generic)):
        return np.asarray(value)
    return None


def image_like(shape: tuple[int, ...]) -> bool:
    """H×W or H×W×C with C in 1, 3, 4, both sides at least IMAGE_MIN_SIDE pixels."""
    if len(shape) == 3 and shape[2] in IMAGE_CHANNELS:
        return min(shape[0], shape[1]) >= IMAGE_MIN_SIDE
    return len(shape) == 2 and min(shape) >= IMAGE_MIN_SIDE


def _holds_image(shape: tuple[int, ...]) -> bool:
    """An image or a batch of them, as the augmentation grids look for them."""
    if len(shape) == 4:
        return image_like(shape[1:])
    if len(shape) == 3:
        return (image_like(shape) and shape[2] in IMAGE_CHANNELS) or image_like(shape[1:])
    return len(shape) == 2 and image_like(shape)


def spec_may_hold_images(spec: Any) -> bool:
    """Whether elements of this spec may hold images: a numeric leaf whose shape is one, an
    unknown side read as a large one and an unknown last dimension as a channel count."""
    for leaf in nest.flatten(spec):
        dtype, shape = getattr(leaf, "dtype", None), getattr(leaf, "shape", None)
        if dtype is None or not (dtype.is_integer or dtype.is_floating or dtype.is_bool):
            continue
        if shape is None or shape.rank is None:
            return True
        dims = shape.as_list()
        sides = tuple(IMAGE_MIN_SIDE if d is None else d for d in dims)
        channels = (*sides[:-1], IMAGE_CHANNELS[0] if dims[-1] is None else dims[-1]) if dims \
            else sides
        if _holds_image(sides) or _holds_image(channels):
            return True
    return False


def _to_bytes(image: np.ndarray) -> np.ndarray:
    """Pixel values as uint8: uint8 as is, [0, 1] and [0, 255] by their range, anything else
    stretched from its minimum to its maximum."""
    if image.dtype == np.uint8:
        return image
    data = np.nan_to_num(image.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(data.min()), float(data.max())
    if low >= 0.0 and high <= 1.0 and image.dtype.kind == "f":
        data = data * 255.0
    elif not (low >= 0.0 and high <= 255.0):
        data = (data - low) * (255.0 / (high - low)) if high > low else data * 0.0
    return np.clip(np.rint(data), 0, 255).astype(np.uint8)


def thumbnail(array: np.ndarray, side: int = THUMB_SIDE) -> dict[str, Any]:
    """A small raw image: `width`, `height`, `channels` (1 or 3) and `data` (base64 uint8, rows
    of pixels), shrunk by striding to at most `side` pixels a side."""
    image = array if array.ndim == 3 else array[:, :, None]
    if image.shape[2] == 4:
        image = image[:, :, :3]
    step = max(1, math.ceil(max(image.shape[0], image.shape[1]) / max(1, side)))
    image = _to_bytes(np.ascontiguousarray(image[::step, ::step]))
    height, width, channels = image.shape
    return {"width": int(width), "height": int(height), "channels": int(channels),
            "data": base64.b64encode(image.tobytes()).decode("ascii")}


def _numbers(array: np.ndarray) -> list[Any]:
    flat = array.ravel()
    if array.dtype.kind == "b":
        return [bool(v) for v in flat]
    if array.dtype.kind in "iu":
        return [int(v) for v in flat]
    return [finite(v) for v in flat]


def describe_value(value: Any, *, thumbnails: bool = True, side: int = THUMB_SIDE
                   ) -> dict[str, Any]:
    """One leaf of an element: `dtype`, `shape` and either `value`, `values`, a summary
    (`min`, `max`, `mean`, `head`), `text`, or an `image` thumbnail."""
    array = to_numpy(value)
    if array is None:
        return {"dtype": dtype_name(getattr(value, "dtype", None)), "text": type(value).__name__}
    entry: dict[str, Any] = {"dtype": dtype_name(array.dtype) or str(array.dtype),
                             "shape": [int(d) for d in array.shape]}
    if array.dtype.kind in "SUO":
        items = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                 for v in array.ravel()[:HEAD]]
        entry["text"] = short(", ".join(items), 160)
        return entry
    if array.dtype.kind not in "biufc":
        entry["text"] = str(array.dtype)
        return entry
    if array.dtype.kind == "c":
        array = array.real
    if thumbnails and image_like(array.shape) and array.size:
        entry["image"] = thumbnail(array, side)
        entry["min"], entry["max"] = finite(array.min()), finite(array.max())
        return entry
    if array.ndim == 0:
        entry["value"] = _numbers(array)[0]
    elif array.size <= VALUES_MAX:
        entry["values"] = _numbers(array)
    else:
        numbers = array.astype(np.float64, copy=False)
        entry.update(min=finite(numbers.min()), max=finite(numbers.max()),
                     mean=finite(numbers.mean()), head=_numbers(array.ravel()[:HEAD]))
    return entry


def describe_element(element: Any, *, thumbnails: bool = True, side: int = THUMB_SIDE
                     ) -> list[dict[str, Any]]:
    """Every leaf of one element, with its path."""
    return [{"path": path, **describe_value(leaf, thumbnails=thumbnails, side=side)}
            for path, leaf in _paths(element)[:LEAVES_MAX]]


def rows(element: Any, count: int) -> list[Any]:
    """The first `count` rows of a batched element (every leaf cut along its first axis)."""
    arrays = [(path, to_numpy(leaf)) for path, leaf in _paths(element)[:LEAVES_MAX]]
    sizes = [a.shape[0] for _, a in arrays if a is not None and a.ndim > 0]
    if not sizes:
        return []
    return [{path: (a[i] if a is not None and a.ndim > 0 and i < a.shape[0] else a)
             for path, a in arrays} for i in range(min(count, min(sizes)))]


def leading_size(element: Any) -> int | None:
    """The first dimension of an element's first leaf (a batch's size), without copying it."""
    for _, leaf in _paths(element)[:1]:
        shape = getattr(leaf, "shape", None)
        try:
            return int(shape[0]) if shape is not None and len(shape) and shape[0] is not None \
                else None
        except (TypeError, ValueError, IndexError):
            return None
    return None
