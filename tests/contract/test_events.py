"""The supervisor-side checks of child messages (no sandbox needed)."""
from __future__ import annotations

import json
import os

import pytest

from trainer import protocol


def test_framed_messages_round_trip_through_a_pipe():
    r, w = os.pipe()
    protocol.write_message(w, {"code": "print('hi')", "mode": "eager"})
    assert protocol.read_message(r) == {"code": "print('hi')", "mode": "eager"}
    os.close(w)
    with pytest.raises(EOFError):
        protocol.read_message(r)
    os.close(r)


def test_oversized_frame_is_refused():
    r, w = os.pipe()
    os.write(w, protocol.HEADER.pack(protocol.MAX_MESSAGE + 1))
    with pytest.raises(ValueError):
        protocol.read_message(r)
    os.close(r)
    os.close(w)


@pytest.mark.parametrize("event", [
    {"type": "done", "status": "succeeded"},
    {"type": "status", "status": "running"},
    {"type": "stdout", "text": "x"},
    {"type": "truncated", "stream": "stdout", "dropped_bytes": 1},
    {"type": "resources", "rss_mb": 1, "cpu_s": 1},
    {"type": "graph", "function": "f"},  # nodes and edges missing
    {"type": "error", "exc_type": 1, "message": "m", "traceback": []},
    ["not", "a", "dict"],
    {"type": 5},
])
def test_events_only_the_supervisor_may_write_or_malformed_ones_are_dropped(event):
    assert protocol.check_child_event(event) is None


def test_a_child_event_loses_forged_numbering_and_non_finite_floats():
    event = {"type": "metrics", "phase": "train", "logs": {"loss": float("nan"), "acc": 0.5},
             "seq": 1, "t": 0}
    clean = protocol.check_child_event(event)
    assert clean == {"type": "metrics", "phase": "train", "logs": {"loss": None, "acc": 0.5}}
    json.dumps(clean, allow_nan=False)


def test_nul_characters_never_reach_the_store():
    event = {"type": "error", "exc_type": "E\x00", "message": "a\x00b", "traceback": [],
             "extra": {"k\x00": ["\x00"]}}
    clean = protocol.check_child_event(event)
    assert "\x00" not in json.dumps(clean, ensure_ascii=False)
    assert clean["message"] == "a\ufffdb"
