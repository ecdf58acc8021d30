"""Shared fixtures for the instrumentation tests: an installed Instrumentation and snippet runs.

Test modules import the fixtures from here: pytest registers fixtures found in a module.
"""

from __future__ import annotations

import itertools
import json
import linecache
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from trainer.instrument import Instrumentation
from trainer.sandbox.runner import encode_line

_snippets = itertools.count(1)


class Recorder:
    """Collects the events an Instrumentation emits, as the supervisor reads them from the
    runner's writer."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(json.loads(encode_line(event)))

    def of(self, kind: str, **fields: Any) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind
                and all(e.get(k) == v for k, v in fields.items())]


def run_snippet(code: str, **names: Any) -> dict[str, Any]:
    """Run code the way the sandbox does: compiled under a filename registered in linecache."""
    filename = f"/sandbox/snippet_{next(_snippets)}.py"
    lines = code.splitlines(keepends=True)
    # An mtime of None keeps linecache.checkcache() from dropping a file that is not on disk.
    linecache.cache[filename] = (len(code), None, lines, filename)
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": filename, **names}
    exec(compile(code, filename, "exec"), namespace)  # noqa: S102 - this is what the sandbox does
    return namespace


@pytest.fixture
def instrument() -> Iterator[Callable[..., Recorder]]:
    """instrument(**options) installs an Instrumentation and returns its recorder; undone after."""
    installed: list[tuple[Instrumentation, Recorder]] = []

    def make(**options: Any) -> Recorder:
        recorder = Recorder()
        instrumentation = Instrumentation(recorder, **options)
        instrumentation.install()
        installed.append((instrumentation, recorder))
        recorder.instrumentation = instrumentation  # type: ignore[attr-defined]
        return recorder

    yield make
    for instrumentation, recorder in reversed(installed):
        instrumentation.uninstall()
        for event in recorder.events:
            assert "seq" not in event and "t" not in event
            json.dumps(event, allow_nan=False)  # every event is strict JSON


@pytest.fixture
def recorder(instrument: Callable[..., Recorder]) -> Recorder:
    return instrument()
