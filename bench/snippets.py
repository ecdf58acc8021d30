"""Time the snippets learners actually run: each content example and tour solution (or any
folder of `.py` files) through the public contract, against `python file.py` in a fresh process,
and with the instrumentation on against off in the same kind of warm spare; all interleaved.

Two stacks of our own run side by side: one as deployed, one whose worker has
TRAINER_BENCH_NO_INSTRUMENTATION=1 (a worker setting, never a run's: no views of TensorFlow,
while the figures the snippet draws still come, as its printed lines do). For each repeat and each
snippet the three variants run one after the other, their order rotating, so the machine's
drift hits them alike; a snippet whose run took under --pair-below seconds then runs --pairs
more on/off pairs. One client per stack, a learner's pause between runs. Prints per snippet
POST -> first stdout and POST -> done (and POST -> first `metrics` event where a fit reports
one), the local process' first stdout, exit and end of Keras' first training batch (marked by
bench/local_probe.py), the instrumentation's overhead (the median over on/off pairs of their
ratio), then medians and ratios. Results also as JSON.

    .venv/bin/python bench/snippets.py [--only '*keras*'] [--repeats 3] [DIR ...]
"""
from __future__ import annotations

import argparse
import asyncio
import fnmatch
import json
import os
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import Browser  # noqa: E402
from bench.local_probe import MARK  # noqa: E402
from bench.run_path import start_stack  # noqa: E402
from trainer.config import WorkerSettings  # noqa: E402

CONTENT = ROOT / "playground" / "concepts" / "content"
PYTHON = ROOT / ".venv" / "bin" / "python"
PROBE = ROOT / "bench" / "local_probe.py"
VARIANTS = ("api", "off", "local")  # api: as deployed; off: no views of TensorFlow


def collect(folders: list[Path], only: str | None) -> list[tuple[str, Path, dict[str, Any]]]:
    """(name, file, API fields) of each snippet: content examples and tour solutions by
    default, with the mode their toml gives; every `.py` under `folders` otherwise."""
    found: list[tuple[str, Path, dict[str, Any]]] = []
    if folders:
        for folder in folders:
            found += [(str(p.relative_to(folder)), p, {}) for p in sorted(folder.rglob("*.py"))]
    else:
        for path in sorted(CONTENT.glob("concepts/*/examples/*.py")):
            found.append((f"{path.parent.parent.name}/{path.stem}", path,
                          _fields(path.with_suffix(".toml"))))
        for path in sorted(CONTENT.glob("tours/*/*/solution.py")):
            found.append((f"tour {path.parent.parent.name}/{path.parent.name}", path,
                          _fields(path.parent / "step.toml")))
    return [s for s in found if only is None or fnmatch.fnmatch(s[0], only)]


def _fields(toml: Path) -> dict[str, Any]:
    if not toml.exists():
        return {}
    spec = tomllib.loads(toml.read_text())
    return {k: spec[k] for k in ("mode", "compare_eager") if k in spec}


async def run_local(path: Path, env: dict[str, str], cwd: str) -> dict[str, Any]:
    """`python file.py` in a fresh process, stdout unbuffered as on a terminal; through
    bench/local_probe.py, which marks the end of Keras' first training batch on stderr (the
    local counterpart of the first `metrics` event)."""
    began = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        str(PYTHON), str(PROBE), str(path), cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    firsts: dict[str, float] = {}

    async def drain(stream: asyncio.StreamReader, kind: str) -> None:
        while chunk := await stream.read(65536):
            if kind == "stdout" or MARK in chunk:
                firsts.setdefault(kind, time.perf_counter() - began)

    await asyncio.gather(drain(proc.stdout, "stdout"), drain(proc.stderr, "metrics"))
    code = await proc.wait()
    return {"first": firsts.pop("stdout", None), "done": time.perf_counter() - began,
            "status": "succeeded" if code == 0 else f"exit {code}", "firsts": firsts}


