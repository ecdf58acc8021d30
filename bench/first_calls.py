"""Measure the CPU a spare spends on a learner's first tf.function and first Keras epoch, with
the zygote's preparation of them and without it, in children forked as the zygote forks spares
(without the jail: no root needed).

Parent processes preload TensorFlow as the zygote does: `prepared` as it is, `plain` without
trainer/sandbox/autograph_fixes.py, trainer/sandbox/keras_fixes.py and priming.jit_gemm_kernels,
`traced` as `prepared` with the warm-up's own tf.function traced and called in each child before
its run (`TRAINER_WARM_FUNCTION=1`). Rounds alternate between them. Each child warms up as a
spare does (devices, first op, instrumentation), notes its private memory, then runs one snippet
through the runner and reports the CPU time and minor page faults of that run alone up to its
first `metrics` event (Keras) or its end (tf.function). Prints medians per variant and snippet,
and their differences. Results also as JSON.

    .venv/bin/python bench/first_calls.py [--rounds 3] [--children 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # as trainer.pool gives the zygote

from bench.run_path import SNIPPETS  # noqa: E402
from contract.job import Job  # noqa: E402
from trainer.sandbox import priming, runner, zygote  # noqa: E402

TOUR_FIT = ROOT / "playground/concepts/content/tours/first-steps/06-choose-the-loss/solution.py"
CODES = {"tf.function": SNIPPETS["tf.function"], "keras first epoch": TOUR_FIT.read_text()}
VARIANTS = ("plain", "prepared", "traced")


def prepare_parent(variant: str) -> None:
    """Preload as the zygote does; `plain` leaves out this area's preparations."""
    if variant == "plain":
        from trainer.sandbox import autograph_fixes, keras_fixes

        autograph_fixes.install = lambda: False  # type: ignore[assignment]
        keras_fixes.install = lambda: False  # type: ignore[assignment]
        priming.jit_gemm_kernels = lambda tf: False  # type: ignore[assignment]
    zygote.preload()
    priming.prime_tensorflow("cpu")


def private_mb() -> float:
    """This process's private memory (clean and dirty), MiB: what an idle spare holds alone."""
    with open("/proc/self/smaps_rollup") as f:
        return sum(int(line.split()[1]) for line in f
                   if line.startswith(("Private_Clean:", "Private_Dirty:"))) / 1024


class FirstMetrics:
    """The runner's event writer, to /dev/null, noting the CPU time of the first `metrics`."""

    def __init__(self) -> None:
        self.writer = runner.EventWriter(os.open(os.devnull, os.O_WRONLY))
        self.at: tuple[float, int] | None = None

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("type") == "metrics" and self.at is None:
            self.at = (time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt)
        self.writer(event)


def measure_child(code: str, variant: str) -> dict[str, float]:
    """In the forked child: warm up as a spare, then run `code` and time that run alone."""
    import tensorflow as tf

    from trainer.instrument import Instrumentation

    runner.configure_devices(tf, "cpu", 0, 2)
    runner.warm_up(tf, variant == "traced")
    emit = FirstMetrics()
    instrumentation = Instrumentation(emit)
    instrumentation.install()
    idle_mb = private_mb()
    os.chdir(tempfile.mkdtemp(prefix="tfpg-first-"))
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the child exits right after
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    began = time.process_time()
    job = Job.from_task(code, {})
    status = runner.execute(job, emit, instrumentation, tf)  # type: ignore[arg-type]
    ended = emit.at or (time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt)
    return {"status": status, "cpu_ms": (ended[0] - began) * 1000, "faults": ended[1] - faults,
            "idle_mb": idle_mb}


def fork_one(code: str, variant: str) -> dict[str, float]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            os.write(write, json.dumps(measure_child(code, variant)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        answer = f.read()
    os.waitpid(pid, 0)
    return json.loads(answer)


def parent(variant: str, children: int) -> None:
    """One round of one variant: a JSON line per child run."""
    prepare_parent(variant)
    for _ in range(children):
        for name, code in CODES.items():
            print(json.dumps({"variant": variant, "snippet": name,
                              **fork_one(code, variant)}), flush=True)


def rounds(count: int, children: int) -> list[dict[str, Any]]:
    runs = []
    for index in range(count):
        for variant in VARIANTS if index % 2 == 0 else VARIANTS[::-1]:
            done = subprocess.run([sys.executable, __file__, "--parent", variant, "--children",
                                   str(children)], capture_output=True, text=True, check=True)
            runs += [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return runs


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name in CODES:
        for variant in VARIANTS:
            mine = [r for r in runs if r["snippet"] == name and r["variant"] == variant]
            assert all(r["status"] == 0 for r in mine), mine
            summary[f"{name} / {variant}"] = {
                "n": len(mine), "cpu_ms": statistics.median(r["cpu_ms"] for r in mine),
                "faults": statistics.median(r["faults"] for r in mine),
                "idle_mb": statistics.median(r["idle_mb"] for r in mine)}
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each variant once")
    parser.add_argument("--children", type=int, default=3, help="children per snippet a round")
    parser.add_argument("--parent", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "first_calls.json"))
    args = parser.parse_args()
    if args.parent:
        parent(args.parent, args.children)
        return 0
    load = os.getloadavg()[0]
    summary = summarize(rounds(args.rounds, args.children))
    for key, row in summary.items():
        print(f"{key:<32} n={row['n']:<3} CPU median {row['cpu_ms']:7.1f} ms, "
              f"minor faults {row['faults']:7.0f}, idle spare {row['idle_mb']:5.1f} MB private")
    for name in CODES:
        plain, prepared, traced = (summary[f"{name} / {v}"] for v in VARIANTS)
        print(f"{name}: {plain['cpu_ms'] - prepared['cpu_ms']:.1f} ms CPU saved by the zygote's "
              f"preparations ({plain['cpu_ms'] / prepared['cpu_ms']:.2f}x); a trace in the spare "
              f"saves {prepared['cpu_ms'] - traced['cpu_ms']:.1f} ms more for "
              f"{traced['idle_mb'] - prepared['idle_mb']:.1f} MB more private memory")
    print(f"load average at the start {load:.1f}, at the end {os.getloadavg()[0]:.1f}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
