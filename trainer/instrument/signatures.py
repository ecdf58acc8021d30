"""Read a traced function's input signature and say why it differs from earlier traces."""

from __future__ import annotations

from typing import Any

from tensorflow.core.function.trace_type import default_types

from trainer.instrument.values import dtype_name, shape_list, shape_text, short, short_repr

Leaf = dict[str, Any]

MAX_LEAVES = 64


def _leaf(constraint: Any) -> Leaf:
    if isinstance(constraint, default_types.Literal):
        value = constraint.value
        return {"kind": "python", "value": short_repr(value, 60), "type": type(value).__name__}
    if isinstance(constraint, default_types.Weakref):
        target = constraint._ref()  # noqa: SLF001 - the object the trace is bound to
        return {"kind": "object", "value": f"<{type(target).__name__} object>"}
    shape = getattr(constraint, "shape", None)
    dtype = getattr(constraint, "dtype", None)
    if dtype is not None:
        kind = "tensor" if type(constraint).__name__ == "TensorSpec" else type(constraint).__name__
        return {"kind": kind, "dtype": dtype_name(dtype), "shape": shape_list(shape)}
    return {"kind": type(constraint).__name__, "value": short(str(constraint), 60)}


def _flatten(path: str, constraint: Any, out: dict[str, Leaf]) -> None:
    if len(out) >= MAX_LEAVES:
        return
    if isinstance(constraint, default_types.List):
        _flatten(path, constraint.components_tuple, out)
    elif isinstance(constraint, default_types.Tuple):
        for index, part in enumerate(constraint.components):
            _flatten(f"{path}[{index}]", part, out)
    elif isinstance(constraint, default_types.NamedTuple):
        parts = constraint.attributes.components
        for name, part in zip(constraint.attribute_names, parts, strict=True):
            _flatten(f"{path}.{name}", part, out)
    elif isinstance(constraint, default_types.Attrs):
        _flatten(path, constraint.named_attributes, out)
    elif isinstance(constraint, default_types.Dict):
        for key, part in constraint.mapping.items():
            _flatten(f"{path}[{key!r}]", part, out)
    else:
        out[path] = _leaf(constraint)


def leaves(function_type: Any) -> dict[str, Leaf]:
    """One entry per tensor or Python value in the signature, keyed by its path ("x", "p[0]")."""
    out: dict[str, Leaf] = {}
    for name, parameter in function_type.parameters.items():
        _flatten(name, parameter.type_constraint, out)
    return out


def _text(leaf: Leaf) -> str:
    if leaf["kind"] == "tensor":
        dims = leaf["shape"]
        return f"{leaf['dtype']}{shape_text(dims) if dims is not None else '[?…]'}"
    if leaf["kind"] in ("python", "object"):
        return leaf["value"]
    if "dtype" in leaf:
        return f"{leaf['kind']}({leaf['dtype']}{shape_text(leaf['shape'])})"
    return f"{leaf['kind']}({leaf['value']})"


def signature_text(sig: dict[str, Leaf]) -> str:
    """A readable signature such as "(x: float32[2,3], n=2)"."""
    parts = []
    for path, leaf in sig.items():
        sep = "=" if leaf["kind"] in ("python", "object") else ": "
        parts.append(f"{path}{sep}{_text(leaf)}")
    return "(" + ", ".join(parts) + ")"


def _change(path: str, old: Leaf | None, new: Leaf | None) -> dict[str, Any]:
    if old is None or new is None:
        what = "argument" if old is None else "missing argument"
        return {"arg": path, "kind": "structure", "old": None if old is None else _text(old),
                "new": None if new is None else _text(new),
                "text": f"new {what} {path}"}
    if old["kind"] != new["kind"]:
        kind, label = "type", "type"
    elif old.get("dtype") != new.get("dtype"):
        kind, label = "dtype", "dtype"
    elif old.get("shape") != new.get("shape"):
        kind, label = "shape", "shape"
    elif old["kind"] in ("python", "object"):
        kind, label = "value", "Python value"
    else:
        kind, label = "spec", "input spec"
    return {"arg": path, "kind": kind, "old": _text(old), "new": _text(new),
            "text": f"new {label} for {path}: {_text(old)} → {_text(new)}"}


def changes(old: dict[str, Leaf], new: dict[str, Leaf]) -> list[dict[str, Any]]:
    paths = list(new) + [p for p in old if p not in new]
    return [_change(p, old.get(p), new.get(p)) for p in paths if old.get(p) != new.get(p)]


def closest_changes(earlier: list[dict[str, Leaf]], new: dict[str, Leaf]) -> list[dict[str, Any]]:
    """The differences from the most similar earlier trace (the latest one on ties)."""
    best: list[dict[str, Any]] | None = None
    for old in reversed(earlier):
        found = changes(old, new)
        if best is None or len(found) < len(best):
            best = found
    return best or []
