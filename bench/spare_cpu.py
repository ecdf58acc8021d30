"""Measure what the sandbox side spends on a trivial run, with a worker pool of its own (no web
side, no Redis; root for the jail): CPU per `print("hi")` of the zygote and its children (the
spare's fork, jail, warm-up, run and exit), of this process (the pool's side), and of the
kernel's worker threads (the whole machine's: a network namespace, say, is destroyed there
after its child is gone), with the zygote's anonymous memory, its share in huge pages and its
page tables.

    sudo .venv/bin/python bench/spare_cpu.py [--runs 60] [--rounds 3]

CPU time, not wall time: other work on the machine changes it little. To compare two versions,
run this file of each checkout (a `git worktree`) in turns, a few rounds each.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sandbox_offers import feed  # noqa: E402
from trainer import pool as pools  # noqa: E402
from trainer.config import WorkerSettings  # noqa: E402

CODE = 'print("hi")'
TICKS = os.sysconf("SC_CLK_TCK")


def run(pool: pools.Pool) -> bytes:
    """One run on a held spare, as the supervisor feeds it: the job, then its pipes to the end."""
    return feed(pool.take(), CODE)[1]


def times(pid: int) -> list[float]:
    """utime, stime, cutime, cstime of `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return [int(x) / TICKS for x in fields[11:15]]


def kernel_workers() -> float:
    """CPU seconds of the kernel's worker threads so far."""
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if "(kworker" in stat:
                fields = stat.rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / TICKS


def memory(pid: int) -> dict[str, int]:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        rollup = {line.split(":")[0]: int(line.split()[1]) for line in f
                  if line.split()[0].endswith(":")}
    with open(f"/proc/{pid}/status") as f:
        pte = next(int(line.split()[1]) for line in f if line.startswith("VmPTE"))
    return {"anon_mb": rollup.get("Anonymous", 0) // 1024,
            "huge_mb": rollup.get("AnonHugePages", 0) // 1024, "page_tables_kb": pte}


def measure(pool: pools.Pool, runs: int) -> dict[str, Any]:
    assert pool.process is not None
    zygote = pool.process.pid
    z0, k0, w0 = times(zygote), kernel_workers(), time.process_time()
    for _ in range(runs):
        assert run(pool) == b"hi\n"
    time.sleep(1.0)  # the last spare refilled, the last namespace destroyed
    z1, k1, w1 = times(zygote), kernel_workers(), time.process_time()
    split = [(b - a) * 1000 / runs for a, b in zip(z0, z1, strict=True)]
    return {"zygote_and_spares_ms": round(sum(split), 2),
            "zygote_user_sys_ms": [round(x, 2) for x in split[:2]],
            "spares_user_sys_ms": [round(x, 2) for x in split[2:]],
            "pool_side_ms": round((w1 - w0) * 1000 / runs, 2),
            "kernel_workers_ms": round((k1 - k0) * 1000 / runs, 2), **memory(zygote)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=60, help="runs per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pool = pools.Pool(WorkerSettings.from_env(), "cpu")
    pool.start()
    pool.info()
    pool.hold_spares()
    time.sleep(3)
    for _ in range(5):
        run(pool)
    rounds = [measure(pool, args.runs) for _ in range(args.rounds)]
    pool.stop()
    for result in rounds:
        print(json.dumps(result))
    totals = [r["zygote_and_spares_ms"] for r in rounds]
    print(f"{ROOT} ({pool.sandbox}): zygote and spares {statistics.median(totals):.2f} ms of CPU "
          f"per run (median of {len(rounds)} rounds of {args.runs}), the kernel's workers "
          f"{statistics.median(r['kernel_workers_ms'] for r in rounds):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
