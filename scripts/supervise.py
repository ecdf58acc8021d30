"""Keep a stack's processes running: restart one that died, with a backoff, and say why it died.

A process that dies is started again after 1 s, then 2, 4, ... up to 30 s while it keeps dying;
once it has stayed up a minute, its next death waits 1 s again. What it left behind in its
process group (a worker's zygote and spares) is killed before it starts again. An exit code that
says the command cannot work as configured is not retried: the supervisor gives up instead.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

# Exit code 2 is a usage error (argparse), and the trainer worker's refusal to run without its
# jail: starting it again cannot help. systemd's units say the same (RestartPreventExitStatus).
NO_RESTART_CODES = frozenset({2})


@dataclass
class Backoff:
    first: float = 1.0
    most: float = 30.0
    stable: float = 60.0  # up this long, a process counts as healthy again
    current: float = 0.0

    def after_exit(self, uptime: float) -> float:
        """The wait before starting again a process that ran `uptime` seconds."""
        if uptime >= self.stable:
            self.current = 0.0
        self.current = self.first if not self.current else min(self.current * 2, self.most)
        return self.current


def describe_exit(returncode: int) -> str:
    """`exit code 3`, or `killed by SIGKILL` for a process a signal ended."""
    if returncode >= 0:
        return f"exit code {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"


class Supervised(Protocol):
    """What the supervisor needs of a stack (scripts.stack.Stack)."""

    procs: list[tuple[str, subprocess.Popen[bytes]]]

    def respawn(self, name: str) -> subprocess.Popen[bytes]: ...


@dataclass
class _Life:
    started: float
    backoff: Backoff
    restart_at: float | None = None  # set while the process is dead and waiting its turn


@dataclass
class Supervisor:
    stack: Supervised
    backoff: Callable[[], Backoff] = Backoff
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    clock: Callable[[], float] = time.monotonic
    lives: dict[str, _Life] = field(default_factory=dict)

    def check(self) -> str | None:
        """One look at every process: note the dead, start again those whose wait is over.
        Returns why supervision must stop, when a process's exit says restarting cannot help."""
        now = self.clock()
        for name, proc in list(self.stack.procs):
            life = self.lives.setdefault(name, _Life(now, self.backoff()))
            if life.restart_at is None:
                returncode = reap(proc)
                if returncode is None:
                    continue
                if returncode in NO_RESTART_CODES:
                    return f"{name} exited with {describe_exit(returncode)}, which restarting " \
                           f"cannot mend (see its log)"
                uptime = now - life.started
                delay = life.backoff.after_exit(uptime)
                life.restart_at = now + delay
                self.say(f"{name} (pid {proc.pid}) died after {uptime:.1f} s: "
                         f"{describe_exit(returncode)}; restarting in {delay:g} s")
            elif now >= life.restart_at:
                fresh = self.stack.respawn(name)
                life.started, life.restart_at = now, None
                self.say(f"{name} started again (pid {fresh.pid})")
        return None


def reap(proc: subprocess.Popen[bytes]) -> int | None:
    """The exit status of a process that ended, after killing what is left of its process group;
    None while it runs. The group is killed while the dead leader is still a zombie, so its id
    cannot have been given to another process."""
    if proc.returncode is not None:
        return proc.returncode
    try:
        ended = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # reaped elsewhere (Popen.poll): Popen knows its status
        return proc.poll()
    if ended is None:
        return None
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return proc.wait()
