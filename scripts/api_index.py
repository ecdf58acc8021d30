"""Build the editor's API index from the TensorFlow, Keras and NumPy of this environment.

The index (`.cache/api-index.json`, copied by static/build.mjs into static/dist with a content
hash and gzipped beside it) maps each public dotted name to what the editor's completion, signature
help and hover need:

    {"meta": {"tensorflow": "2.21.0", "keras": ..., "numpy": ..., "lock": <sha256 of the lock>},
     "names": {"tf.data.Dataset.batch": {"k": "method", "p": ["batch_size", ...], "d": "...",
                                          "r": "tf.data.Dataset"}, ...}}

Entry fields: `k` kind (module, class, function, method, property, attribute), `p` the parameters
as Python writes them (annotations left out, `/` and `*` markers kept), `d` the first paragraph of
the docstring, `r` the class a call returns, `t` the class of an attribute's value, `b` a class's
indexed ancestors in method resolution order, `a` the name this one is another name for (the same
object, documented once). A class's members are listed under the class that defines them: a
member it inherits from an indexed ancestor is found through `b`.

Run by scripts/build_assets.py when requirements.lock changed or the index is missing; never by
the web side. Usage: python -m scripts.api_index [--out PATH]
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import logging
import os
import re
import sys
import time
import warnings
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from scripts.api_describe import (
    DEFAULT_MAX,
    attribute,
    class_parameters,
    first_paragraph,
    parameters,
    signature,
    text_signature,
)

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
DEFAULT_OUT = ROOT / ".cache" / "api-index.json"

# (index name, module, which of its submodules to walk: None for all of them). The names are
# the ones a snippet writes (`import tensorflow as tf`); the editor maps imports onto them.
ROOTS: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("tf", "tensorflow", None),
    ("keras", "keras", None),
    ("numpy", "numpy", frozenset({"random", "linalg", "fft"})),
)
# Not walked: the generated op wrappers (tf.raw_ops, 1,500 names that tf.* wraps), keras' private
# implementation and the TF1 API's second copy of TF2 (tf.compat.v2 is tf itself).
SKIP = frozenset({"tf.raw_ops", "keras.src", "tf.compat.v2", "tf.compat.v1.compat"})

def lock_hash() -> str:
    return hashlib.sha256(LOCK.read_bytes()).hexdigest() if LOCK.exists() else ""


def public(name: str) -> bool:
    return not name.startswith("_")


def is_module(obj: Any) -> bool:
    return isinstance(obj, ModuleType) or type(obj).__name__ in ("TFModuleWrapper",
                                                                   "KerasLazyLoader")


def module_name(obj: Any) -> str:
    return str(getattr(obj, "__name__", "") or "")


def api_module(obj: Any) -> bool:
    """Whether a module is part of a public API: TensorFlow's generated `tensorflow._api`
    modules, Keras' outside `keras.src` (tf.keras is `keras._tf_keras.keras`), NumPy's; not an
    implementation package a module happens to expose (tf.dtensor's `python`) nor `os`."""
    name = module_name(obj)
    if name == "tensorflow" or name.startswith("tensorflow._api."):
        return True
    parts = name.split(".")
    if parts[0] == "keras":
        return all(not p.startswith("_") or p == "_tf_keras" for p in parts) and "src" not in parts
    return parts[0] == "numpy"


def children(module: Any) -> Iterator[tuple[str, Any]]:
    """The public attributes of a module, without the implementation packages it exposes."""
    for attr in sorted(filter(public, dir(module))):
        obj = attribute(module, attr)
        if obj is not None and not (is_module(obj) and not api_module(obj)):
            yield attr, obj


def collect() -> tuple[dict[str, Any], dict[int, str]]:
    """Every public name of the roots with its object, and the name each module is walked under.
    Breadth first over all roots at once, so that a module is walked (and its members named)
    under its shortest name: keras.optimizers rather than tf.keras.optimizers or
    tf.compat.v1.keras.optimizers, which become its aliases."""
    found: dict[str, Any] = {}
    homes: dict[int, str] = {}
    queue: deque[tuple[str, Any, frozenset[str] | None]] = deque()
    for name, module_path, only in ROOTS:
        module = importlib.import_module(module_path)
        found[name] = module
        homes[id(module)] = name
        queue.append((name, module, only))
    while queue:
        name, module, only = queue.popleft()
        for attr, obj in children(module):
            full = f"{name}.{attr}"
            if full in SKIP:
                continue
            found[full] = obj
            if is_module(obj) and id(obj) not in homes and (only is None or attr in only):
                homes[id(obj)] = full
                # Below a root's chosen submodules (NumPy's), nothing further is walked.
                queue.append((full, obj, None if only is None else frozenset()))
    return found, homes


def aliasable(obj: Any) -> bool:
    return is_module(obj) or inspect.isclass(obj) or callable(obj)


def canonical_names(found: dict[str, Any], homes: dict[int, str]) -> dict[int, str]:
    """For each object met under several names, the one that documents it: a module's is the one
    it was walked under, anything else's the shortest path, then the first root."""
    order = {name: i for i, (name, _, _) in enumerate(ROOTS)}
    best: dict[int, str] = dict(homes)
    for name in sorted(found, key=lambda n: (n.count("."), order[n.split(".")[0]], n)):
        obj = found[name]
        if aliasable(obj):
            best.setdefault(id(obj), name)
    return best


class Indexer:
    """Turns the collected names into entries; one per name."""

    def __init__(self, found: dict[str, Any], homes: dict[int, str]) -> None:
        self.found = found
        self.canonical = canonical_names(found, homes)
        # Class short name -> canonical names, to read "Returns: A `Dataset`" in docstrings.
        self.by_short: dict[str, set[str]] = {}
        for name in self.canonical.values():
            obj = found[name]
            if inspect.isclass(obj):
                self.by_short.setdefault(obj.__name__, set()).add(name)
                self.by_short.setdefault(name.rsplit(".", 1)[1], set()).add(name)
        self.names: dict[str, dict[str, Any]] = {}

    def indexed_class(self, cls: Any) -> str | None:
        return self.canonical.get(id(cls)) if inspect.isclass(cls) else None

    def build(self) -> dict[str, dict[str, Any]]:
        for name in sorted(self.found):
            obj = self.found[name]
            home = self.canonical.get(id(obj)) if aliasable(obj) else None
            if home is not None and home != name:
                self.names[name] = {"a": home}
            else:
                self.add(name, obj)
        return self.names

    def add(self, name: str, obj: Any) -> None:
        if is_module(obj):
            self.names[name] = {"k": "module", "d": first_paragraph(inspect.getdoc(obj))}
        elif inspect.isclass(obj):
            self.add_class(name, obj)
        elif callable(obj):
            self.names[name] = self.callable_entry(obj, "function", name.rsplit(".", 1)[1])
        else:
            self.names[name] = self.value_entry(obj)

    def value_entry(self, value: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {"k": "attribute"}
        kind = self.indexed_class(type(value))
        if kind:
            entry["t"] = kind
        if isinstance(value, int | float | str | bool) and len(repr(value)) <= DEFAULT_MAX:
            entry["v"] = repr(value)
        return entry

    def callable_entry(self, obj: Any, kind: str, short: str, owner: Any = None,
                       method: bool = False) -> dict[str, Any]:
        entry: dict[str, Any] = {"k": kind, "d": first_paragraph(inspect.getdoc(obj), short)}
        sig = signature(obj)
        if sig is not None:
            first = next(iter(sig.parameters), "")
            entry["p"] = parameters(sig, drop_first=method and first in ("self", "cls"))
        else:
            params = text_signature(obj, short)
            if params is not None:
                entry["p"] = params
        returns = self.return_type(obj, sig, owner)
        if returns:
            entry["r"] = returns
        return entry

    def add_class(self, name: str, cls: type) -> None:
        entry: dict[str, Any] = {"k": "class", "d": first_paragraph(inspect.getdoc(cls))}
        params = class_parameters(cls)
        if params is not None:
            entry["p"] = params
        bases = [base for base in (self.indexed_class(c) for c in cls.__mro__[1:-1]) if base]
        if bases:
            entry["b"] = bases
        self.names[name] = entry
        for member in sorted(filter(public, dir(cls))):
            owner = next((c for c in cls.__mro__ if member in vars(c)), None)
            if owner is not None and owner is not cls and self.indexed_class(owner):
                continue  # documented under that ancestor
            described = self.member_entry(cls, member)
            if described is not None:
                self.names[f"{name}.{member}"] = described
        for runtime in runtime_classes(name):
            for member in sorted(set(filter(public, dir(runtime))) - set(dir(cls))):
                described = self.member_entry(runtime, member)
                if described is not None:
                    self.names[f"{name}.{member}"] = described

    def member_entry(self, cls: type, member: str) -> dict[str, Any] | None:
        try:
            raw = inspect.getattr_static(cls, member)
        except AttributeError:
            return None
        if isinstance(raw, property):
            entry: dict[str, Any] = {"k": "property", "d": first_paragraph(inspect.getdoc(raw))}
            returns = self.return_type(raw.fget, signature(raw.fget) if raw.fget else None, cls)
            if returns:
                entry["t"] = returns
            return entry
        value = attribute(cls, member)
        if inspect.isclass(value):
            home = self.canonical.get(id(value))
            return {"a": home} if home else {"k": "class", "d": first_paragraph(
                inspect.getdoc(value))}
        if callable(value):
            bound = isinstance(raw, classmethod | staticmethod)
            return self.callable_entry(value, "method", member, cls, method=not bound)
        if value is None and type(raw).__name__ not in ("NoneType",):
            # A descriptor the class itself cannot read (cached properties and the like).
            return {"k": "property", "d": first_paragraph(inspect.getdoc(raw))}
        return self.value_entry(value)

    def return_type(self, fn: Any, sig: inspect.Signature | None, owner: Any) -> str | None:
        """The indexed class a call returns: its annotation, else its docstring's Returns."""
        if sig is not None and sig.return_annotation is not inspect.Signature.empty:
            found = self.annotation_class(fn, sig.return_annotation)
            if found:
                return found
        return self.documented_return(inspect.getdoc(fn) or "", owner)

    def annotation_class(self, fn: Any, annotation: Any) -> str | None:
        if isinstance(annotation, str):
            try:
                namespace = getattr(inspect.unwrap(fn), "__globals__", {})
            except ValueError:
                namespace = {}
            annotation = namespace.get(annotation.strip("'\""))
        return self.indexed_class(annotation)

    def documented_return(self, doc: str, owner: Any) -> str | None:
        match = re.search(r"^Returns?:\s*\n\s*(.+)", doc, re.MULTILINE)
        if not match:
            return None
        if re.search(r"\b(list|tuple|dict|dictionary|iterable|sequence|pair)s?\b", match.group(1),
                     re.IGNORECASE):
            return None  # a collection of them, not one
        for token in re.findall(r"`([A-Za-z_][\w.]*)`|\b(Tensor|Dataset)\b", match.group(1)):
            word = token[0] or token[1]
            found = self.class_named(word, owner)
            if found:
                return found
        return None

    def class_named(self, word: str, owner: Any) -> str | None:
        if owner is not None and word == owner.__name__:
            return self.indexed_class(owner)
        if "." in word:
            return self.indexed_class(self.found.get(word))
        names = self.by_short.get(word, set())
        return next(iter(names)) if len(names) == 1 else None


def runtime_classes(name: str) -> list[type]:
    """Private classes whose instances a snippet meets under a public class's name: an eager
    tf.Tensor is an EagerTensor, which adds numpy() and the like."""
    if name != "tf.Tensor":
        return []
    import tensorflow as tf

    return [type(tf.constant(0.0))]


def versions() -> dict[str, str]:
    return {package: str(importlib.import_module(package).__version__)
            for package in ("tensorflow", "keras", "numpy")}


def build_index() -> dict[str, Any]:
    found, homes = collect()
    names = Indexer(found, homes).build()
    meta = {**versions(), "lock": lock_hash(), "python": sys.version.split()[0]}
    for entry in names.values():
        if entry.get("d") == "":
            del entry["d"]
    return {"meta": meta, "names": dict(sorted(names.items()))}


def quiet() -> None:
    """TensorFlow's start-up chatter and deprecation warnings stay out of the build log."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    warnings.simplefilter("ignore")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    quiet()
    sys.argv = sys.argv[:1]  # absl's FLAGS (tf.compat.v1.flags) parses argv when touched
    started = time.monotonic()
    index = build_index()
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"api index: {len(index['names'])} names, {len(text.encode()) // 1024} KiB, "
          f"{time.monotonic() - started:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
