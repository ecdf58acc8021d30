"""What one run costs Redis: commands by kind and bytes in and out, from `INFO commandstats` and
`INFO stats` of a Redis server this script starts for itself, around N runs of `print("hi")`
through the public contract (POST, socket to `done`, stored by the recorder).

Redis's own CPU comes from `INFO cpu`. Heartbeats and the watcher's sweeps cost Redis whether
runs come or not: an idle spell of the same stack is measured first, its rate subtracted, and
printed on its own.

    .venv/bin/python bench/redis_per_run.py [--runs 200] [--clients 4] [--idle 10]
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import Browser  # noqa: E402
from scripts.stack import Stack, free_port  # noqa: E402


def snapshot(client: redis.Redis) -> dict[str, Any]:
    stats = client.info("stats")
    cpu = client.info("cpu")
    commands = {name.removeprefix("cmdstat_"): int(v["calls"])
                for name, v in client.info("commandstats").items()}
    return {"at": time.monotonic(), "commands": commands,
            "in": int(stats["total_net_input_bytes"]), "out": int(stats["total_net_output_bytes"]),
            "cpu": float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"])}


def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    names = set(before["commands"]) | set(after["commands"])
    return {"seconds": after["at"] - before["at"],
            "commands": {n: after["commands"].get(n, 0) - before["commands"].get(n, 0)
                         for n in names},
            "in": after["in"] - before["in"], "out": after["out"] - before["out"],
            "cpu": after["cpu"] - before["cpu"]}


async def runs(base: str, total: int, clients: int) -> None:
    sessions = [Browser(base) for _ in range(clients)]
    await asyncio.gather(*(s.open() for s in sessions))

    async def loop(session: Browser, count: int) -> None:
        for _ in range(count):
            result = await session.run('print("hi")')
            assert result.get("status") == "succeeded", result

    await asyncio.gather(*(loop(s, total // clients) for s in sessions))
    for s in sessions:
        s.close()


def wait_stored(stack: Stack, client: redis.Redis, timeout: float = 60.0) -> None:
    """Until the recorder has read every finished run (its consumer group has nothing pending)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        groups = client.xinfo_groups("runs:finished")
        if groups and all(g["pending"] == 0 and g.get("lag", 0) in (0, None) for g in groups):
            return
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of the idle spell")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tfpg-redis-bench-"))
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "RUN_RATE_LIMIT": "1000000/m",
           "RUN_MAX_IN_FLIGHT_PER_ADDRESS": "1000000", "LOG_LEVEL": "WARNING"}
    stack = Stack(free_port(), f"redis://127.0.0.1:{free_port()}/0", env=env, log_dir=tmp)
    stack.start_redis_if_needed()  # nothing answers on that fresh port: our own server
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env=stack.env)
    client = redis.Redis.from_url(stack.redis_url)
    try:
        stack.start()
        asyncio.run(runs(stack.url, 20, 2))  # warm: connections, spares, first-use costs
        wait_stored(stack, client)
        before = snapshot(client)
        time.sleep(args.idle)
        idle = delta(before, snapshot(client))
        before = snapshot(client)
        asyncio.run(runs(stack.url, args.runs, args.clients))
        wait_stored(stack, client)
        busy = delta(before, snapshot(client))
    finally:
        stack.stop()
    report(idle, busy, args.runs)
    return 0


def report(idle: dict[str, Any], busy: dict[str, Any], n: int) -> None:
    rate = {name: calls / idle["seconds"] for name, calls in idle["commands"].items()}
    print(f"idle (heartbeats, watcher, socketless): {sum(rate.values()):.1f} commands/s, "
          f"{idle['in'] / idle['seconds']:.0f} B/s in, {idle['out'] / idle['seconds']:.0f} "
          f"B/s out, Redis CPU {idle['cpu'] / idle['seconds'] * 1000:.1f} ms/s")
    per_run = {name: (calls - rate.get(name, 0.0) * busy["seconds"]) / n
               for name, calls in busy["commands"].items()}
    shown = sorted(((v, k) for k, v in per_run.items() if v >= 0.05), reverse=True)
    in_bytes = (busy["in"] - idle["in"] / idle["seconds"] * busy["seconds"]) / n
    out_bytes = (busy["out"] - idle["out"] / idle["seconds"] * busy["seconds"]) / n
    cpu_ms = (busy["cpu"] - idle["cpu"] / idle["seconds"] * busy["seconds"]) / n * 1000
    print(f"{n} runs in {busy['seconds']:.1f} s: per run {sum(v for v, _ in shown):.1f} "
          f"commands, {in_bytes:.0f} B in, {out_bytes:.0f} B out, Redis CPU {cpu_ms:.2f} ms")
    print("  " + ", ".join(f"{name} {value:.2f}" for value, name in shown))


if __name__ == "__main__":
    sys.exit(main())
