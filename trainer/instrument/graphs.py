"""Describe a tf.Graph and the function bodies its ops call as a `graph` event."""

from __future__ import annotations

from collections import deque
from typing import Any

import tensorflow as tf

from trainer.instrument.sources import SourceFile
from trainer.instrument.values import attr_summary, dtype_name, function_names, shape_list

Part = dict[str, Any]
# The name scope of ops the instrumentation adds to a traced function (trainer/instrument/
# probes.py): left out of graph events.
HIDDEN_SCOPE = "playground_probe"

# Bodies a graph may reference; past this many the rest are listed by name only.
MAX_FUNCTIONS = 200


def _attrs(node_def: Any) -> tuple[dict[str, Any], list[str]]:
    attrs: dict[str, Any] = {}
    calls: list[str] = []
    for key in sorted(node_def.attr):
        if key.startswith("_"):
            continue
        value = node_def.attr[key]
        attrs[key] = attr_summary(value)
        calls.extend(function_names(value))
    return attrs, calls


def _node(ident: str, op: str, device: str, dtype: Any, shape: Any, attrs: dict[str, Any]) -> Part:
    return {
        "id": ident,
        "op": op,
        "name": ident,
        "scope": ident.rpartition("/")[0],
        "device": device or "",
        "dtype": dtype,
        "shape": shape,
        "attrs": attrs,
    }


def _edge(source: str, target: str, tensor: str | None, control: bool) -> Part:
    return {"source": source, "target": target, "tensor": tensor, "control": control}


def _data_edge(tensor: Any, target: str) -> Part:
    """An edge carrying `tensor`, with its dtype and shape as traced (None: known at run time)."""
    edge = _edge(tensor.op.name, target, tensor.name, False)
    edge["dtype"] = dtype_name(tensor.dtype)
    edge["shape"] = shape_list(tensor.shape)
    return edge


def _hidden(name: str) -> bool:
    """Ops the instrumentation added itself (per-replica probes), not the learner's."""
    if HIDDEN_SCOPE not in name:  # nearly every op: no split
        return False
    return any(part == HIDDEN_SCOPE or part.startswith(HIDDEN_SCOPE + "_")
               for part in name.split("/"))


def _live_part(graph: tf.Graph, source: SourceFile) -> tuple[Part, list[str]]:
    """Nodes and edges of a graph whose Operation objects are at hand (shapes and the snippet
    line that made each op included)."""
    nodes: list[Part] = []
    edges: list[Part] = []
    called: list[str] = []
    for op in graph.get_operations():
        if _hidden(op.name):
            continue
        attrs, calls = _attrs(op.node_def)
        outs = op.outputs
        first = outs[0] if outs else None
        node = _node(op.name, op.type, op.device,
                     dtype_name(first.dtype) if first is not None else None,
                     shape_list(first.shape) if first is not None else None, attrs)
        if len(outs) > 1:
            node["outputs"] = [{"dtype": dtype_name(t.dtype), "shape": shape_list(t.shape)}
                               for t in outs[:10]]
        if calls:
            node["calls"] = calls
            called.extend(calls)
        line = source.op_line(op)
        if line is not None:
            node["line"] = line
        nodes.append(node)
        edges.extend(_data_edge(t, op.name) for t in op.inputs if not _hidden(t.op.name))
        edges.extend(_edge(c.name, op.name, None, True) for c in op.control_inputs
                     if not _hidden(c.name))
    taken = {n["id"] for n in nodes}
    for index, tensor in enumerate(getattr(graph, "outputs", None) or ()):
        ident = f"output_{index}"
        while ident in taken:
            ident += "_"
        taken.add(ident)
        nodes.append(_node(ident, "_Retval", "", dtype_name(tensor.dtype),
                           shape_list(tensor.shape), {}))
        edges.append(_data_edge(tensor, ident))
    return {"nodes": nodes, "edges": edges}, called


