"""Measure the run path as a browser feels it: POST /api/runs, then the websocket, to the first
`stdout` frame and to `done`; against a stack this script starts, or `--url`.

Prints p50/p90/p99/max for 1 client (with a think time between runs, and back to back), 8 and
32 concurrent clients, sustained runs per second, CPU per run split by process, private memory
of spares and runs, and the ratio of a cold
`python -c "import tensorflow"` to our p50, measured in the same run. Results also as JSON.
The client is bench/client.py, as light per request as a browser.

    .venv/bin/python bench/run_path.py [--url URL] [--duration 60] [--json bench/results/x.json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import Browser  # noqa: E402
from scripts.stack import Stack, free_port, redis_answers  # noqa: E402

SNIPPETS = {
    "print": 'print("hi")',
    "eager-op": "import tensorflow as tf\nprint(tf.reduce_sum(tf.ones([4, 4])).numpy())",
    "tf.function": ("import tensorflow as tf\n@tf.function\ndef f(x):\n    return x * x + 1\n"
                    "print(f(tf.constant(3.0)).numpy())"),
}


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
    return {"n": len(ordered), "p50": pick(0.5) * 1000, "p90": pick(0.9) * 1000,
            "p99": pick(0.99) * 1000, "max": ordered[-1] * 1000}


async def burst(base: str, clients: int, runs_each: int, code: str,
                think: float = 0.0) -> dict[str, Any]:
    sessions = [Browser(base) for _ in range(clients)]
    await asyncio.gather(*(s.open() for s in sessions))
    results: list[dict[str, Any]] = []

    async def loop(session: Browser) -> None:
        for _ in range(runs_each):
            results.append(await session.run(code))
            if think:
                await asyncio.sleep(think)

    began = time.perf_counter()
    await asyncio.gather(*(loop(s) for s in sessions))
    elapsed = time.perf_counter() - began - think * runs_each
    for s in sessions:
        s.close()
    ok = [r for r in results if "error" not in r and r["status"] == "succeeded"]
    return {"clients": clients, "think_s": think, "runs": len(results),
            "errors": len(results) - len(ok),
            "first_stdout_ms": percentiles([r["first"] for r in ok if r["first"]]),
            "done_ms": percentiles([r["done"] for r in ok]), "runs_per_s": len(ok) / elapsed}


async def sustained(base: str, clients: int, seconds: float) -> dict[str, Any]:
    sessions = [Browser(base) for _ in range(clients)]
    await asyncio.gather(*(s.open() for s in sessions))
    count = errors = 0
    stop = time.perf_counter() + seconds

    async def loop(session: Browser) -> None:
        nonlocal count, errors
        while time.perf_counter() < stop:
            result = await session.run(SNIPPETS["print"])
            if "error" in result or result["status"] != "succeeded":
                errors += 1
            else:
                count += 1

    began = time.perf_counter()
    await asyncio.gather(*(loop(s) for s in sessions))
    elapsed = time.perf_counter() - began
    for s in sessions:
        s.close()
    return {"clients": clients, "seconds": elapsed, "runs": count, "errors": errors,
            "runs_per_s": count / elapsed}


def cold_baseline(repeats: int) -> dict[str, float]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tensorflow as tf; print(tf.constant(1))"],
                       check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - began)
    return {"n": repeats, "median_ms": statistics.median(times) * 1000}


def cpu_seconds(pid: int, children: bool = False) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    total = int(fields[11]) + int(fields[12])
    if children:
        total += int(fields[13]) + int(fields[14])
    return total / ticks


def private_mb(pid: int) -> float:
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean", "Private_Dirty")):
                total += int(line.split()[1])
    return total / 1024


def children_of(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return found


class ProcessMeter:
    """CPU of the stack's processes, split into web, worker and zygote (spare refill + runs)."""

    def __init__(self, stack: Stack) -> None:
        self.web = [p.pid for name, p in stack.procs if name in ("daphne", "recorder")]
        self.worker = [p.pid for name, p in stack.procs if name.startswith("trainer")]
        self.zygotes = [c for w in self.worker for c in children_of(w)]

    def sample(self) -> dict[str, float]:
        return {"web": sum(cpu_seconds(p) for p in self.web),
                "worker": sum(cpu_seconds(p) for p in self.worker),
                "zygote_and_spares": sum(cpu_seconds(p, children=True) for p in self.zygotes)}

    def spares(self) -> list[int]:
        """The jailed children waiting for a job (or running one): children of each zygote."""
        return [c for z in self.zygotes for c in children_of(z)]


def start_stack(redis_url: str | None = None, extra_env: dict[str, str] | None = None) -> Stack:
    """A stack of our own on a fresh SQLite database, Redis database 12 unless REDIS_URL (or
    `redis_url`, for a second stack beside the first) says."""
    tmp = Path(tempfile.mkdtemp(prefix="tfpg-bench-"))
    redis_url = redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
           "RUN_RATE_LIMIT": "1000000/m", "LOG_LEVEL": "WARNING",
           "RUN_MAX_IN_FLIGHT_PER_ADDRESS": "1000000", **(extra_env or {})}
    stack = Stack(free_port(), redis_url, env=env, log_dir=tmp)
    if not redis_answers(redis_url):
        stack.start_redis_if_needed()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env=stack.env)
    began = time.perf_counter()
    stack.start()
    print(f"stack ready in {time.perf_counter() - began:.1f} s (logs in {tmp})")
    return stack


