"""The editor's API index says what the installed TensorFlow, Keras and NumPy say: their
versions, a sample of signatures and docstrings re-read from the packages, every public member
of tf.data.Dataset and of the layer modules; it stays well under 1 MB compressed; the concept
links name things it has and concepts the catalogue has; and the build makes it again only when
requirements.lock changed or it is missing."""
from __future__ import annotations

import gzip
import importlib
import inspect
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from scripts import api_index, build_assets

ROOT = Path(__file__).resolve().parents[2]
MODULES = {"tf": "tensorflow", "keras": "keras", "numpy": "numpy"}
SAMPLE = 400
ALWAYS = ["tf.function", "tf.data.Dataset.batch", "tf.data.Dataset.from_tensor_slices",
          "keras.layers.Dense", "tf.constant", "keras.Model.fit", "keras.Model.compile",
          "numpy.array", "tf.distribute.MirroredStrategy", "tf.config.list_physical_devices"]


@pytest.fixture(scope="module")
def index() -> dict[str, Any]:
    """The index the build made, when it was made from this lock; else one made now."""
    if build_assets.index_lock() == api_index.lock_hash():
        return dict(json.loads(api_index.DEFAULT_OUT.read_text(encoding="utf-8")))
    api_index.quiet()
    return api_index.build_index()


def installed(name: str) -> Any:
    root, *path = name.split(".")
    obj = importlib.import_module(MODULES[root])
    for part in path:
        obj = getattr(obj, part)
    return obj


def resolve(names: dict[str, Any], name: str) -> str | None:
    """What the editor does (static/src/workspace/assist/api-index.js): follow aliases, look an
    unlisted member up in the owner's ancestors."""
    if name in names:
        while "a" in names[name]:
            name = names[name]["a"]
        return name
    owner, _, member = name.rpartition(".")
    found = resolve(names, owner) if owner else None
    if found is None:
        return None
    for candidate in [found, *names[found].get("b", [])]:
        if f"{candidate}.{member}" in names:
            return resolve(names, f"{candidate}.{member}")
    return None


def parameter_names(params: list[str]) -> list[str]:
    return [p.split("=")[0] for p in params if p not in ("/", "*")]


def signature_names(obj: Any, drop_self: bool) -> list[str] | None:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    stars = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    names = [stars.get(p.kind, "") + p.name for p in sig.parameters.values()]
    return names[1:] if drop_self and names[:1] in (["self"], ["cls"]) else names


def spoken(text: str) -> str:
    return " ".join(text.split())


def test_it_is_built_from_the_installed_versions_and_lock(index):
    import keras
    import numpy
    import tensorflow

    meta = index["meta"]
    assert (meta["tensorflow"], meta["keras"], meta["numpy"]) == (
        tensorflow.__version__, keras.__version__, numpy.__version__)
    assert meta["lock"] == api_index.lock_hash()
    assert len(index["names"]) > 10_000


def test_a_sample_of_signatures_and_docs_is_what_the_packages_say(index):
    names = index["names"]
    callables = sorted(n for n, e in names.items() if e.get("k") in ("function", "method", "class")
                       and "p" in e)
    sample = random.Random(24).sample(callables, SAMPLE) + ALWAYS
    wrong = []
    for name in sample:
        entry, obj = names[name], installed(name)
        found = parameter_names(entry["p"])
        if entry["k"] == "class":
            init = vars(obj).get("__init__") or getattr(obj, "__init__", None)
            options = [signature_names(obj, False), signature_names(init, True)]
        else:
            options = [signature_names(obj, entry["k"] == "method")]
        if found not in options and options != [None]:
            wrong.append((name, found, options))
        doc = spoken(inspect.getdoc(obj) or "")
        said = re.sub(r" \(deprecated( arguments)?\).*| …$", "", entry.get("d", ""))[:60]
        if said and said not in doc:
            wrong.append((name, said, doc[:200]))
    assert wrong == []


def test_the_documented_return_classes_are_indexed_classes(index):
    names = index["names"]
    assert names["tf.data.Dataset.batch"]["r"] == "tf.data.Dataset"
    assert names["tf.data.Dataset.from_tensor_slices"]["r"] == "tf.data.Dataset"
    assert names[resolve(names, "tf.constant")]["r"] == "tf.Tensor"
    returned = {e[key] for e in names.values() for key in ("r", "t") if key in e}
    assert all(names[resolve(names, r)]["k"] == "class" for r in returned)


@pytest.mark.parametrize("owner", ["tf.data.Dataset", "tf.keras.layers", "keras.layers",
                                   "tf.config", "tf.distribute", "tf.keras.Model"])
def test_every_public_member_is_indexed(index, owner):
    members = [m for m in dir(installed(owner)) if not m.startswith("_")]
    missing = [m for m in members if resolve(index["names"], f"{owner}.{m}") is None]
    assert members and missing == []


def test_it_stays_well_under_a_megabyte_compressed(index):
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert len(gzip.compress(text.encode(), 9)) < 600_000


def test_the_concept_links_name_indexed_things_and_concepts_of_the_catalogue(index):
    source = (ROOT / "static/src/workspace/assist/concepts.js").read_text(encoding="utf-8")
    covers = re.findall(r'^\s*"?([\w.*]+)"?: "([\w-]+)",$', source, re.MULTILINE)
    concepts = {p.name for p in (ROOT / "playground/concepts/content/concepts").iterdir()}
    assert len(covers) > 20
    for key, slug in covers:
        assert slug in concepts, slug
        if key.endswith("*"):
            assert any(n.startswith(key[:-1]) for n in index["names"]), key
        else:
            assert resolve(index["names"], key) == key, key


def test_the_build_makes_it_again_only_when_the_lock_changed(tmp_path, monkeypatch):
    made: list[list[str]] = []
    monkeypatch.setattr(build_assets, "API_INDEX", tmp_path / "api-index.json")
    monkeypatch.setattr(build_assets.subprocess, "run", lambda args, **kw: made.append(args))
    assert build_assets.write_api_index() is True  # missing
    build_assets.API_INDEX.write_text(json.dumps({"meta": {"lock": api_index.lock_hash()}}))
    assert build_assets.write_api_index() is False  # built from this lock
    build_assets.API_INDEX.write_text(json.dumps({"meta": {"lock": "an older lock"}}))
    assert build_assets.write_api_index() is True
    assert len(made) == 2 and made[0][1:3] == ["-m", "scripts.api_index"]
