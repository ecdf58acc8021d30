"""What a page sees of a run through a fault: its socket followed as the page follows it, every
frame kept with the moment it came, and the checks every run must pass whatever happened."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.live import LiveClient

# A snippet that prints a line every half second, holding open a file named after `token`
# so that the test can find the process running it (and check that it does not outlive its run).
TICKER = """\
import time
marker = open("fault-{token}", "w")
for i in range({lines}):
    print("tick", i, flush=True)
    time.sleep(0.5)
"""


def ticker(token: str, lines: int) -> str:
    return TICKER.format(token=token, lines=lines)


class Watch(threading.Thread):
    """Follows `/ws/runs/<id>` in a thread until `done`, reopening the socket with `after=<last
    seq seen>` whenever it closes or cannot open, as static/src/workspace/stream.js does."""

    def __init__(self, client: LiveClient, run_id: str, timeout: float = 120.0) -> None:
        super().__init__(daemon=True, name=f"watch-{run_id}")
        self.client = client
        self.run_id = run_id
        self.deadline = time.monotonic() + timeout
        self.frames: list[tuple[float, dict[str, Any]]] = []  # (time.monotonic(), event)
        self.closes: list[int | None] = []  # the close code of each socket that ended
        self.refusals: list[str] = []  # handshakes that failed, and why
        self.lock = threading.Lock()

    @property
    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [event for _at, event in self.frames]

    def seen(self, kind: str) -> int:
        return sum(1 for event in self.events if event["type"] == kind)

    def done_at(self) -> float:
        with self.lock:
            return next(at for at, event in self.frames if event["type"] == "done")

    def finish(self, timeout: float = 120.0) -> list[dict[str, Any]]:
        self.join(timeout)
        assert not self.is_alive(), f"no done within {timeout:g} s: {self.events[-3:]}"
        return self.events

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            if self._follow_once():
                return
            time.sleep(0.1)

    def _follow_once(self) -> bool:
        """One socket, until it closes; True once `done` came."""
        events = self.events
        after = events[-1]["seq"] if events else 0
        base = self.client.base_url
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.http.cookies.items())
        try:
            with connect(base.replace("http", "ws", 1) + f"/ws/runs/{self.run_id}?after={after}",
                         additional_headers={"Cookie": cookie}, origin=base, open_timeout=5,
                         close_timeout=1, max_size=32 * 1024 * 1024) as ws:
                while time.monotonic() < self.deadline:
                    event = json.loads(ws.recv(timeout=max(0.1, self.deadline - time.monotonic())))
                    with self.lock:
                        self.frames.append((time.monotonic(), event))
                    if event["type"] == "done":
                        return True
        except ConnectionClosed as closed:
            self.closes.append(closed.rcvd.code if closed.rcvd else None)
        except (InvalidStatus, OSError, TimeoutError) as refused:
            self.refusals.append(repr(refused))
        return False


def check_run(events: list[dict[str, Any]], first: int = 1) -> dict[str, Any]:
    """Every run, whatever happened to it: seqs from `first` without a gap or a repeat, and one
    `done`, the last event. Returns the `done`."""
    seqs = [event["seq"] for event in events]
    assert seqs == list(range(first, first + len(seqs))), f"seqs not gapless: {seqs}"
    dones = [event for event in events if event["type"] == "done"]
    assert len(dones) == 1 and events[-1] is dones[0], f"not one final done: {dones}"
    return dones[0]


def answer_of(response: Any) -> tuple[int, str | None, str | None]:
    """Status, error code and Retry-After of an API answer (the code None when not JSON)."""
    try:
        code = response.json().get("error", {}).get("code")
    except ValueError:
        code = None
    return response.status_code, code, response.headers.get("Retry-After")


def socket_close_code(client: LiveClient, run_id: str) -> int | None:
    """The close code of the run's socket when it closes before its first event."""
    base = client.base_url
    cookie = "; ".join(f"{k}={v}" for k, v in client.http.cookies.items())
    with connect(base.replace("http", "ws", 1) + f"/ws/runs/{run_id}",
                 additional_headers={"Cookie": cookie}, origin=base, open_timeout=10) as ws:
        try:
            ws.recv(timeout=10)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    return None


def processes_holding(token: str) -> list[int]:
    """The processes with a file named after `token` open: the run of a `ticker(token)`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(token in os.readlink(f"/proc/{pid}/fd/{fd}") for fd in fds):
                found.append(int(pid))
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (children, their children, ...)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
