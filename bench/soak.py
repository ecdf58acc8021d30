"""Soak: a mixed workload from several clients for minutes, through the public contract, checking
that no event is lost or seen twice and watching the web and worker processes' memory.

Each client is a browser session (bench/client.py) running, one after another, snippets of these
kinds: prints, a `tf.function`, a small Keras fit, an error, a timeout (a sleep past the wall
limit), a cancel after the first output, and prints followed with a reconnect mid-run (the socket
closed after a few events and opened again with `after=`). Every run's events are checked as the
client saw them across its reconnections: seqs 1..n, none missing, none twice, one `done`, last.

Prints runs by kind and final status, the event checks, refused requests, and the RSS of Daphne,
the recorder and the trainer worker (and its zygote) at the start, each minute and at the end.

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 8] [--url URL]
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import Browser, HttpError  # noqa: E402
from bench.run_path import children_of  # noqa: E402
from scripts.stack import Stack, free_port  # noqa: E402

WALL_SECONDS = 15  # the stack's RUN_WALL_SECONDS: the `timeout` kind sleeps past it
RUN_PATIENCE = 60.0  # a run with no `done` by then counts as lost

KERAS_FIT = """\
import numpy as np
import tensorflow as tf
x = np.random.rand(256, 8).astype("float32")
y = (x.sum(axis=1) > 4).astype("float32")
model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(16, activation="relu"),
                             tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=3, batch_size=32, verbose=2)
