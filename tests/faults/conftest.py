"""Fixtures of the fault tests: a stack of their own per module, on a redis-server of their own
(never the machine's shared one), and the means to kill and restart its parts."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from scripts.stack import ROOT, Stack, free_port, redis_answers
from tests.live import LiveClient

FAULT_ENV = {
    "RUN_RATE_LIMIT": "100000/m",
    "RUN_MAX_IN_FLIGHT": "1000",
    "RUN_MAX_IN_FLIGHT_PER_ADDRESS": "100000",
    "SHARE_RATE_LIMIT": "100000/h",
    "TRAINER_SPARES": "2",
    "RUN_WALL_SECONDS": "20",
    "RUN_CPU_SECONDS": "20",
    # Uids of our own: slots of another worker on this host under the same uids would count
    # toward our children's RLIMIT_NPROC (it counts per uid), and their spares die warming up.
    "TRAINER_UID_BASE": str(62000 + os.getpid() % 500 * 16),
}


def until(condition: Callable[[], object], timeout: float = 60.0, every: float = 0.1,
          what: str = "the condition") -> object:
    """The first truthy value of `condition()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"{what} did not come within {timeout:g} s")


class FaultStack(Stack):
    """A Stack whose parts a test kills (SIGKILL, as the OOM killer or a crash would) and starts
    again, as `scripts/stack.py serve` would."""

    def proc(self, name: str) -> subprocess.Popen[bytes]:
        return dict(self.procs)[name]

    def kill(self, name: str) -> float:
        """SIGKILL the process `name` alone (what it started lives on); returns the moment."""
        proc = self.proc(name)
        os.kill(proc.pid, signal.SIGKILL)
        killed = time.monotonic()
        proc.wait()
        return killed

    def restart(self, name: str) -> subprocess.Popen[bytes]:
        return self.respawn(name)

    def restart_redis(self, down_for: float = 0.0) -> None:
        """SIGKILL this stack's redis-server and start it again, empty, on the same port."""
        self.kill("redis")
        time.sleep(down_for)
        self.restart("redis")
        until(lambda: redis_answers(self.redis_url), 10, what="redis-server")

    def stored(self, run_id: str) -> tuple[str, int] | None:
        """The run's status and number of events as its row holds them, None before its row
        exists: what the recorder stored, read from the database itself."""
        url = self.env["DATABASE_URL"]
        query = "SELECT status, events FROM runs_run WHERE id = "
        if url.startswith("sqlite:///"):
            with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
                row = db.execute(query + "?", (run_id,)).fetchone()
        else:
            import psycopg

            with psycopg.connect(url) as db:
                row = db.execute(query + "%s", (run_id,)).fetchone()
        if row is None:
            return None
        events = json.loads(row[1]) if isinstance(row[1], str) else row[1]
        return row[0], len(events)

    def log(self, name: str) -> str:
        assert self.log_dir is not None
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def answered_500(self) -> list[str]:
        """Daphne's log lines of 500 answers, of errors Django answered with a 500, and of
        exceptions that escaped a consumer (its socket's handshake fails with a 500)."""
        return [line for line in self.log("daphne").splitlines()
                if re.search(r'" 500 \d+$', line) or "Internal Server Error" in line
                or "Exception inside application" in line]


def start_stack(tmp: Path, database_url: str | None = None,
                env: dict[str, str] | None = None) -> FaultStack:
    """A stack with its own redis-server on a free port, migrated and ready."""
    env = {**FAULT_ENV, "DATABASE_URL": database_url or f"sqlite:///{tmp / 'db.sqlite3'}",
           **(env or {})}
    stack = FaultStack(free_port(), f"redis://127.0.0.1:{free_port()}/0", env=env, log_dir=tmp)
    stack.start_redis_if_needed()
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT,
                       check=True, env=stack.env, stdout=subprocess.DEVNULL)
        stack.start()
    except BaseException:
        stack.stop()
        raise
    return stack


def stop_stack(stack: FaultStack) -> None:
    stack.stop()
    assert stack.log_dir is not None
    for log in sorted(stack.log_dir.glob("*.log")):
        text = log.read_text(errors="replace")
        if "Traceback" in text:
            sys.stderr.write(f"\n--- {log.name} (last lines) ---\n{text[-3000:]}\n")


@pytest.fixture(scope="module")
def stack() -> Iterator[FaultStack]:
    tmp = Path(tempfile.mkdtemp(prefix="tfpg-faults-"))
    own = start_stack(tmp)
    try:
        yield own
    finally:
        stop_stack(own)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def client(stack: FaultStack) -> Iterator[LiveClient]:
    live = LiveClient(stack.url)
    yield live
    live.close()
