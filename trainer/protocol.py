"""Messages between the supervisor, the zygote and the jailed child (standard library only).

Three channels:
- supervisor -> child, the *control pipe*: one length-prefixed JSON job, then EOF.
- child -> supervisor, the *event pipe*: one JSON object per line (graph, model, ...).
  stdout and stderr travel as raw bytes on their own pipes.
- supervisor <-> zygote, a unix socket: length-prefixed JSON requests and answers, with the
  pipes of a spare passed as file descriptors (SCM_RIGHTS).
"""
from __future__ import annotations

import array
import json
import math
import os
import socket
import struct
from typing import Any

HEADER = struct.Struct("!I")
MAX_MESSAGE = 64 * 1024 * 1024

# Event types only the supervisor may write: the child can never forge them.
SUPERVISOR_EVENTS = frozenset({"status", "stdout", "stderr", "truncated", "resources", "done"})
# Event types a child may send, with the fields each must carry and their types.
CHILD_EVENTS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "error": {"exc_type": str, "message": str, "traceback": list},
    "graph": {"function": str, "nodes": list, "edges": list},
    "trace": {"function": str, "count": int},
    "autograph": {"function": str, "code": str},
    "model": {"name": str, "layers": list},
    "metrics": {"phase": str, "logs": dict},
}
TERMINAL_STATUSES = frozenset(
    {"succeeded", "failed", "timeout", "cancelled", "oom", "killed", "worker-lost"}
)


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


def send_with_fds(sock: socket.socket, message: dict[str, Any], fds: list[int]) -> None:
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    data = encode(message)
    sent = sock.sendmsg([data], ancillary)
    if sent < len(data):
        sock.sendall(data[sent:])


def recv_with_fds(sock: socket.socket, max_fds: int = 8) -> tuple[dict[str, Any], list[int]]:
    fds = array.array("i")
    head, ancdata, _flags, _addr = sock.recvmsg(
        HEADER.size, socket.CMSG_LEN(max_fds * fds.itemsize)
    )
    if not head:
        raise EOFError("zygote socket closed")
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    while len(head) < HEADER.size:
        more = sock.recv(HEADER.size - len(head))
        if not more:
            raise EOFError("zygote socket closed")
        head += more
    (size,) = HEADER.unpack(head)
    body = b""
    while len(body) < size:
        more = sock.recv(size - len(body))
        if not more:
            raise EOFError("zygote socket closed")
        body += more
    return json.loads(body), list(fds)


def text_safe(text: str) -> str:
    """NUL becomes U+FFFD: PostgreSQL cannot store it in text or JSON, and no terminal shows it."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def json_safe(value: Any, depth: int = 0) -> Any:
    """Make a value JSON-safe and storable: non-finite floats become None, NUL U+FFFD,
    unknown objects strings."""
    if depth > 32:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return text_safe(value)
    if value is None or isinstance(value, (int, bool)):
        return value
    if isinstance(value, dict):
        return {text_safe(str(k)): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    return text_safe(str(value))


def check_child_event(event: Any) -> dict[str, Any] | None:
    """The event if it is a well-formed child event, else None. Never trusts `seq` or `t`."""
    if not isinstance(event, dict):
        return None
    kind = event.get("type")
    fields = CHILD_EVENTS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        return None
    for name, expected in fields.items():
        if not isinstance(event.get(name), expected):
            return None
    clean = {k: json_safe(v) for k, v in event.items() if k not in ("seq", "t")}
    return clean