"""
TICKS = "import time\nfor i in range({n}):\n    print('tick', i, flush=True)\n    time.sleep(0.1)\n"


@dataclass(frozen=True)
class Kind:
    name: str
    code: str
    expect: str  # the final status this kind should end with
    weight: int
    reconnect: bool = False  # close the socket after a few events and reconnect with after=
    cancel: bool = False  # POST cancel after the first output


KINDS = [
    Kind("print", 'print("hi")', "succeeded", 25),
    Kind("tf.function", "import tensorflow as tf\n@tf.function\ndef f(x):\n    return x * x + 1\n"
         "print(f(tf.constant(3.0)).numpy())", "succeeded", 15),
    Kind("keras fit", KERAS_FIT, "succeeded", 8),
    Kind("error", 'print("about to fail")\nraise ValueError("on purpose")', "failed", 10),
    Kind("timeout", 'import time\nprint("sleeping", flush=True)\ntime.sleep(600)', "timeout", 4),
    Kind("cancel", TICKS.format(n=200), "cancelled", 13, cancel=True),
    Kind("reconnect", TICKS.format(n=12), "succeeded", 25, reconnect=True),
]


@dataclass
class Tally:
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, status)
    durations: dict[str, list[float]] = field(default_factory=dict)  # kind -> POST to done, s
    refused: Counter[str] = field(default_factory=Counter)  # POST answers other than 201
    runs_checked: int = 0
    lost_events: int = 0  # seqs missing between 1 and done, as the client saw them
    duplicated_events: int = 0  # seqs the client received more than once
    no_done: int = 0  # runs whose done never came within RUN_PATIENCE
    bad_order: int = 0  # runs whose seqs did not come in order, or done not last
    record_mismatches: int = 0  # GET /api/runs/<id> events differ from what the socket gave
    reconnects: int = 0
    socket_errors: int = 0
    problems: list[str] = field(default_factory=list)


def check_events(run_id: str, seqs: list[int], events: list[dict[str, Any]],
                 tally: Tally) -> None:
    """What the client saw of one run, across its reconnections."""
    tally.runs_checked += 1
    counts = Counter(seqs)
    tally.duplicated_events += sum(n - 1 for n in counts.values())
    done = [e for e in events if e["type"] == "done"]
    top = max(seqs, default=0)
    tally.lost_events += top - len(counts)
    if not done:
        tally.no_done += 1
        tally.problems.append(f"{run_id}: no done after {top} events")
    elif seqs != sorted(seqs) or events[-1] is not done[0] or len(done) != 1:
        tally.bad_order += 1
        tally.problems.append(f"{run_id}: seqs {seqs}")


class Client:
    """One browser session running kinds at random until the deadline."""

    def __init__(self, base: str, seed: int, tally: Tally) -> None:
        self.browser = Browser(base)
        self.random = random.Random(seed)  # noqa: S311 - a workload mix, not a secret
        self.tally = tally

    async def loop(self, deadline: float) -> None:
        await self.browser.open()
        while time.monotonic() < deadline:
            kind = self.random.choices(KINDS, weights=[k.weight for k in KINDS])[0]
            await self.one_run(kind)
        self.browser.close()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        return await self.browser.request(
            "POST", path, json.dumps(body or {}).encode(),
            {"Content-Type": "application/json",
             "X-CSRFToken": self.browser.cookies.get("csrftoken", ""),
             "Referer": self.browser.base + "/", "Origin": self.browser.base})

    async def one_run(self, kind: Kind) -> None:
        status, body = await self.post("/api/runs", {"code": kind.code})
        if status != 201:
            self.tally.refused[f"{status} {body[:80]!r}"] += 1
            await asyncio.sleep(0.5)
            return
        run_id = json.loads(body)["id"]
        began = time.monotonic()
        events = await self.follow(run_id, kind)
        self.tally.durations.setdefault(kind.name, []).append(time.monotonic() - began)
        seqs = [e["seq"] for e in events]
        check_events(run_id, seqs, events, self.tally)
        final = events[-1]["status"] if events and events[-1]["type"] == "done" else "no done"
        self.tally.statuses[(kind.name, final)] += 1
        await self.compare_record(run_id, events)

    async def follow(self, run_id: str, kind: Kind) -> list[dict[str, Any]]:
        """Every frame received, reconnecting with after= until done (or patience runs out)."""
        events: list[dict[str, Any]] = []
        cut_after = self.random.randint(1, 4) if kind.reconnect else 0
        cancelled = False
        deadline = time.monotonic() + RUN_PATIENCE
        while time.monotonic() < deadline and not (events and events[-1]["type"] == "done"):
            after = max((e["seq"] for e in events), default=0)
            try:
                async with contextlib.aclosing(self.browser.follow(run_id, after)) as socket:
                    async for event in socket:
                        events.append(event)
                        if event["type"] == "done":
                            break
                        if kind.cancel and not cancelled and event["type"] == "stdout":
                            cancelled = True
                            await self.cancel(run_id)
                        if cut_after and len(events) >= cut_after:
                            cut_after = 0
                            self.tally.reconnects += 1
                            break  # the page lost its socket mid-run
            except (HttpError, ConnectionError, asyncio.IncompleteReadError) as exc:
                self.tally.socket_errors += 1
                self.tally.problems.append(f"{run_id}: socket {exc!r}")
                await asyncio.sleep(0.2)
        return events

    async def cancel(self, run_id: str) -> None:
        status, body = await self.post(f"/api/runs/{run_id}/cancel")
        if status != 202:
            self.tally.problems.append(f"{run_id}: cancel answered {status} {body[:80]!r}")

    async def compare_record(self, run_id: str, events: list[dict[str, Any]]) -> None:
        status, body = await self.browser.request("GET", f"/api/runs/{run_id}")
        if status != 200 or json.loads(body)["events"] != events:
            self.tally.record_mismatches += 1
            self.tally.problems.append(f"{run_id}: record answered {status} or differs")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def watched_processes(stack: Stack) -> dict[str, int]:
    procs = {name: proc.pid for name, proc in stack.procs
             if name in ("daphne", "recorder", "trainer-0")}
    zygotes = [pid for pid in children_of(procs["trainer-0"])
               if b"trainer.sandbox.zygote" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    if zygotes:
        procs["zygote"] = zygotes[0]
    return procs


def memory(stack: Stack | None) -> dict[str, float]:
    if stack is None:
        return {}
    found = {}
    for name, pid in watched_processes(stack).items():
        try:
            found[name] = round(rss_mb(pid), 1)
        except OSError:
            found[name] = float("nan")  # it died: the soak says so below
    return found


def start_stack(tmp: Path) -> Stack:
    """A stack of the soak's own: its own redis-server on a free port, a fresh SQLite."""
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'soak.sqlite3'}", "LOG_LEVEL": "WARNING",
           "RUN_RATE_LIMIT": "1000000/m", "RUN_MAX_IN_FLIGHT_PER_ADDRESS": "1000000",
           "RUN_WALL_SECONDS": str(WALL_SECONDS)}
    stack = Stack(free_port(), f"redis://127.0.0.1:{free_port()}/0", env=env, log_dir=tmp)
    stack.start_redis_if_needed()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env=stack.env)
    began = time.monotonic()
    stack.start()
    print(f"stack ready in {time.monotonic() - began:.1f} s (logs in {tmp})", flush=True)
    return stack


