"""The event vocabulary: what a child may send, and what the supervisor keeps of it."""
from __future__ import annotations

import json

import pytest

from contract.events import (
    CHILD_EVENTS,
    SUPERVISOR_EVENTS,
    check_child_event,
    encode_event,
    is_done,
    parse_child_line,
)


@pytest.mark.parametrize("event", [
    {"type": "done", "status": "succeeded"},
    {"type": "status", "status": "running"},
    {"type": "stdout", "text": "x"},
    {"type": "truncated", "stream": "stdout", "dropped_bytes": 1},
    {"type": "resources", "rss_mb": 1, "cpu_s": 1},
    {"type": "graph", "function": "f"},  # nodes and edges missing
    {"type": "error", "exc_type": 1, "message": "m", "traceback": []},
    {"type": "trace", "function": "f", "count": True},  # a bool is not a count
    ["not", "a", "dict"],
    {"type": 5},
])
def test_events_only_the_supervisor_may_write_or_malformed_ones_are_dropped(event):
    assert check_child_event(event) is None


def test_no_event_type_is_both_the_supervisor_s_and_a_child_s():
    assert not set(SUPERVISOR_EVENTS) & set(CHILD_EVENTS)


def test_a_child_event_loses_forged_numbering_and_non_finite_floats():
    event = {"type": "metrics", "phase": "train", "logs": {"loss": float("nan"), "acc": 0.5},
             "seq": 1, "t": 0}
    clean = check_child_event(event)
    assert clean == {"type": "metrics", "phase": "train", "logs": {"loss": None, "acc": 0.5}}
    json.dumps(clean, allow_nan=False)


@pytest.mark.parametrize("forged", ["type_", "self", "kind", "fields", "status", "seq", "t"])
def test_fields_a_child_event_type_does_not_declare_are_dropped(forged):
    clean = check_child_event({"type": "trace", "function": "f", "count": 1, forged: "x"})
    assert clean == {"type": "trace", "function": "f", "count": 1}


def test_nul_characters_never_reach_the_store():
    event = {"type": "error", "exc_type": "E\x00", "message": "a\x00b", "traceback": [["\x00"]],
             "line": {"k\x00": ["\x00"]}}
    clean = check_child_event(event)
    assert "\x00" not in json.dumps(clean, ensure_ascii=False)
    assert clean["message"] == "a\ufffdb"


@pytest.mark.parametrize("line", [
    b'{"type":"metrics","phase":"train","logs":{"loss":NaN}}',
    b'{"type":"metrics","phase":"train","logs":{"loss":Infinity}}',
    b"not json", b"[" * 100_000, b'"a string"',
])
def test_lines_that_are_not_plain_json_events_are_refused(line):
    assert parse_child_line(line) is None


def test_huge_numbers_become_null_rather_than_infinity():
    clean = parse_child_line(b'{"type":"metrics","phase":"train","logs":{"loss":1e999}}')
    assert clean is not None and clean["logs"] == {"loss": None}


def test_an_event_s_fields_never_override_its_envelope():
    text = encode_event(7, "stdout", 12, {"seq": 1, "type": "done", "t": 0, "text": "hi"})
    assert json.loads(text) == {"seq": 7, "type": "stdout", "t": 12, "text": "hi"}


def test_done_is_recognised_from_the_envelope_only():
    assert is_done(encode_event(3, "done", 5, {"status": "succeeded"}).encode())
    nested = encode_event(3, "graph", 5, {"nodes": [{"type": "done"}], "edges": []})
    assert not is_done(nested.encode())
    assert not is_done(encode_event(4, "stdout", 5, {"text": '{"seq":1,"type":"done",'}).encode())


@pytest.mark.parametrize("traceback", [[1], [{}], ["x", {"line": "2", "name": 3}], [[]]])
def test_an_error_s_traceback_is_frames_whatever_the_child_sends(traceback):
    clean = check_child_event({"type": "error", "exc_type": "E", "message": "m",
                               "traceback": traceback, "line": "7"})
    assert clean is not None and clean["line"] is None
    for frame in clean["traceback"]:
        assert set(frame) == {"line", "name", "text"}
        assert frame["line"] is None or isinstance(frame["line"], int)
        assert isinstance(frame["name"], str) and isinstance(frame["text"], str)


def test_lone_surrogates_become_replacement_characters():
    clean = parse_child_line(b'{"type":"error","exc_type":"E","message":"a\\ud800b",'
                             b'"traceback":[],"line":1}')
    assert clean is not None and clean["message"] == "a\ufffdb"
    clean["message"].encode("utf-8")  # storable and sendable
