"""Framing of the sandbox's messages, and the typed zygote messages over a real socket."""
from __future__ import annotations

import os
import socket

import pytest

from contract import zygote
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


def test_a_handout_arrives_typed_with_its_descriptors():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pipes = [os.pipe() for _ in zygote.SPARE_PIPES]
    handout = zygote.Handout(pid=42, run_pid=42, slot=1, group="9-1", cgroup=2,
                             runtime={"tf": "2"}, spare="cold")
    protocol.send_with_fds(theirs, handout, [r for r, _w in pipes])
    answer, fds = protocol.recv_with_fds(ours, zygote.PAIRS[zygote.Take])
    assert answer == handout and len(fds) == len(zygote.SPARE_PIPES)
    os.write(pipes[0][1], b"x")
    assert os.read(fds[0], 1) == b"x"  # the descriptor is the pipe's, passed across
    for fd in [*fds, *(fd for pair in pipes for fd in pair)]:
        os.close(fd)
    ours.close()
    theirs.close()


def test_an_answer_that_is_not_the_request_s_pair_is_refused():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    protocol.send_with_fds(theirs, zygote.Runtime(runtime=None, ready=0, cgroup=0), [])
    with pytest.raises(zygote.BadMessage):
        protocol.recv_with_fds(ours, zygote.PAIRS[zygote.Take])
    ours.close()
    theirs.close()


def test_fields_a_message_does_not_declare_are_dropped():
    assert zygote.decode({"kind": "take", "x": 1}) == zygote.Take()


def test_a_take_says_which_kind_of_spare_it_wants():
    assert zygote.Take().spare == "warm"
    wire = zygote.Take(spare="cold").to_wire()
    assert wire == {"kind": "take", "spare": "cold"}
    assert zygote.decode(wire, (zygote.Take,)) == zygote.Take(spare="cold")


@pytest.mark.parametrize("data", [{"kind": "nope"}, ["take"], {"kind": "handout", "pid": 1}])
def test_unknown_kinds_and_missing_fields_are_bad_messages(data):
    with pytest.raises(zygote.BadMessage):
        zygote.decode(data)