def local_env(home: str) -> dict[str, str]:
    """The learner's own interpreter, reading the same dataset cache the worker fills (linked
    into a Keras home of its own, as the jail links it)."""
    settings = WorkerSettings.from_env()
    datasets = os.path.join(home, "datasets")
    os.makedirs(datasets, exist_ok=True)
    if os.path.isdir(settings.datasets_dir):
        for name in os.listdir(settings.datasets_dir):
            os.symlink(os.path.join(settings.datasets_dir, name), os.path.join(datasets, name))
    return {**os.environ, "PYTHONUNBUFFERED": "1", "KERAS_HOME": home,
            "TFDS_DATA_DIR": settings.tfds_dir, "MPLBACKEND": "Agg"}


async def measure(snippets: list[tuple[str, Path, dict[str, Any]]], bases: dict[str, str],
                  args: argparse.Namespace) -> dict[str, dict[str, list[dict[str, Any]]]]:
    browsers = {v: Browser(base) for v, base in bases.items()}
    await asyncio.gather(*(b.open() for b in browsers.values()))
    for b in browsers.values():
        for _ in range(3):
            await b.run('print("hi")')
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {v: [] for v in VARIANTS if v in bases or v == "local"} for name, _, _ in snippets}
    with tempfile.TemporaryDirectory(prefix="tfpg-snippets-") as cwd:
        env = local_env(os.path.join(cwd, ".keras-home"))
        for repeat in range(args.repeats):
            for i, (name, path, fields) in enumerate(snippets):
                code = path.read_text()
                order = list(results[name])
                shift = (repeat + i) % len(order)
                for variant in order[shift:] + order[:shift]:
                    if variant == "local":
                        result = await run_local(path, env, cwd)
                    else:
                        result = await browsers[variant].run(code, **fields)
                    results[name][variant].append(result)
                    await asyncio.sleep(args.think)
                await _more_pairs(results[name], browsers, code, fields, args)
                print(f"  [{repeat + 1}/{args.repeats}] {name}", flush=True)
    for b in browsers.values():
        b.close()
    return results


async def _more_pairs(runs: dict[str, list[dict[str, Any]]], browsers: dict[str, Browser],
                      code: str, fields: dict[str, Any], args: argparse.Namespace) -> None:
    """`--pairs` more on/off pairs for a snippet whose run just took under `--pair-below`
    seconds: a short run drifts by more than the instrumentation costs it, so its overhead
    needs more samples than the local run (seconds each) gets. Each pair runs back to back, its
    order alternating, so that the ratio within a pair cancels the machine's slower drift."""
    if "off" not in runs or not runs["api"] or runs["api"][-1].get("done") is None or \
            runs["api"][-1]["done"] >= args.pair_below:
        return
    for index in range(args.pairs):
        for variant in ("api", "off") if index % 2 else ("off", "api"):
            runs[variant].append(await browsers[variant].run(code, **fields))
            await asyncio.sleep(args.think)


def overhead(api: list[dict[str, Any]], off: list[dict[str, Any]]) -> float | None:
    """The median over on/off pairs (the n-th run of each) of on's time to done over off's,
    less one; None without a pair that finished."""
    ratios = [a["done"] / o["done"] for a, o in zip(api, off, strict=False)
              if a.get("done") and o.get("done")]
    return statistics.median(ratios) - 1 if ratios else None


def median_ms(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) * 1000 if values else None


def median_first(runs: list[dict[str, Any]], kind: str) -> float | None:
    values = [r["firsts"][kind] for r in runs if kind in r.get("firsts", {})]
    return statistics.median(values) * 1000 if values else None


