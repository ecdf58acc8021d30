"""What the instrumentation costs each snippet, without a stack: the snippet run on and off in
children forked from one process that has imported TensorFlow (as the zygote does), each warmed
up as a spare is, its events written to a pipe as the real child's are. CPU time (every thread
of the child) is the figure to read on a shared machine; wall time is printed beside it.

    .venv/bin/python -m bench.instrument_cost [--only 'keras*'] [--repeats 3] [FILE ...]
    .venv/bin/python -m bench.instrument_cost --profile 20 --only 'tour first-steps/07*'

Variants alternate within each repeat (their order rotating), so drift hits both alike.
`--profile N` runs each snippet on and off under cProfile instead and prints the N functions
whose own CPU time grew most, then this package's N costliest hooks (the main thread only:
Keras' asynchronous batch hooks and tf.distribute's replica threads are not in it). Not a jail:
snippets run with this process' rights, in a temporary directory.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.snippets import collect  # noqa: E402

VARIANTS = ("on", "off")


def _prepare_environment(home: str) -> None:
    """Keras' home with the worker's dataset cache in it, set before Keras is imported."""
    datasets = ROOT / ".cache" / "datasets"
    os.makedirs(os.path.join(home, "datasets"), exist_ok=True)
    if datasets.is_dir():
        for entry in datasets.iterdir():
            os.symlink(entry, os.path.join(home, "datasets", entry.name))
    os.environ["KERAS_HOME"] = home
    os.environ["TFDS_DATA_DIR"] = str(datasets / "tfds")
    os.environ["MPLBACKEND"] = "Agg"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _drain(fd: int, counts: dict[str, Any]) -> None:
    """Read the child's event lines to the end, counting events and bytes per type."""
    buffered = b""
    while chunk := os.read(fd, 1 << 16):
        buffered += chunk
        *lines, buffered = buffered.split(b"\n")
        for line in lines:
            kind = json.loads(line).get("type", "?")
            count, size = counts.get(kind, (0, 0))
            counts[kind] = (count + 1, size + len(line) + 1)
    os.close(fd)


def _child(code: str, fields: dict[str, Any], instrument: bool, events_fd: int,
           result_fd: int, profile: bool) -> None:
    """In the forked child: warm up as a spare, run the job, write its costs, exit."""
    import tensorflow as tf

    from contract.job import Job
    from trainer.instrument import Instrumentation
    from trainer.sandbox import runner

    os.chdir(tempfile.mkdtemp(prefix="instrument-cost-"))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    runner.setup_stdio()
    runner.configure_devices(tf, "cpu", 0, 2)
    runner.warm_up(tf, False)
    emit = runner.EventWriter(events_fd)
    instrumentation = Instrumentation(emit, views=instrument)
    instrumentation.install()
    job = Job.from_task(code, fields)
    profiler = _start_profile() if profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    status = runner.execute(job, emit, instrumentation, tf)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    top = _stop_profile(profiler) if profiler is not None else None
    report = {"cpu": cpu, "wall": wall, "status": status, "profile": top}
    os.write(result_fd, json.dumps(report).encode())
    os._exit(0)


def _start_profile() -> Any:
    import cProfile

    # The main thread's CPU time, not the clock: other work on the machine adds none of it.
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    return profiler


def _stop_profile(profiler: Any) -> list[list[Any]]:
    """Every function the run called: [where, calls, own seconds, cumulative seconds]."""
    import pstats

    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return [[f"{_short(file)}:{line}:{name}", calls, total, cumulative]
            for (file, line, name), (_, calls, total, cumulative, _) in stats.items()]


def _short(file: str) -> str:
    """A file named from its package, not from the interpreter's tree."""
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def run_once(path: Path, fields: dict[str, Any], instrument: bool,
             profile: bool = False) -> dict[str, Any]:
    """Fork a child for one run of one snippet; its CPU and wall time and what it emitted."""
    events_r, events_w = os.pipe()
    result_r, result_w = os.pipe()
    code = path.read_text()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(events_r)
            os.close(result_r)
            _child(code, fields, instrument, events_w, result_w, profile)
        finally:
            os._exit(70)
    os.close(events_w)
    os.close(result_w)
    counts: dict[str, Any] = {}
    drain = threading.Thread(target=_drain, args=(events_r, counts), daemon=True)
    drain.start()
    with os.fdopen(result_r, "rb") as results:
        raw = results.read()
    os.waitpid(pid, 0)
    drain.join()
    report = json.loads(raw) if raw else {"cpu": None, "wall": None, "status": "crashed"}
    report["events"] = counts
    return report


def _ratio(on: list[float], off: list[float]) -> float | None:
    if not on or not off or statistics.median(off) <= 0:
        return None
    return statistics.median(on) / statistics.median(off) - 1


