"""Turn TensorFlow and Python values into short, JSON-safe summaries for events."""

from __future__ import annotations

import functools
import math
from typing import Any

import tensorflow as tf
from tensorflow.core.framework import attr_value_pb2
from tensorflow.python.framework import tensor_util

TEXT_MAX = 120
LIST_MAX = 10
SMALL_TENSOR_MAX = 8


def finite(value: Any) -> float | None:
    """A float, or None for NaN, infinities and values that are not numbers."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def short(text: str, limit: int = TEXT_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_repr(value: Any, limit: int = TEXT_MAX) -> str:
    try:
        return short(repr(value), limit)
    except Exception:  # noqa: BLE001 - a user's __repr__ may raise anything
        return f"<{type(value).__name__}>"


def shape_list(shape: Any) -> list[int | None] | None:
    """Dimensions of a TensorShape-like value, None for an unknown rank."""
    try:
        shape = tf.TensorShape(shape)
    except (TypeError, ValueError):
        return None
    if shape.rank is None:
        return None
    return [None if d is None else int(d) for d in shape.as_list()]


def shape_text(shape: Any) -> str:
    dims = shape_list(shape)
    if dims is None:
        return "[?…]"
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


@functools.lru_cache(maxsize=256)
def dtype_name(dtype: Any) -> str | None:
    try:
        return str(tf.dtypes.as_dtype(dtype).name)
    except (TypeError, ValueError):
        return None


_SCALAR_FIELDS = {"float32": "float_val", "float64": "double_val", "int32": "int_val",
                  "int64": "int64_val", "bool": "bool_val"}


def _tensor_summary(proto: Any) -> Any:
    dtype = dtype_name(proto.dtype)
    dims = [int(d.size) for d in proto.tensor_shape.dim]
    if proto.tensor_shape.unknown_rank:
        return f"{dtype} tensor"
    field = _SCALAR_FIELDS.get(dtype or "")
    if not dims and field and not proto.tensor_content and len(getattr(proto, field)) == 1:
        value = getattr(proto, field)[0]
        return finite(value) if field in ("float_val", "double_val") else value
    count = math.prod(dims)
    if count <= SMALL_TENSOR_MAX:
        try:
            array = tensor_util.MakeNdarray(proto)
        except Exception:  # noqa: BLE001 - unusual dtypes (resource, variant)
            return f"{dtype}{shape_text(dims)}"
        flat: list[Any]
        if array.dtype.kind in "fc":
            flat = [finite(v) for v in array.real.ravel().tolist()]
        elif array.dtype.kind in "SUO":
            flat = [short(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v), 40)
                    for v in array.ravel().tolist()]
        else:
            flat = array.ravel().tolist()
        return flat[0] if not dims else {"dtype": dtype, "shape": dims, "values": flat}
    return f"{dtype}{shape_text(dims)}"


def _func_name(value: Any) -> str:
    return str(value.name)


def _list_summary(items: Any, field: str) -> Any:
    values: list[Any]
    if field == "func":
        values = [_func_name(v) for v in items]
    elif field == "type":
        values = [dtype_name(v) for v in items]
    elif field == "shape":
        values = [shape_text(tf.TensorShape(v)) for v in items]
    elif field == "tensor":
        values = [_tensor_summary(v) for v in items]
    elif field == "s":
        values = [short(v.decode("utf-8", "replace"), 40) for v in items]
    elif field == "f":
        values = [finite(v) for v in items]
    else:
        values = list(items)
    if len(values) > LIST_MAX:
        return values[:LIST_MAX] + [f"… {len(values) - LIST_MAX} more"]
    return values


def attr_summary(attr: attr_value_pb2.AttrValue) -> Any:
    """A short JSON value for one NodeDef attribute."""
    field = attr.WhichOneof("value")
    if field == "s":
        return short(attr.s.decode("utf-8", "replace"))
    if field in ("i", "b"):
        return getattr(attr, field)
    if field == "f":
        return finite(attr.f)
    if field == "type":
        return dtype_name(attr.type)
    if field == "shape":
        return shape_text(tf.TensorShape(attr.shape))
    if field == "tensor":
        return _tensor_summary(attr.tensor)
    if field == "func":
        return _func_name(attr.func)
    if field == "placeholder":
        return "$" + attr.placeholder
    if field == "list":
        for name in ("func", "type", "shape", "tensor", "s", "i", "f", "b"):
            items = getattr(attr.list, name)
            if len(items):
                return _list_summary(items, name)
        return []
    return None


def function_names(attr: attr_value_pb2.AttrValue) -> list[str]:
    """Names of the functions an attribute refers to (If branches, While bodies, calls)."""
    field = attr.WhichOneof("value")
    if field == "func":
        return [_func_name(attr.func)]
    if field == "list":
        return [_func_name(f) for f in attr.list.func]
    return []
