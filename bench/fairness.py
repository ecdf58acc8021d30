"""Fairness: how soon a learner's `print("hi")` shows while other sessions hold long runs.

Starts its own stack (or measures `--url`), then for 0, 1, 2 and 3 other sessions each running
`time.sleep(15)` (and, with `--second-runs`, a second run of each queued behind it), times a new
session's POST -> first stdout. The baseline is the same run with nobody else on the stack.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.client import Browser  # noqa: E402
from bench.run_path import start_stack  # noqa: E402

LONG = "import time\nprint('holding', flush=True)\ntime.sleep(15)\n"


async def hold(base: str, second_runs: bool) -> None:
    """Start a session's long run (and, maybe, a second one of the same session behind it)."""
    session = Browser(base)
    await session.open()
    asyncio.ensure_future(session.run(LONG))
    if second_runs:
        second = Browser(base)
        second.cookies = session.cookies  # the same browser session, on its own connection
        asyncio.ensure_future(second.run(LONG))


async def first_output(base: str) -> float:
    learner = Browser(base)
    await learner.open()
    result = await learner.run('print("hi")')
    learner.close()
    return float(result["first"]) * 1000


async def measure(base: str, holders: int, repeats: int, second_runs: bool) -> list[float]:
    times = []
    for _ in range(repeats):
        for _ in range(holders):
            await hold(base, second_runs)
        await asyncio.sleep(1.5)  # the long runs have started
        times.append(await first_output(base))
        await asyncio.sleep(16 if holders else 0.3)  # let the long runs end
    return times


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    stack = start_stack() if args.url is None else None
    base = stack.url if stack else args.url
    report: dict[str, object] = {}
    try:
        for holders in range(4):
            times = await measure(base, holders, args.repeats, args.second_runs)
            report[f"{holders}_holding"] = {"median_ms": statistics.median(times),
                                            "max_ms": max(times)}
    finally:
        if stack:
            stack.stop()
    baseline = report["0_holding"]["median_ms"]  # type: ignore[index]
    for holders in range(1, 4):
        entry = report[f"{holders}_holding"]
        entry["over_baseline"] = entry["median_ms"] / baseline  # type: ignore[index]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="measure a running playground instead of starting one")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--second-runs", action="store_true",
                        help="each holding session also queues a second long run")
    report = asyncio.run(main_async(parser.parse_args()))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
