"""Run a snippet as `python file.py` runs it, and say on stderr when Keras ends its first
training batch: the local counterpart of the first `metrics` event a run streams.

    python bench/local_probe.py file.py

Nothing is imported ahead of the snippet: the mark is hooked in when the snippet's own imports
load Keras' callback list, so the cold start costs what it costs a learner.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import runpy
import sys
from types import ModuleType
from typing import Any

MARK = b"\0tfpg-first-batch\n"
WATCHED = "keras.src.callbacks.callback_list"


def _mark_first_batch(module: ModuleType) -> None:
    """Wrap CallbackList.on_train_batch_end to write MARK to stderr once."""
    original = module.CallbackList.on_train_batch_end
    marked = False

    def on_train_batch_end(self: Any, batch: int, logs: Any = None) -> Any:
        nonlocal marked
        result = original(self, batch, logs)
        if not marked:
            marked = True
            os.write(2, MARK)
        return result

    module.CallbackList.on_train_batch_end = on_train_batch_end


class _Watcher(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when WATCHED is found by the others, marks it once executed."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != WATCHED:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            _mark_first_batch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def main() -> None:
    path = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    sys.meta_path.insert(0, _Watcher())
    runpy.run_path(path, run_name="__main__")


if __name__ == "__main__":
    main()
