"""The child's event writer: what it is given before its pipe is open waits, in order."""
from __future__ import annotations

import json
import os
import threading

from trainer.sandbox.runner import EventWriter


def _lines(fd: int) -> list[dict]:
    with os.fdopen(fd) as f:
        return [json.loads(line) for line in f]


def test_events_before_open_wait_and_go_first_in_order() -> None:
    writer = EventWriter(None)
    writer({"type": "instrument_error", "site": "install"})
    writer({"type": "stdout", "text": "early"})
    read, write = os.pipe()
    writer.open(write)
    writer({"type": "stdout", "text": "late", "bad": float("nan")})
    os.close(write)
    assert _lines(read) == [{"type": "instrument_error", "site": "install"},
                            {"type": "stdout", "text": "early"},
                            {"type": "stdout", "text": "late", "bad": None}]


def test_an_open_writer_writes_a_long_event_whole() -> None:
    read, write = os.pipe()
    got: list[list[dict]] = []
    reader = threading.Thread(target=lambda: got.append(_lines(read)))
    reader.start()
    writer = EventWriter(write)
    writer({"type": "stdout", "text": "x" * 200_000})  # more than a pipe holds: several writes
    os.close(write)
    reader.join(timeout=30)
    assert [event["text"] for event in got[0]] == ["x" * 200_000]
