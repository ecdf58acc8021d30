"""Autobahn (Daphne's WebSocket layer) formats its per-socket debug dump only when it is logged."""
from __future__ import annotations

import pprint

from autobahn.websocket import protocol


class FormattedWhenLogged:
    """`pprint.pformat(obj)`, computed when a log line is written, not when it is filtered out."""

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __str__(self) -> str:
        return pprint.pformat(self.obj)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def install() -> None:
    """Autobahn pretty-prints its ~30 protocol options into a debug call for every socket it opens,
    whether debug logging is on or not: the module's `pformat` now defers that work."""
    protocol.pformat = FormattedWhenLogged  # type: ignore[assignment]