def _source_of(ref: str) -> str:
    return ref.lstrip("^").split(":", 1)[0]


def _proto_part(fdef: Any) -> tuple[Part, list[str]]:
    """Nodes and edges of a FunctionDef, for bodies known only as a proto."""
    nodes: list[Part] = []
    edges: list[Part] = []
    called: list[str] = []
    for index, arg in enumerate(fdef.signature.input_arg):
        shape = None
        arg_attr = fdef.arg_attr.get(index)
        if arg_attr is not None and "_output_shapes" in arg_attr.attr:
            shapes = arg_attr.attr["_output_shapes"].list.shape
            shape = shape_list(tf.TensorShape(shapes[0])) if len(shapes) else None
        nodes.append(_node(arg.name, "_Arg", "", dtype_name(arg.type), shape, {}))
    for node_def in fdef.node_def:
        attrs, calls = _attrs(node_def)
        dtype = next((attrs[k] for k in ("dtype", "T", "out_type", "DstT") if k in attrs), None)
        node = _node(node_def.name, node_def.op, node_def.device,
                     dtype if isinstance(dtype, str) else None, None, attrs)
        if calls:
            node["calls"] = calls
            called.extend(calls)
        nodes.append(node)
        for ref in node_def.input:
            control = ref.startswith("^")
            edges.append(_edge(_source_of(ref), node_def.name, None if control else ref, control))
    for out in fdef.signature.output_arg:
        ident = f"output_{out.name}"
        nodes.append(_node(ident, "_Retval", "", dtype_name(out.type), None, {}))
        ref = fdef.ret.get(out.name)
        if ref:
            edges.append(_edge(_source_of(ref), ident, ref, False))
    return {"nodes": nodes, "edges": edges}, called


class _Library:
    """Finds the definition of a function name in the graphs seen so far."""

    def __init__(self, graph: tf.Graph, source: SourceFile) -> None:
        self.source = source
        self.graphs: list[tf.Graph] = []
        self.protos: dict[str, Any] | None = None
        self.add(graph)

    def add(self, graph: Any) -> None:
        while graph is not None and graph not in self.graphs:
            self.graphs.append(graph)
            graph = getattr(graph, "outer_graph", None)

    def find(self, name: str) -> Any:
        for graph in self.graphs:
            found = graph._get_function(name)  # noqa: SLF001 - the graph's own function table
            if found is not None:
                return found
        return None

    def proto(self, name: str) -> Any:
        if self.protos is None:
            library = self.graphs[0].as_graph_def().library
            self.protos = {f.signature.name: f for f in library.function}
        return self.protos.get(name)


def _body(library: _Library, name: str) -> tuple[Part, list[str]] | None:
    found = library.find(name)
    cached = getattr(found, "_cached_graph", None)
    if isinstance(cached, tf.Graph):
        library.add(cached)
        return _live_part(cached, library.source)
    definition = None
    if found is not None:
        try:
            definition = found.definition
        except Exception:  # noqa: BLE001 - fall back to the library proto
            definition = None
    if definition is None:
        definition = library.proto(name)
    return None if definition is None else _proto_part(definition)


def describe(function: str, graph: tf.Graph, source: SourceFile | None = None) -> dict[str, Any]:
    """The `graph` event for a graph: its own ops plus every body reachable from them."""
    source = source or SourceFile()
    main, called = _live_part(graph, source)
    library = _Library(graph, source)
    bodies: list[Part] = []
    seen: set[str] = set()
    queue = deque(called)
    while queue:
        name = queue.popleft()
        if name in seen:
            continue
        seen.add(name)
        if len(bodies) >= MAX_FUNCTIONS:
            bodies.append({"name": name, "nodes": [], "edges": [], "omitted": True})
            continue
        found = _body(library, name)
        if found is None:
            continue
        part, more = found
        bodies.append({"name": name, **part})
        queue.extend(more)
    return {"type": "graph", "function": function, **main, "functions": bodies}