def summarize(results: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    rows = {}
    for name, by_variant in results.items():
        row: dict[str, Any] = {}
        for variant, runs in by_variant.items():
            row[variant] = {"first_ms": median_ms(runs, "first"),
                            "done_ms": median_ms(runs, "done"),
                            "metrics_ms": median_first(runs, "metrics"),
                            "status": sorted({str(r.get("status", r.get("error"))) for r in runs})}
        for key in ("first", "done", "metrics"):
            api, local = row["api"][f"{key}_ms"], row["local"][f"{key}_ms"]
            if api and local:
                row[f"local_over_api_{key}"] = local / api
        if (paired := overhead(by_variant["api"], by_variant.get("off", []))) is not None:
            row["overhead"] = paired
            row["pairs"] = min(len(by_variant["api"]), len(by_variant["off"]))
        rows[name] = row
    totals: dict[str, Any] = {}
    for key, label in (("local_over_api_first", "local/api first output"),
                       ("local_over_api_done", "local/api done"),
                       ("local_over_api_metrics", "local/api first metrics"),
                       ("overhead", "overhead")):
        values = [r[key] for r in rows.values() if key in r]
        if values:
            totals[label] = {"median": statistics.median(values), "max": max(values),
                             "above_20pct": sum(v > 0.2 for v in values)}
    for variant in VARIANTS:
        for key in ("first_ms", "done_ms"):
            values = [r[variant][key] for r in rows.values() if variant in r and r[variant][key]]
            if values:
                totals[f"{variant} {key}"] = statistics.median(values)
    return {"rows": rows, "totals": totals}


def show(summary: dict[str, Any]) -> None:
    def ms(v: float | None) -> str:
        return f"{v:8.0f}" if v is not None else "       -"
    print(f"\n{'snippet':<48} {'api 1st':>8} {'api done':>8} {'metrics':>8} {'py 1st':>8} "
          f"{'py done':>8} {'py mtrc':>8} {'py/api':>6} {'off done':>8} {'instr':>6}  status")
    for name, row in summary["rows"].items():
        api, local, off = row["api"], row["local"], row.get("off", {})
        ratio = f"{row['local_over_api_done']:6.1f}" if "local_over_api_done" in row else "     -"
        over = f"{row['overhead']:+6.0%}" if "overhead" in row else "     -"
        status = ",".join(sorted(set(api["status"]) | set(local["status"])))
        print(f"{name[:48]:<48} {ms(api['first_ms'])} {ms(api['done_ms'])} "
              f"{ms(api['metrics_ms'])} {ms(local['first_ms'])} {ms(local['done_ms'])} "
              f"{ms(local['metrics_ms'])} {ratio} "
              f"{ms(off.get('done_ms'))} {over}  {status}")
    print("\nmedians over snippets (ms):", ", ".join(
        f"{k} {v:.0f}" for k, v in summary["totals"].items() if isinstance(v, float)))
    for label in ("local/api first output", "local/api done", "local/api first metrics",
                  "overhead"):
        if t := summary["totals"].get(label):
            fmt = "{:+.1%}" if label == "overhead" else "{:.1f}x"
            print(f"{label}: median {fmt.format(t['median'])}, max {fmt.format(t['max'])}"
                  + (f", {t['above_20pct']} snippets above +20%" if label == "overhead" else ""))


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    snippets = collect([Path(f) for f in args.folders], args.only)
    if not snippets:
        raise SystemExit("no snippet matches")
    print(f"{len(snippets)} snippets, {args.repeats} repeats")
    stacks = [start_stack()]
    try:
        bases = {"api": stacks[0].url}
        if not args.no_off:
            stacks.append(start_stack(args.off_redis, {"TRAINER_BENCH_NO_INSTRUMENTATION": "1"}))
            bases["off"] = stacks[1].url
        results = await measure(snippets, bases, args)
    finally:
        for stack in stacks:
            stack.stop()
    return {"results": results, **summarize(results)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", help="folders of .py snippets (default: content)")
    parser.add_argument("--only", help="a glob over snippet names, e.g. 'tour first-steps/*'")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.25, help="pause between runs, seconds")
    parser.add_argument("--pairs", type=int, default=4,
                        help="extra on/off pairs per repeat for a snippet under --pair-below")
    parser.add_argument("--pair-below", type=float, default=1.0,
                        help="runs shorter than this many seconds get the extra pairs")
    parser.add_argument("--no-off", action="store_true",
                        help="skip the stack without instrumentation")
    parser.add_argument("--off-redis", default="redis://127.0.0.1:6379/14",
                        help="Redis of the stack without instrumentation (REDIS_URL: the other)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "snippets.json"))
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    show(report)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
