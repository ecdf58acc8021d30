"""`make run`'s supervision: a process that dies is started again after a growing wait, with a
line saying what died and why; what it left behind goes with it; Ctrl-C still stops everything.

The backoff and the restarts are checked on cheap stand-in commands; one live check kills the
recorder of a real `scripts/stack.py serve` and sees a new one doing the recorder's work.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from contract import keys
from scripts.stack import Stack
from scripts.supervise import Backoff, Supervisor, describe_exit
from tests.ops.served import Served

PYTHON = sys.executable


def test_backoff_doubles_up_to_its_cap_and_starts_over_after_a_stable_run():
    backoff = Backoff()
    assert [backoff.after_exit(uptime=0.5) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.after_exit(uptime=60) == 1  # it had stayed up a minute
    assert backoff.after_exit(uptime=59) == 2


def test_an_exit_is_told_by_its_code_or_its_signal_name():
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(-signal.SIGSEGV) == "killed by SIGSEGV"


@pytest.fixture
def stand_ins(tmp_path: Path) -> Iterator[Stack]:
    """A stack of stand-in commands (no Redis, no Django): only the supervision is real."""
    stack = Stack(0, "redis://127.0.0.1:1/0", log_dir=tmp_path)
    yield stack
    stack.stop()


def supervise(stack: Stack, lines: list[str]) -> Supervisor:
    return Supervisor(stack, backoff=lambda: Backoff(first=0.1, most=0.4, stable=5.0),
                      say=lines.append)


def until(condition: Callable[[], object], supervisor: Supervisor | None = None,
          timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        if supervisor is not None:
            assert supervisor.check() is None
        time.sleep(0.02)


def pid_of(stack: Stack, name: str) -> int:
    return dict(stack.procs)[name].pid


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_killed_process_is_started_again_and_the_log_says_why(stand_ins):
    stand_ins.spawn("sleeper", [PYTHON, "-c", "import time; time.sleep(60)"])
    stand_ins.spawn("steady", [PYTHON, "-c", "import time; time.sleep(60)"])
    lines: list[str] = []
    supervisor = supervise(stand_ins, lines)
    assert supervisor.check() is None and lines == []
    first, steady = pid_of(stand_ins, "sleeper"), pid_of(stand_ins, "steady")
    os.kill(first, signal.SIGKILL)
    until(lambda: pid_of(stand_ins, "sleeper") != first, supervisor)
    assert alive(pid_of(stand_ins, "sleeper")) and pid_of(stand_ins, "steady") == steady
    assert re.fullmatch(rf"sleeper \(pid {first}\) died after [\d.]+ s: killed by SIGKILL; "
                        r"restarting in 0\.1 s", lines[0]), lines
    assert lines[1] == f"sleeper started again (pid {pid_of(stand_ins, 'sleeper')})"


def test_a_process_that_keeps_dying_waits_longer_each_time(stand_ins):
    stand_ins.spawn("crasher", [PYTHON, "-c", "raise SystemExit(3)"])
    lines: list[str] = []
    supervisor = supervise(stand_ins, lines)
    until(lambda: sum("died" in line for line in lines) >= 4, supervisor)
    deaths = [line for line in lines if "died" in line]
    assert all("exit code 3" in line for line in deaths)
    assert [line.rsplit(" ", 2)[1] for line in deaths[:4]] == ["0.1", "0.2", "0.4", "0.4"]


def test_what_a_dead_process_left_in_its_group_dies_with_it(stand_ins, tmp_path):
    """A worker's zygote and spares are in the worker's process group: a restarted worker must
    not find the old ones still holding their slots."""
    child_pid = tmp_path / "child.pid"
    stand_ins.spawn("parent", [PYTHON, "-c", (
        "import pathlib, subprocess, time\n"
        f"child = subprocess.Popen(['sleep', '60'])\n"
        f"pathlib.Path({str(child_pid)!r}).write_text(str(child.pid))\n"
        "time.sleep(60)\n")])
    lines: list[str] = []
    supervisor = supervise(stand_ins, lines)
    until(lambda: child_pid.exists() and child_pid.read_text())
    left_behind = int(child_pid.read_text())
    os.kill(pid_of(stand_ins, "parent"), signal.SIGKILL)
    until(lambda: any("died" in line for line in lines), supervisor)
    until(lambda: not alive(left_behind))


def test_an_exit_that_restarting_cannot_mend_ends_supervision(stand_ins):
    stand_ins.spawn("refuser", [PYTHON, "-c", "raise SystemExit(2)"])
    supervisor = supervise(stand_ins, [])
    deadline = time.monotonic() + 10
    while (refused := supervisor.check()) is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert refused.startswith("refuser exited with exit code 2")


@pytest.fixture
def serving(ops_redis_url: str, tmp_path: Path) -> Iterator[tuple[Served, redis.Redis]]:
    client = redis.Redis.from_url(ops_redis_url)
    served = Served(ops_redis_url, tmp_path)
    try:
        yield served, client
    finally:
        served.stop()
        client.delete(keys.RUNNING_KEY, keys.FINISHED_STREAM, keys.stream_key("lost-run"))


def test_serve_starts_a_killed_recorder_again_and_the_new_one_does_its_work(serving):
    served, client = serving
    served.wait_for(r"The playground is serving at")
    old = int(served.wait_for(r"recorder started \(pid (\d+)\)").group(1))
    daphne = int(served.wait_for(r"daphne started \(pid (\d+)\)").group(1))
    os.kill(old, signal.SIGKILL)
    served.wait_for(rf"recorder \(pid {old}\) died after [\d.]+ s: killed by SIGKILL; "
                    r"restarting in 1 s")
    new = int(served.wait_for(r"recorder started again \(pid (\d+)\)").group(1))
    assert new != old and alive(new) and alive(daphne)
    # The new recorder watches heartbeats: a run held by a worker that has none is lost.
    client.hset(keys.RUNNING_KEY, "lost-run", keys.heartbeat_field("cpu", "nowhere", 1))
    deadline = time.monotonic() + 30
    while not client.xrange(keys.stream_key("lost-run")):
        assert time.monotonic() < deadline, served.log.read_text()
        time.sleep(0.2)
    done = json.loads(client.xrange(keys.stream_key("lost-run"))[-1][1][b"e"])
    assert done["type"] == "done" and done["status"] == "worker-lost"
    consumers = {c["name"].decode() for c in client.xinfo_consumers(keys.FINISHED_STREAM,
                                                                    "recorder")}
    assert any(name.endswith(f"-{new}") for name in consumers)
    # Ctrl-C stops everything and waits for it.
    assert served.stop() == 0
    assert "Stopped." in served.log.read_text()
    assert not alive(new) and not alive(daphne)
