"""One memory + pids + cpu cgroup per sandboxed child, on cgroup v1 or v2, where the host has it."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PARENT = "tfpg"
CPU_PERIOD_US = 100_000


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _read(path: Path) -> str:
    with open(path) as f:
        return f.read()


def version() -> int:
    """1 or 2 for the cgroup hierarchy we can use, 0 when there is none we may write."""
    if (ROOT / "memory" / "cgroup.procs").exists() and (ROOT / "pids" / "cgroup.procs").exists():
        return 1 if os.access(ROOT / "memory", os.W_OK) else 0
    if (ROOT / "cgroup.controllers").exists():
        return 2 if os.access(ROOT, os.W_OK) else 0
    return 0


@dataclass
class Group:
    """The cgroup of one child: made by the zygote, joined by the child, read by the supervisor."""

    name: str
    v: int

    def _dirs(self) -> list[Path]:
        if self.v == 1:
            return [ROOT / c / PARENT / self.name for c in ("memory", "pids", "cpuacct", "cpu")]
        return [ROOT / PARENT / self.name]

    def create(self, memory_bytes: int, max_tasks: int, cpu_cores: float) -> None:
        """Cap memory, tasks and CPU; a low CPU weight keeps the supervisor and server responsive
        when a child spins on every core it can get."""
        quota = str(int(cpu_cores * CPU_PERIOD_US))
        if self.v == 2:
            parent = ROOT / PARENT
            parent.mkdir(exist_ok=True)
            for where in (ROOT, parent):
                _write(where / "cgroup.subtree_control", "+memory +pids +cpu")
        for d in self._dirs():
            d.mkdir(parents=True, exist_ok=True)
        if self.v == 1:
            memory, pids, _cpuacct, cpu = self._dirs()
            _write(memory / "memory.limit_in_bytes", str(memory_bytes))
            _write(cpu / "cpu.cfs_period_us", str(CPU_PERIOD_US))
            _write(cpu / "cpu.cfs_quota_us", quota)
            _write(cpu / "cpu.shares", "128")
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():
                _write(swap, str(memory_bytes))
            _write(pids / "pids.max", str(max_tasks))
        else:
            (d,) = self._dirs()
            _write(d / "memory.max", str(memory_bytes))
            _write(d / "memory.swap.max", "0")
            _write(d / "pids.max", str(max_tasks))
            _write(d / "cpu.max", f"{quota} {CPU_PERIOD_US}")
            _write(d / "cpu.weight", "12")

    def join(self, pid: int = 0) -> None:
        """Move `pid` here; 0 is the caller, in whatever pid namespace it is."""
        for d in self._dirs():
            _write(d / "cgroup.procs", str(pid))

    def pids(self) -> list[int]:
        """The processes in the group, as the reader's pid namespace numbers them."""
        return [int(pid) for pid in _read(self._dirs()[0] / "cgroup.procs").split()]

    def memory_bytes(self) -> int:
        if self.v == 1:
            return int(_read(self._dirs()[0] / "memory.usage_in_bytes"))
        return int(_read(self._dirs()[0] / "memory.current"))

    def peak_memory_bytes(self) -> int:
        """The most memory the group has used; its current use where the kernel keeps no peak."""
        d = self._dirs()[0]
        peak = d / ("memory.max_usage_in_bytes" if self.v == 1 else "memory.peak")
        try:
            return int(_read(peak))
        except (OSError, ValueError):
            return self.memory_bytes()

    def cpu_seconds(self) -> float:
        if self.v == 1:
            return int(_read(self._dirs()[2] / "cpuacct.usage")) / 1e9
        for line in _read(self._dirs()[0] / "cpu.stat").splitlines():
            if line.startswith("usage_usec"):
                return int(line.split()[1]) / 1e6
        return 0.0

    def oom_kills(self) -> int:
        path = self._dirs()[0] / ("memory.oom_control" if self.v == 1 else "memory.events")
        for line in _read(path).splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def remove_if_empty(self) -> bool:
        """Remove each of the group's directories that holds no task; True if none is left."""
        left = False
        for d in self._dirs():
            try:
                d.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                left = True
        return not left

    def remove(self, attempts: int = 50) -> None:
        for d in self._dirs():
            for _ in range(attempts):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    # Still busy: the kernel is finishing the last tasks; kill what is left.
                    try:
                        for pid in _read(d / "cgroup.procs").split():
                            os.kill(int(pid), 9)
                    except OSError:
                        pass
                    time.sleep(0.02)


def remove_orphans(v: int, zygote_pid: int | None = None) -> int:
    """Remove all of `zygote_pid`'s groups once it is gone, or else the empty groups of zygotes
    that are gone (a zygote in another pid namespace looks gone: its groups are never emptied).

    A zygote that is killed takes its spares with it but leaves their groups behind (named
    `<zygote pid>-<n>`), and the kernel keeps walking every group that exists. Returns how many
    were removed.
    """
    base = ROOT / "memory" / PARENT if v == 1 else ROOT / PARENT
    try:
        names = [p.name for p in base.iterdir() if p.is_dir()]
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        owner, _, counter = name.partition("-")
        if not (owner.isdigit() and counter.isdigit()):
            continue
        if zygote_pid is not None:
            if int(owner) != zygote_pid:
                continue
            Group(name, v).remove()
        elif os.path.exists(f"/proc/{owner}") or not Group(name, v).remove_if_empty():
            continue
        removed += 1
    return removed
