"""Measure what the sandbox's offers cost, on a worker pool of its own (no web side; root for
the jail): the first output of a snippet that sets devices up, from a cold spare kept idle and
from one forked on demand, beside a warm run; the zygote's and idle spares' memory, with the
usual libraries installed and with them hidden from the zygote; the libraries' import CPU time
in a run against a fresh interpreter's.

    sudo .venv/bin/python bench/sandbox_offers.py [--runs 20]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contract.job import Job  # noqa: E402
from trainer import pool as pools  # noqa: E402
from trainer import protocol  # noqa: E402
from trainer.config import WorkerSettings  # noqa: E402

DEVICE_SETUP = """import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 3)
print(len(tf.config.list_logical_devices()))
"""
WARM = "import tensorflow as tf\nprint(len(tf.config.list_logical_devices()))\n"
LIBRARIES = ("pandas", "sklearn", "PIL.Image", "matplotlib.pyplot", "tensorflow_datasets")
IMPORTS = (f"import json, time\nspent = {{}}\nfor name in {LIBRARIES!r}:\n"
           "    began = time.process_time()\n    __import__(name)\n"
           "    spent[name] = (time.process_time() - began) * 1000\nprint(json.dumps(spent))\n")
# Hides the libraries from a zygote, to compare with a worker that has none of them.
HIDE = """import sys
class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pandas", "matplotlib", "sklearn", "PIL", "pyarrow", "scipy"}:
            raise ImportError(name)
sys.meta_path.insert(0, _Hide())
"""


def feed(spare: pools.HeldSpare, code: str) -> tuple[float | None, bytes]:
    """Give a held spare its job, as the supervisor does, and read its pipes to the end: the
    perf_counter time of its first stdout (None without any), and its whole stdout."""
    protocol.write_message(spare.control, dataclasses.asdict(Job(code=code)))
    os.close(spare.control)
    spare.control = -1
    first, out = None, b""
    names = {spare.stdout: "stdout", spare.stderr: "stderr", spare.events: "events",
             spare.status: "status"}
    while names:
        for fd in select.select(list(names), [], [], 60)[0]:
            data = os.read(fd, 65536)
            if not data:
                os.close(fd)
                setattr(spare, names.pop(fd), -1)
            elif names[fd] == "stdout":
                first = first or time.perf_counter()
                out += data
    spare.discard()
    return first, out


def run(pool: pools.Pool, code: str) -> tuple[float, str]:
    """Take the spare the code asks for and run it: ms from the take to the first output, and
    the whole output."""
    kind, _ = Job(code=code).spare()
    began = time.perf_counter()
    first, out = feed(pool.take(kind), code)
    return ((first or time.perf_counter()) - began) * 1000, out.decode()


def private_mb(pid: int) -> float:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return sum(int(line.split()[1]) for line in f
                   if line.startswith(("Private_Clean", "Private_Dirty"))) / 1024


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(p) for p in f.read().split()]
    return found


def start(settings: WorkerSettings, hide: str | None = None) -> tuple[pools.Pool, float]:
    environment = pools.clean_environment
    if hide:
        pools.clean_environment = lambda s: {  # type: ignore[assignment]
            **environment(s), "PYTHONPATH": f"{hide}:{ROOT}"}
    try:
        began = time.perf_counter()
        pool = pools.Pool(settings, "cpu")
        pool.start()
        pool.info()
        return pool, time.perf_counter() - began
    finally:
        pools.clean_environment = environment


def memory(settings: WorkerSettings, hide: str | None) -> dict[str, Any]:
    pool, ready_s = start(settings, hide)
    time.sleep(3)  # every spare warm
    assert pool.process is not None
    report: dict[str, Any] = {"first_spare_s": round(ready_s, 2),
                              "zygote_rss_mb": round(rss_mb(pool.process.pid), 1)}
    for pid in children(pool.process.pid):
        # A warm spare has started TensorFlow's threads; a cold one is single-threaded.
        kind = "warm" if threads(pid) > 1 else "cold"
        report.setdefault(f"{kind}_spares_private_mb", []).append(round(private_mb(pid), 1))
    pool.stop()
    return report


def threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads"))


def first_output(settings: WorkerSettings, runs: int) -> dict[str, Any]:
    pool, _ = start(settings)
    time.sleep(2)
    found: dict[str, list[float]] = {"device set-up": [], "warm": []}
    for _ in range(runs):
        for name, code in (("device set-up", DEVICE_SETUP), ("warm", WARM)):
            found[name].append(run(pool, code)[0])
            time.sleep(0.3)  # a learner's pause: the spare is replaced meanwhile
    pool.stop()
    return {name: {"p50": round(statistics.median(v), 1), "max": round(max(v), 1)}
            for name, v in found.items()}


def imports(settings: WorkerSettings, runs: int) -> dict[str, Any]:
    pool, _ = start(settings)
    sandbox: list[dict[str, float]] = []
    plain: list[dict[str, float]] = []
    after_tf: list[dict[str, float]] = []
    for _ in range(runs):
        sandbox.append(json.loads(run(pool, IMPORTS)[1].splitlines()[-1]))
        for rows, prefix in ((plain, ""), (after_tf, "import tensorflow\n")):
            out = subprocess.run([sys.executable, "-c", prefix + IMPORTS], capture_output=True,
                                 text=True, check=True).stdout
            rows.append(json.loads(out.splitlines()[-1]))
    pool.stop()
    return {name: {where: round(statistics.median(r[name] for r in rows), 1)
                   for where, rows in (("sandbox", sandbox), ("plain", plain),
                                       ("plain_after_tf", after_tf))}
            for name in LIBRARIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    settings = WorkerSettings.from_env()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as hide:
        Path(hide, "sitecustomize.py").write_text(HIDE)
        report["memory_without_libraries"] = memory(settings, hide)
    report["memory"] = memory(settings, None)
    report["first_output_ms_cold_spare_kept"] = first_output(settings, args.runs)
    report["first_output_ms_cold_spare_on_demand"] = first_output(
        dataclasses.replace(settings, cold_spares=0), args.runs)
    report["import_cpu_ms"] = imports(settings, max(3, args.runs // 4))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
