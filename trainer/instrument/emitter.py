"""Send instrumentation events safely: bounded per type, never raising (the runner's writer
makes an event JSON-safe when it is not)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from trainer.instrument.values import short

# Per-run caps on what the instrumentation itself sends; the supervisor caps the stream too.
LIMITS = {
    "graph": 64,
    "trace": 500,
    "autograph": 64,
    "model": 64,
    "metrics": 5000,
    "function_stats": 64,  # live ones once a second at most, and the final one
    "image": 32,
    "instrument_error": 8,
}


class Emitter:
    """Wraps the runner's emit: one lock, a budget per event type, failures noted once per site."""

    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        self._emit = emit
        self._lock = threading.RLock()
        self._sent: dict[str, int] = {}
        self._failed_sites: set[str] = set()

    def remaining(self, kind: str) -> int:
        """How many more events of this type fit in the run's budget."""
        return max(0, LIMITS.get(kind, 1000) - self._sent.get(kind, 0))

    def room(self, kind: str) -> bool:
        return self.remaining(kind) > 0

    def send(self, event: dict[str, Any]) -> bool:
        """Emit event unless its type is over budget."""
        kind = event["type"]
        with self._lock:
            if not self.room(kind):
                return False
            self._sent[kind] = self._sent.get(kind, 0) + 1
            try:
                self._emit(event)
            except Exception:  # noqa: BLE001 - a broken pipe must not break the user's run
                return False
            return True

    def failed(self, site: str, error: BaseException) -> None:
        """Note an internal failure, once per site, for debugging; user code never sees it."""
        with self._lock:
            if site in self._failed_sites:
                return
            self._failed_sites.add(site)
        message = short(f"{site}: {type(error).__name__}: {error}", 500)
        self.send({"type": "instrument_error", "message": message})
