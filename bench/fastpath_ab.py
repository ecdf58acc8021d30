"""What each adaptation of playground/fastpath buys: Daphne's CPU per run and the POST -> first
stdout latency with all adaptations on, and with each one off (bench/fastpath_app.py), in turns.

One stack (Redis database 12 unless REDIS_URL says); only Daphne restarts between turns, so the
worker and its zygote stay warm. A round runs every configuration once, every other round in
reverse order, so that a drift in the machine's speed touches them all alike; figures are medians
over rounds.

    .venv/bin/python bench/fastpath_ab.py [--rounds 3] [--duration 10] [--off kombu,autobahn]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import Browser  # noqa: E402
from bench.run_path import SNIPPETS, burst, cpu_seconds, start_stack, sustained  # noqa: E402
from scripts.stack import Stack  # noqa: E402

APP = "bench.fastpath_app:application"
# Each switch: what it turns off, as playground/fastpath's docstring names the adaptation.
SWITCHES = {
    "handler": "django.HttpHandler (stock ASGIHandler: a thread per request, request signals)",
    "view-check": "django.HttpHandler.make_view_atomic (request_started sent through a hop)",
    "middleware": "django.OnLoop (stock Security, Session, Locale, Common, Csrf, FrameOptions)",
    "pooled": "django.pooled (the API views on Django's one thread-sensitive thread)",
    "whitenoise": "whitenoise.StaticFiles (stock WhiteNoiseMiddleware)",
    "kombu": "kombu.Transport (stock kombu Redis transport)",
    "django_redis": "django_redis.ConnectionFactory (stock: a redis-py client per request)",
    "consumer": "channels.HopFreeWebsocketConsumer (stock dispatch and disconnect)",
    "autobahn": "autobahn.install (pprint.pformat per socket)",
}


def restart_daphne(stack: Stack, off: str) -> int:
    """Daphne again, on the bench application with `off` switched off; returns its pid."""
    args, env = stack.commands["daphne"]
    proc = dict(stack.procs)["daphne"]
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
    args = [APP if arg.endswith(":application") else arg for arg in args]
    stack.commands["daphne"] = (args, {**env, "FASTPATH_OFF": off})
    pid = stack.respawn("daphne").pid
    stack.wait_ready()
    return pid


async def turn(stack: Stack, pid: int, runs: int, seconds: float) -> dict[str, float]:
    """One configuration: warm-up, one client's latency, then 8 clients' CPU per run."""
    warm = Browser(stack.url)
    await warm.open()
    for _ in range(10):
        await warm.run(SNIPPETS["print"])
    warm.close()
    single = await burst(stack.url, 1, runs, SNIPPETS["print"], think=0.05)
    before = cpu_seconds(pid)
    load = await sustained(stack.url, 8, seconds)
    cpu_ms = (cpu_seconds(pid) - before) * 1000 / max(1, load["runs"])
    return {"daphne_cpu_ms": cpu_ms, "p50_ms": single["first_stdout_ms"]["p50"],
            "runs_per_s": load["runs_per_s"], "errors": load["errors"] + single["errors"]}


def summary(results: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Medians per configuration, and what switching each adaptation off costs."""
    medians = {name: {k: statistics.median(t[k] for t in turns) for k in turns[0]}
               for name, turns in results.items()}
    on = medians["none"]
    for m in medians.values():
        m["cpu_cost_ms"] = m["daphne_cpu_ms"] - on["daphne_cpu_ms"]
        m["p50_cost_ms"] = m["p50_ms"] - on["p50_ms"]
    return medians


def show(medians: dict[str, dict[str, float]], rounds: int) -> None:
    print(f"\nmedians over {rounds} rounds; cost = off minus all on")
    print(f"{'off':<12} {'daphne CPU/run':>15} {'cost':>7} {'p50 stdout':>11} {'cost':>7} "
          f"{'runs/s':>7} {'errors':>6}")
    for name, m in medians.items():
        print(f"{name:<12} {m['daphne_cpu_ms']:12.2f} ms {m['cpu_cost_ms']:+7.2f} "
              f"{m['p50_ms']:8.1f} ms {m['p50_cost_ms']:+7.1f} {m['runs_per_s']:7.1f} "
              f"{m['errors']:6.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="8 clients, seconds")
    parser.add_argument("--runs", type=int, default=20, help="one client's runs for the p50")
    parser.add_argument("--off", default=",".join(SWITCHES), help="adaptations to try off")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "fastpath_ab.json"))
    args = parser.parse_args()
    configs = ["none", *[name for name in args.off.split(",") if name]]
    results: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
    stack = start_stack()
    try:
        # The first turn meets spares still being made and caches still cold: not counted.
        asyncio.run(turn(stack, restart_daphne(stack, ""), args.runs, args.duration))
        for r in range(args.rounds):
            # Every other round in reverse: a drift in the machine's speed cancels out.
            for name in configs if r % 2 == 0 else configs[::-1]:
                pid = restart_daphne(stack, "" if name == "none" else name)
                results[name].append(asyncio.run(turn(stack, pid, args.runs, args.duration)))
                print(f"round {r + 1} off={name}: {json.dumps(results[name][-1])}", flush=True)
    finally:
        stack.stop()
    medians = summary(results)
    show(medians, args.rounds)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"rounds": results, "medians": medians}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
