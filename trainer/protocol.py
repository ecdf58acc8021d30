"""Framing of the messages between the supervisor, the zygote and the jailed child.

Descriptors of one spare (their names are `contract.zygote.SPARE_PIPES`):
- `control`, supervisor -> child: one length-prefixed JSON job (`contract.job.Job`), then EOF.
- `events`, child -> supervisor: one JSON event per line (`contract.events.CHILD_EVENTS`).
- `stdout`, `stderr`, child -> supervisor: raw bytes.
- `status`, zygote -> supervisor: the child's wait status once it is reaped.
- `ready`, child -> zygote: one length-prefixed `contract.zygote` message after the warm-up.
Between the pool and its zygote, a unix socket carries length-prefixed `contract.zygote`
messages, with a spare's descriptors passed alongside (SCM_RIGHTS).
"""
from __future__ import annotations

import array
import json
import os
import socket
import struct
from typing import Any

from contract import zygote

HEADER = struct.Struct("!I")
MAX_MESSAGE = 64 * 1024 * 1024


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    return HEADER.pack(len(body)) + body


def _read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError("pipe closed mid-message")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int) -> dict[str, Any]:
    (size,) = HEADER.unpack(_read_exact(fd, HEADER.size))
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes is over the limit")
    result: dict[str, Any] = json.loads(_read_exact(fd, size))
    return result


def write_message(fd: int, message: dict[str, Any]) -> None:
    data = encode(message)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def send_with_fds(sock: socket.socket, message: zygote.Message, fds: list[int]) -> None:
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    data = encode(message.to_wire())
    sent = sock.sendmsg([data], ancillary)
    if sent < len(data):
        sock.sendall(data[sent:])


def _recv_exact(sock: socket.socket, data: bytes, size: int) -> bytes:
    while len(data) < size:
        more = sock.recv(size - len(data))
        if not more:
            raise EOFError("zygote socket closed")
        data += more
    return data


def recv_with_fds(sock: socket.socket, expected: tuple[type[zygote.Message], ...] | None = None,
                  max_fds: int = 8) -> tuple[zygote.Message, list[int]]:
    """The next message (one of `expected`, else `zygote.BadMessage`) and the fds sent with it."""
    fds = array.array("i")
    head, ancdata, _flags, _addr = sock.recvmsg(
        HEADER.size, socket.CMSG_LEN(max_fds * fds.itemsize)
    )
    if not head:
        raise EOFError("zygote socket closed")
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    (size,) = HEADER.unpack(_recv_exact(sock, head, HEADER.size))
    body = _recv_exact(sock, b"", size)
    return zygote.decode(json.loads(body), expected), list(fds)
