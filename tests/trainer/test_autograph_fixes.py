"""AutoGraph without its walk over sys.modules: same sources, same errors, no module asked."""
from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tensorflow as tf
from tensorflow.python.autograph.pyct import inspect_utils

from trainer.sandbox import autograph_fixes, runner


class LazyModule(types.ModuleType):
    """A module answering attribute questions on demand, as lazy loaders do: it counts them."""

    def __init__(self, name: str, file: str) -> None:
        super().__init__(name)
        self.asked = 0
        self.lazy_file = file

    def __getattr__(self, name: str) -> Any:
        if name == "__file__":
            self.asked += 1
            return self.lazy_file
        raise AttributeError(name)


@pytest.fixture
def fixed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fix installed for one test; AutoGraph's own function is back after it."""
    monkeypatch.setattr(inspect_utils, "_fix_linecache_record",
                        inspect_utils._fix_linecache_record)
    assert autograph_fixes.install()
    yield


def _load(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lazy(monkeypatch: pytest.MonkeyPatch, file: str) -> LazyModule:
    lazy = LazyModule("tfpg_lazy_probe", file)
    monkeypatch.setitem(sys.modules, lazy.__name__, lazy)
    return lazy


def test_it_is_what_autograph_calls_before_reading_a_source(fixed: None) -> None:
    """An upgrade that renames the function or stops looking it up by name fails here."""
    called = inspect_utils.getimmediatesource.__globals__["_fix_linecache_record"]
    assert hasattr(called, autograph_fixes.ORIGINAL)
    assert not autograph_fixes.install(), "installed twice"


def test_it_asks_no_module_about_a_file_on_disk(fixed: None, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "on_disk.py"
    path.write_text("def f(x):\n    if x > 0:\n        return x * x + 1\n    return x\n")
    lazy = _lazy(monkeypatch, str(path))
    code = tf.autograph.to_code(_load(path, "tfpg_on_disk").f)
    assert "ag__.if_stmt" in code
    assert lazy.asked == 0


def test_autograph_alone_would_have_asked_every_module(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix saves: without it each conversion asks each module for its file."""
    path = tmp_path / "walked.py"
    path.write_text("def f(x):\n    return x * x + 1\n")
    lazy = _lazy(monkeypatch, str(path))
    original = getattr(inspect_utils._fix_linecache_record, autograph_fixes.ORIGINAL,
                       inspect_utils._fix_linecache_record)
    original(_load(path, "tfpg_walked").f)
    assert lazy.asked > 0


def test_a_source_not_on_disk_still_takes_autograph_own_path(
        fixed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    lazy = _lazy(monkeypatch, "/nowhere/else.py")
    namespace = runner.register_source("<tfpg registered>", "def g(x):\n    return x * 5353\n")
    assert "5353" in tf.autograph.to_code(namespace["g"])
    assert lazy.asked > 0


def test_a_file_changed_on_disk_is_converted_as_it_is_now(fixed: None, tmp_path: Path) -> None:
    path = tmp_path / "edited.py"
    path.write_text("def f(x):\n    return x * 31\n")
    assert "31" in tf.autograph.to_code(_load(path, "tfpg_edited").f)
    path.write_text("def f(x):\n    return x * 4747\n")
    code = tf.autograph.to_code(_load(path, "tfpg_edited").f)
    assert "4747" in code and "31" not in code


def test_an_error_in_a_converted_function_names_the_snippet_line(fixed: None,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "main.py"
    source = ("import tensorflow as tf\n\n@tf.function\ndef f(x):\n    if x > 0:\n"
              "        raise ValueError('positive')\n    return x\n")
    path.write_text(source)
    with pytest.raises(ValueError, match="positive") as raised:
        _load(path, "tfpg_main").f(tf.constant(1.0))
    event = runner.error_event(raised.value, str(path))
    assert event["line"] == 6
    assert f'"{path}", line 6, in f' in event["message"]
    assert "raise ValueError('positive')" in event["message"]  # the line read from the source