async def sample_memory(stack: Stack | None, samples: list[tuple[float, dict[str, float]]],
                        began: float, deadline: float) -> None:
    while time.monotonic() < deadline:
        await asyncio.sleep(min(60.0, max(0.0, deadline - time.monotonic())))
        samples.append((time.monotonic() - began, memory(stack)))
        print(f"  {samples[-1][0] / 60:4.1f} min: RSS {samples[-1][1]} MB", flush=True)


async def soak(base: str, stack: Stack | None, minutes: float, clients: int, seed: int
               ) -> tuple[Tally, list[tuple[float, dict[str, float]]], float]:
    warm = Browser(base)
    await warm.open()
    for _ in range(3):
        await warm.run('print("warm")')
    warm.close()
    tally = Tally()
    began = time.monotonic()
    deadline = began + minutes * 60
    samples = [(0.0, memory(stack))]
    print(f"  start: RSS {samples[0][1]} MB", flush=True)
    runners = [Client(base, seed + i, tally).loop(deadline) for i in range(clients)]
    await asyncio.gather(sample_memory(stack, samples, began, deadline), *runners)
    samples.append((time.monotonic() - began, memory(stack)))
    return tally, samples, time.monotonic() - began


def show(tally: Tally, samples: list[tuple[float, dict[str, float]]], elapsed: float,
         clients: int, load: tuple[float, float]) -> None:
    runs = sum(tally.statuses.values())
    print(f"\n{runs} runs from {clients} clients in {elapsed / 60:.1f} min "
          f"({runs / elapsed:.2f} runs/s); load average {load[0]:.1f} at the start, "
          f"{load[1]:.1f} at the end ({os.cpu_count()} CPUs)")
    print("\nruns by kind and final status (expected status first):")
    for kind in KINDS:
        found = {status: n for (name, status), n in tally.statuses.items() if name == kind.name}
        others = ", ".join(f"{status} {n}" for status, n in sorted(found.items())
                           if status != kind.expect)
        took = statistics.median(tally.durations.get(kind.name) or [0.0])
        print(f"  {kind.name:<12} {kind.expect} {found.get(kind.expect, 0):<4} "
              f"(median {took:4.1f} s to done) {'other: ' + others if others else ''}")
    by_status = Counter[str]()
    for (_name, status), n in tally.statuses.items():
        by_status[status] += n
    print("runs by final status: " + ", ".join(f"{s} {n}" for s, n in by_status.most_common()))
    print(f"\nevents as the clients saw them ({tally.runs_checked} runs, {tally.reconnects} "
          f"reconnections mid-run): lost {tally.lost_events}, duplicated "
          f"{tally.duplicated_events}, runs without done {tally.no_done}, out of order "
          f"{tally.bad_order}; stored records differing {tally.record_mismatches}; "
          f"socket errors {tally.socket_errors}")
    print(f"POSTs refused: {dict(tally.refused) or 0}")
    for problem in tally.problems[:10]:
        print(f"  ! {problem}")
    if samples and samples[0][1]:
        start, end = samples[0][1], samples[-1][1]
        print("\nRSS (MB), start -> end: " + ", ".join(
            f"{name} {start[name]:.1f} -> {end.get(name, float('nan')):.1f}" for name in start))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="soak a running stack instead of starting one (no RSS; "
                        f"its wall limit should be about {WALL_SECONDS} s)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tfpg-soak-"))
    stack = start_stack(tmp) if args.url is None else None
    load_before = os.getloadavg()[0]
    try:
        tally, samples, elapsed = asyncio.run(
            soak(stack.url if stack else args.url, stack, args.minutes, args.clients, args.seed))
        load_after = os.getloadavg()[0]
    finally:
        if stack:
            stack.stop()
    show(tally, samples, elapsed, args.clients, (load_before, load_after))
    if stack:
        shutil.rmtree(tmp, ignore_errors=True)
    clean = not (tally.lost_events or tally.duplicated_events or tally.no_done or tally.bad_order)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
