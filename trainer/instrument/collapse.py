"""Fit a `graph` event under the size cap: collapse by top-level name scope, never drop silently."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

Part = dict[str, Any]

TOP_OP_TYPES = 8
MAX_CALLS = 20
MAX_LINES = 20  # snippet lines a collapsed scope lists, for the editor's highlight


def encoded_size(event: dict[str, Any]) -> int:
    return len(json.dumps(event, allow_nan=False).encode("utf-8"))


def _group_key(node: Part, unscoped: Counter[str]) -> str:
    name = node["name"]
    if "/" in name:
        return name.split("/", 1)[0]
    # Ops at the top level are grouped by type, unless that type occurs once.
    return name if unscoped[node["op"]] == 1 else f"({node['op']})"


def _collapse_part(part: Part) -> Part:
    """One node per top-level scope (op counts in attrs), edges between scopes (with counts)."""
    nodes = part["nodes"]
    unscoped = Counter(n["op"] for n in nodes if "/" not in n["name"])
    group_of = {n["id"]: _group_key(n, unscoped) for n in nodes}
    members: dict[str, list[Part]] = {}
    for node in nodes:
        members.setdefault(group_of[node["id"]], []).append(node)
    out_nodes = [_scope_node(key, group) for key, group in members.items()]
    links: dict[tuple[str, str], list[bool]] = {}
    for edge in part["edges"]:
        source = group_of.get(edge["source"], edge["source"])
        target = group_of.get(edge["target"], edge["target"])
        if source != target:
            links.setdefault((source, target), []).append(edge["control"])
    out_edges = [
        {"source": s, "target": t, "tensor": None, "control": all(kinds), "count": len(kinds)}
        for (s, t), kinds in links.items()
    ]
    return {"nodes": out_nodes, "edges": out_edges}


def _scope_node(key: str, group: list[Part]) -> Part:
    """The node standing for `group`: a single op as itself, several as a scope."""
    types = Counter(n["op"] for n in group)
    calls = sorted({c for n in group for c in n.get("calls", ())})[:MAX_CALLS]
    single = group[0] if len(group) == 1 else None
    node = {
        "id": key,
        "op": single["op"] if single else "scope",
        "name": key,
        "scope": "",
        "device": single["device"] if single else "",
        "dtype": single["dtype"] if single else None,
        "shape": single["shape"] if single else None,
        "attrs": {"ops": len(group), "op_types": dict(types.most_common(TOP_OP_TYPES))},
        "count": len(group),
    }
    if calls:
        node["calls"] = calls
    lines = sorted({n["line"] for n in group if isinstance(n.get("line"), int)})
    if lines:
        node["line"] = lines[0]
        node["lines"] = lines[:MAX_LINES]
    return node


def _ops(event: dict[str, Any]) -> int:
    return len(event["nodes"]) + sum(len(f["nodes"]) for f in event["functions"])


def _keep_largest(event: dict[str, Any], keep: int) -> dict[str, Any]:
    nodes = sorted(event["nodes"], key=lambda n: -n.get("count", 1))[:keep]
    kept = {n["id"] for n in nodes}
    edges = [e for e in event["edges"] if e["source"] in kept and e["target"] in kept]
    return {**event, "nodes": nodes, "edges": edges}


def fit(event: dict[str, Any], max_bytes: int) -> tuple[dict[str, Any], int]:
    """The event and its size if it fits, else a collapsed one that says what was left out."""
    size = encoded_size(event)
    if size <= max_bytes:
        return event, size
    total_ops = _ops(event)
    main = _collapse_part(event)
    bodies = [{"name": f["name"], **_collapse_part(f), "collapsed": True}
              for f in event["functions"]]
    out = {**event, **main, "functions": bodies, "collapsed": True}
    note = (f"This graph has {total_ops} ops ({size} bytes as JSON, over the {max_bytes}-byte "
            "cap), so it is shown collapsed: one node per top-level name scope, with op counts.")
    out["note"] = note
    if (out_size := encoded_size(out)) <= max_bytes:
        return out, out_size
    out["functions"] = [{"name": f["name"], "nodes": [], "edges": [], "omitted": True}
                        for f in event["functions"]]
    out["note"] = note + " Function bodies are listed by name only."
    if (out_size := encoded_size(out)) <= max_bytes:
        return out, out_size
    groups = len(out["nodes"])
    low, high = 0, groups
    while low < high:
        mid = (low + high + 1) // 2
        if encoded_size(_keep_largest(out, mid)) <= max_bytes:
            low = mid
        else:
            high = mid - 1
    out = _keep_largest(out, low)
    out["functions"] = []
    out["note"] = (note + f" Only the {low} largest of {groups} scopes fit; "
                   "the rest and the function bodies are left out.")
    return out, encoded_size(out)