def _line(name: str, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    cpu = {v: [r["cpu"] for r in runs[v] if r["cpu"] is not None] for v in VARIANTS}
    wall = {v: [r["wall"] for r in runs[v] if r["wall"] is not None] for v in VARIANTS}
    events = runs["on"][-1]["events"] if runs["on"] else {}
    row = {"name": name, "cpu_on_ms": _median_ms(cpu["on"]), "cpu_off_ms": _median_ms(cpu["off"]),
           "cpu_overhead": _ratio(cpu["on"], cpu["off"]),
           "wall_on_ms": _median_ms(wall["on"]), "wall_off_ms": _median_ms(wall["off"]),
           "wall_overhead": _ratio(wall["on"], wall["off"]),
           "events": sum(c for c, _ in events.values()),
           "event_kb": round(sum(s for _, s in events.values()) / 1024, 1),
           "status": sorted({str(r["status"]) for v in VARIANTS for r in runs[v]})}
    print(f"{name:48s} cpu {row['cpu_off_ms']:>8} -> {row['cpu_on_ms']:>8} ms "
          f"{_percent(row['cpu_overhead']):>7}   wall {row['wall_off_ms']:>8} -> "
          f"{row['wall_on_ms']:>8} ms {_percent(row['wall_overhead']):>7}   "
          f"{row['events']} events {row['event_kb']} KB  {','.join(row['status'])}", flush=True)
    return row


def _median_ms(values: list[float]) -> float | None:
    return round(statistics.median(values) * 1000, 1) if values else None


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.1f}%"


def _summary(rows: list[dict[str, Any]]) -> None:
    for key in ("cpu_overhead", "wall_overhead"):
        values = [r[key] for r in rows if r[key] is not None]
        if values:
            worst = max(rows, key=lambda r: r[key] if r[key] is not None else -1)
            print(f"{key}: median {_percent(statistics.median(values))}, "
                  f"max {_percent(worst[key])} ({worst['name']}), "
                  f"over 20%: {sum(v > 0.2 for v in values)} of {len(values)}")


def _profile(name: str, path: Path, fields: dict[str, Any], top: int) -> None:
    """The functions whose own time grew most with instrumentation on, then this package's
    costliest hooks (their cumulative time includes the library calls they wrap)."""
    on, off = (run_once(path, fields, variant == "on", profile=True) for variant in VARIANTS)
    print(f"\n{name}: cProfile, cpu {off['cpu'] * 1000:.1f} ms off, {on['cpu'] * 1000:.1f} on")
    before = {row[0]: row for row in off["profile"] or []}
    grown = []
    for row in on["profile"] or []:
        was = before.get(row[0], [row[0], 0, 0.0, 0.0])
        grown.append([row[0], row[1] - was[1], row[2] - was[2], row[3] - was[3]])
    grown.sort(key=lambda row: -row[2])
    print("  own time grown (ms, calls more):")
    for where, calls, total, _ in grown[:top]:
        print(f"  {total * 1000:9.2f} {calls:8d}  {where}")
    hooks = [row for row in on["profile"] or [] if row[0].startswith("trainer/instrument/")]
    hooks.sort(key=lambda row: -row[3])
    print("  this package by cumulative time (ms cum, ms own, calls):")
    for where, calls, total, cumulative in hooks[:top]:
        print(f"  {cumulative * 1000:9.2f} {total * 1000:9.2f} {calls:8d}  {where}")


def _snippets(args: argparse.Namespace) -> list[tuple[str, Path, dict[str, Any]]]:
    if args.files:
        found: list[tuple[str, Path, dict[str, Any]]] = [
            (str(p), Path(p), {}) for p in args.files]
        return [s for s in found if args.only is None or fnmatch.fnmatch(s[0], args.only)]
    return collect([], args.only)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="snippets (default: examples and solutions)")
    parser.add_argument("--only", help="glob on the snippet's name, as bench/snippets.py")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead of timing, profile on and off and print N rows of each table")
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args()
    _prepare_environment(tempfile.mkdtemp(prefix="instrument-cost-keras-"))
    from trainer.sandbox import zygote

    zygote.preload()
    snippets = _snippets(args)
    if args.profile:
        for name, path, fields in snippets:
            _profile(name, path, fields, args.profile)
        return
    rows = [_line(name, _timed(path, fields, args.repeats)) for name, path, fields in snippets]
    _summary(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


def _timed(path: Path, fields: dict[str, Any], repeats: int) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    for repeat in range(repeats):
        order = VARIANTS if repeat % 2 == 0 else VARIANTS[::-1]
        for variant in order:
            runs[variant].append(run_once(path, fields, variant == "on"))
    return runs


if __name__ == "__main__":
    main()
