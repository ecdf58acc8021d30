"""Describe a Keras model for a `model` event: layers, shapes, parameter counts, connections."""

from __future__ import annotations

import math
from typing import Any

import keras

from trainer.instrument.values import shape_list

# Layer entries per model event, nested ones included; the event says when it stops short.
MAX_ENTRIES = 1000
MAX_DEPTH = 4


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_ENTRIES
        self.cut = False

    def take(self) -> bool:
        if self.left <= 0:
            self.cut = True
            return False
        self.left -= 1
        return True


def _size(weights: Any) -> int:
    return sum(math.prod(int(d) for d in w.shape) for w in weights)


def _params(layer: Any) -> int:
    try:
        return _size(getattr(layer, "weights", ()))
    except Exception:  # noqa: BLE001 - an unbuilt or unusual layer has no count
        return 0


def _shape(tensors: list[Any]) -> Any:
    shapes = [shape_list(getattr(t, "shape", None)) for t in tensors]
    if not shapes:
        return None
    return shapes[0] if len(shapes) == 1 else shapes


def _entry(op: Any, output_shape: Any, inbound: list[str]) -> dict[str, Any]:
    return {
        "name": str(op.name),
        "class": type(op).__name__,
        "output_shape": output_shape,
        "params": _params(op),
        "inbound": inbound,
    }


def _graph_layers(functional: Any, budget: _Budget) -> list[dict[str, Any]]:
    """Operations of a graph network in creation order, each with what feeds it in this network."""
    by_op: dict[int, tuple[Any, list[str], Any]] = {}
    for depth in sorted(functional._nodes_by_depth, reverse=True):  # noqa: SLF001
        for node in functional._nodes_by_depth[depth]:  # noqa: SLF001
            op = node.operation
            _, inbound, shape = by_op.setdefault(id(op), (op, [], _shape(node.outputs)))
            for parent in node.parent_nodes:
                name = str(parent.operation.name)
                if name not in inbound:
                    inbound.append(name)
    order = {id(op): index for index, op in enumerate(functional.operations)}
    ops = sorted(by_op.values(), key=lambda item: order.get(id(item[0]), len(order)))
    return [_entry(op, shape, inbound) for op, inbound, shape in ops if budget.take()]


def _sublayers(layer: Any) -> list[Any]:
    flatten = getattr(layer, "_flatten_layers", None)
    if flatten is None:
        return []
    return list(flatten(include_self=False, recursive=False))


def _output_shape_if_known(layer: Any) -> Any:
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if nodes:
        return _shape(nodes[0].outputs)
    built_with = getattr(layer, "_build_shapes_dict", None)
    method = type(layer).__dict__.get("compute_output_shape")
    # Only Keras' own shape arithmetic: a user's method, or a symbolic call, could print or trace.
    if not built_with or method is None or not type(layer).__module__.startswith("keras."):
        return None
    try:
        return shape_list(layer.compute_output_shape(**built_with))
    except Exception:  # noqa: BLE001 - shapes are a nicety
        return None


def _nested_layers(layer: Any, depth: int, budget: _Budget) -> list[dict[str, Any]]:
    """Sublayers of a subclassed model or layer; what feeds them is unknown until called."""
    out = []
    for sub in _sublayers(layer):
        if not budget.take():
            break
        entry = _entry(sub, _output_shape_if_known(sub), [])
        if depth < MAX_DEPTH:
            inner = _layers_of(sub, depth + 1, budget)
            if inner:
                entry["layers"] = inner
        out.append(entry)
    return out


def _chain(model: Any, budget: _Budget) -> list[dict[str, Any]]:
    out = []
    previous: list[str] = []
    for layer in model.layers:
        if not budget.take():
            break
        out.append(_entry(layer, _output_shape_if_known(layer), previous))
        previous = [str(layer.name)]
    return out


def _is_functional(model: Any) -> bool:
    return hasattr(model, "_nodes_by_depth") and not isinstance(model, keras.Sequential)


def _layers_of(layer: Any, depth: int, budget: _Budget) -> list[dict[str, Any]]:
    if isinstance(layer, keras.Sequential):
        functional = getattr(layer, "_functional", None)
        if functional is not None:
            return _graph_layers(functional, budget)
        return _chain(layer, budget)
    if _is_functional(layer):
        return _graph_layers(layer, budget)
    return _nested_layers(layer, depth, budget)


def kind(model: Any) -> str:
    if isinstance(model, keras.Sequential):
        return "sequential"
    return "functional" if _is_functional(model) else "subclassed"


def describe(model: Any) -> dict[str, Any]:
    """The `model` event for a built model."""
    total = _size(model.weights)
    trainable = _size(model.trainable_weights)
    budget = _Budget()
    event = {
        "type": "model",
        "name": str(model.name),
        "class": type(model).__name__,
        "kind": kind(model),
        "layers": _layers_of(model, 0, budget),
        "total_params": total,
        "trainable_params": trainable,
        "non_trainable_params": total - trainable,
    }
    if budget.cut:
        event["note"] = f"Only the first {MAX_ENTRIES} layers are listed."
    return event
