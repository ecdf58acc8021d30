"""SIGKILL of the worker side mid-run: the trainer worker, its zygote, the child running the run,
an idle spare. The socket already open sees one `done` right after the last event, nothing of
the run outlives it, and the next run works."""
from __future__ import annotations

import os
import secrets
import signal
import time
from typing import Any

import pytest

from tests.faults.conftest import FaultStack, until
from tests.faults.watch import (
    Watch,
    alive,
    check_run,
    descendants,
    processes_holding,
    ticker,
)
from tests.live import LiveClient

pytestmark = pytest.mark.faults


def start_ticking(client: LiveClient, lines: int = 40, ticks: int = 3) -> tuple[Watch, str]:
    """A run printing a line every 0.5 s, followed by a Watch, once `ticks` lines came."""
    token = secrets.token_hex(6)
    run = client.start(ticker(token, lines))
    watch = Watch(client, run["id"])
    watch.start()
    until(lambda: watch.seen("stdout") >= ticks, 60,
          what=f"{ticks} lines of output (closes {watch.closes}, refusals {watch.refusals})")
    return watch, token


def zygote_of(stack: FaultStack) -> int:
    worker = stack.proc("trainer-0").pid
    return next(pid for pid in descendants(worker) if _cmdline(pid).find(
        "trainer.sandbox.zygote") >= 0 and _parent(pid) == worker)


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def a_new_run_works(client: LiveClient) -> None:
    record = client.run('print("after the fault")')
    assert record["status"] == "succeeded", record
    assert "after the fault" in "".join(e.get("text", "") for e in record["events"])
    check_run(record["events"])


def test_a_killed_worker_s_run_ends_worker_lost_once_right_after_its_last_event(
        stack: FaultStack, client: LiveClient) -> None:
    watch, token = start_ticking(client)
    old_tree = descendants(stack.proc("trainer-0").pid)
    killed = stack.kill("trainer-0")
    stack.restart("trainer-0")  # as `stack.py serve` would, a second later
    events = watch.finish()
    done = check_run(events)
    assert done["status"] == "worker-lost"
    print(f"\nSIGKILL of the trainer worker -> done worker-lost on the open socket: "
          f"{watch.done_at() - killed:.1f} s (heartbeat lost after 8 s)")
    # Nothing of the run, nor of the dead worker's zygote and spares, lives on.
    until(lambda: not processes_holding(token), 15, what="the end of the run's process")
    until(lambda: not [pid for pid in old_tree if alive(pid)], 15,
          what="the end of the dead worker's zygote and spares")
    until(lambda: stack.stored(watch.run_id) == ("worker-lost", len(events)), 30,
          what="the stored run")
    stack.wait_ready()
    a_new_run_works(client)


@pytest.fixture(scope="module")
def zygote_killed(stack: FaultStack) -> dict[str, Any]:
    """A run whose worker's zygote is SIGKILLed mid-run, to its end and the next run."""
    client = LiveClient(stack.url)
    watch, token = start_ticking(client)
    zygote = zygote_of(stack)
    spares = descendants(zygote)
    killed = time.monotonic()
    os.kill(zygote, signal.SIGKILL)
    events = watch.finish(60)
    print(f"\nSIGKILL of the zygote -> done {events[-1]} in {watch.done_at() - killed:.1f} s")
    until(lambda: not processes_holding(token), 15, what="the end of the run's process")
    until(lambda: not [pid for pid in spares if alive(pid)], 15, what="the end of the spares")
    a_new_run_works(client)
    client.close()
    return {"events": events, "old": zygote, "new": zygote_of(stack)}


def test_a_killed_zygote_ends_its_run_once_and_a_new_zygote_takes_over(
        zygote_killed: dict[str, Any]) -> None:
    check_run(zygote_killed["events"])
    assert zygote_killed["new"] != zygote_killed["old"]


def test_a_run_whose_zygote_was_killed_does_not_end_succeeded(
        zygote_killed: dict[str, Any]) -> None:
    # The run's process dies with its zygote (PR_SET_PDEATHSIG) before its code has ended.
    assert zygote_killed["events"][-1]["status"] == "killed"


def test_a_killed_run_process_ends_killed_once(stack: FaultStack, client: LiveClient) -> None:
    watch, token = start_ticking(client)
    (child,) = processes_holding(token)
    os.kill(child, signal.SIGKILL)
    done = check_run(watch.finish(60))
    assert done["status"] == "killed" and done["exit_code"] == 128 + signal.SIGKILL, done
    a_new_run_works(client)


def test_a_killed_idle_spare_leaves_the_running_run_alone_and_is_replaced(
        stack: FaultStack, client: LiveClient) -> None:
    watch, token = start_ticking(client, lines=8)
    (child,) = processes_holding(token)
    idle = [pid for pid in descendants(zygote_of(stack)) if pid != child]
    assert idle, "no idle spare to kill"
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    done = check_run(watch.finish(60))
    assert done["status"] == "succeeded", done
    assert watch.seen("stdout") >= 1 and "tick 7" in "".join(
        e.get("text", "") for e in watch.events)
    for _ in range(3):  # the spares held by the worker, then new ones
        a_new_run_works(client)
