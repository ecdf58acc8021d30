"""Keep one data event under its byte cap: fewer rows or samples, then no pictures, then none."""

from __future__ import annotations

import json
from typing import Any


def size_of(event: dict[str, Any]) -> int:
    return len(json.dumps(event, separators=(",", ":"), default=str).encode("utf-8"))


def _without_images(value: Any) -> Any:
    if isinstance(value, dict):
        if "image" in value:
            return {k: v for k, v in value.items() if k != "image"} | {"image_omitted": True}
        return {k: _without_images(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_images(v) for v in value]
    return value


def fit_event(event: dict[str, Any], key: str, max_bytes: int) -> dict[str, Any]:
    """`event` as it is when it fits; else its list under `key` halved while more than one
    item is left, then without thumbnails, then empty, each time with a `note` saying so."""
    if size_of(event) <= max_bytes:
        return event
    items = list(event.get(key) or [])
    shrunk = dict(event)
    while len(items) > 1:
        items = items[: len(items) // 2]
        shrunk[key] = items
        shrunk["note"] = f"Cut to {len(items)} to stay under {max_bytes} bytes."
        if size_of(shrunk) <= max_bytes:
            return shrunk
    shrunk[key] = _without_images(items)
    shrunk["note"] = f"Pictures left out to stay under {max_bytes} bytes."
    if size_of(shrunk) <= max_bytes:
        return shrunk
    shrunk[key] = []
    shrunk["note"] = f"Too large to show (over {max_bytes} bytes)."
    return shrunk