async def latencies(base: str, args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Each snippet alone (with and without a pause between runs), then clients at once."""
    report["single"] = {}
    report["back_to_back"] = {}
    for name, code in SNIPPETS.items():
        # A learner reads between runs: the spare used by the last run is refilled meanwhile.
        report["single"][name] = await burst(base, 1, args.runs, code, think=args.think)
        report["back_to_back"][name] = await burst(base, 1, args.runs, code)
    for clients in (8, 32):
        report[f"concurrent_{clients}"] = await burst(base, clients, args.runs_each,
                                                      SNIPPETS["print"])


async def throughput(base: str, args: argparse.Namespace, meter: ProcessMeter | None,
                     report: dict[str, Any]) -> None:
    """Runs per second from 8 clients, and the CPU each run cost each process."""
    before = meter.sample() if meter else None
    report["sustained"] = await sustained(base, 8, args.duration)
    if meter and before:
        after = meter.sample()
        runs = max(1, report["sustained"]["runs"])
        report["cpu_ms_per_run"] = {k: (after[k] - before[k]) * 1000 / runs for k in after}


async def active_run_memory(base: str, meter: ProcessMeter) -> float | None:
    """The private memory of a spare while it runs a snippet."""
    probe = Browser(base)
    await probe.open()
    task = asyncio.ensure_future(probe.run("import time\ntime.sleep(3)\nprint('x')"))
    await asyncio.sleep(1.5)
    sizes = sorted(private_mb(p) for p in meter.spares())
    await task
    probe.close()
    return round(sizes[-1], 1) if sizes else None


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    stack = start_stack() if args.url is None else None
    base = stack.url if stack else args.url
    report: dict[str, Any] = {"url": base}
    try:
        warm = Browser(base)
        await warm.open()
        for _ in range(5):
            await warm.run(SNIPPETS["print"])
        warm.close()
        meter = ProcessMeter(stack) if stack else None
        if meter:
            time.sleep(1.0)
            report["idle_spare_private_mb"] = [round(private_mb(p), 1) for p in meter.spares()]
        await latencies(base, args, report)
        await throughput(base, args, meter, report)
        if meter:
            report["active_run_private_mb"] = await active_run_memory(base, meter)
        report["cold_baseline"] = cold_baseline(args.cold)
        p50 = report["single"]["print"]["first_stdout_ms"]["p50"]
        report["cold_over_p50"] = report["cold_baseline"]["median_ms"] / p50
    finally:
        if stack:
            stack.stop()
    return report


def show(report: dict[str, Any]) -> None:
    def row(label: str, stats: dict[str, float]) -> str:
        return (f"{label:<28} n={stats.get('n', 0):<5} p50 {stats.get('p50', 0):7.1f}  "
                f"p90 {stats.get('p90', 0):7.1f}  p99 {stats.get('p99', 0):7.1f}  "
                f"max {stats.get('max', 0):7.1f} ms")
    for title, key in (("POST -> first stdout frame", "first_stdout_ms"),
                       ("POST -> done", "done_ms")):
        print(f"\n{title}")
        for name, result in report["single"].items():
            print(row(f"1 client, {name}", result[key]))
        for name, result in report["back_to_back"].items():
            print(row(f"1 client b2b, {name}", result[key]))
        for clients in (8, 32):
            result = report[f"concurrent_{clients}"]
            print(row(f"{clients} clients, print", result[key]), f" errors {result['errors']}")
    s = report["sustained"]
    print(f"\nsustained, 8 clients: {s['runs_per_s']:.1f} runs/s over {s['seconds']:.0f} s, "
          f"{s['errors']} errors")
    if "cpu_ms_per_run" in report:
        print("CPU per run (ms): " + ", ".join(f"{k} {v:.1f}"
                                             for k, v in report["cpu_ms_per_run"].items()))
    if "idle_spare_private_mb" in report:
        print(f"private memory: idle spares {report['idle_spare_private_mb']} MB, "
              f"an active trivial run {report.get('active_run_private_mb')} MB")
    cold = report["cold_baseline"]["median_ms"]
    print(f"cold `python -c 'import tensorflow'` baseline: {cold:.0f} ms; "
          f"ratio to our p50: {report['cold_over_p50']:.0f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="measure a running stack instead of starting one")
    parser.add_argument("--runs", type=int, default=60, help="runs per single-client snippet")
    parser.add_argument("--runs-each", type=int, default=8, help="runs per concurrent client")
    parser.add_argument("--duration", type=float, default=60.0, help="sustained phase, seconds")
    parser.add_argument("--cold", type=int, default=3, help="cold baseline repetitions")
    parser.add_argument("--think", type=float, default=0.25,
                        help="seconds between one client's runs (b2b rows use none)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "run_path.json"))
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    show(report)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
