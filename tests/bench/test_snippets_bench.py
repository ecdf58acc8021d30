"""bench/snippets.py's own parts: the local probe marks Keras' first batch once and changes
nothing else of the run; the summary's ratios come from the right columns."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.local_probe import MARK
from bench.snippets import PROBE, summarize

FIT = """\
import sys
import numpy as np
import keras
print("before", __name__, sys.argv[1:])
model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.zeros((8, 2)), np.zeros((8, 1)), batch_size=2, epochs=2, verbose=0)
print("after")
"""


def test_the_probe_marks_the_first_training_batch_once(tmp_path: Path) -> None:
    snippet = tmp_path / "fit.py"
    snippet.write_text(FIT)
    done = subprocess.run([sys.executable, str(PROBE), str(snippet), "x"], cwd=tmp_path,
                          capture_output=True, timeout=300, check=True)
    assert done.stdout.decode().splitlines() == ["before __main__ ['x']", "after"]
    assert done.stderr.count(MARK) == 1


def test_the_probe_is_silent_without_keras(tmp_path: Path) -> None:
    snippet = tmp_path / "plain.py"
    snippet.write_text("import json\nprint(json.dumps([1]))\n")
    done = subprocess.run([sys.executable, str(PROBE), str(snippet)], cwd=tmp_path,
                          capture_output=True, timeout=60, check=True)
    assert done.stdout == b"[1]\n"
    assert MARK not in done.stderr


def _runs(first: float, done: float, metrics: float | None = None) -> list[dict]:
    firsts = {"metrics": metrics} if metrics is not None else {}
    return [{"first": first, "done": done, "status": "succeeded", "firsts": firsts}]


def test_the_summary_divides_local_by_api_and_on_by_off() -> None:
    results = {"fit": {"api": _runs(0.1, 1.0, 0.5), "off": _runs(0.1, 0.8),
                       "local": _runs(4.0, 9.0, 6.0)}}
    row = summarize(results)["rows"]["fit"]
    assert round(row["local_over_api_first"], 6) == 40
    assert round(row["local_over_api_done"], 6) == 9
    assert round(row["local_over_api_metrics"], 6) == 12
    assert round(row["overhead"], 6) == 0.25


def test_the_overhead_is_the_median_of_the_ratios_within_pairs() -> None:
    # The machine slows down fourfold between the second and third pair; within each pair the
    # instrumented run takes 10% or 20% longer.
    api = _runs(0.1, 1.1) + _runs(0.1, 1.2) + _runs(0.1, 4.4) + _runs(0.1, 4.8)
    off = _runs(0.1, 1.0) + _runs(0.1, 1.0) + _runs(0.1, 4.0) + _runs(0.1, 4.0)
    results = {"short": {"api": api, "off": off, "local": _runs(4.0, 9.0)}}

    row = summarize(results)["rows"]["short"]

    assert round(row["overhead"], 6) == 0.15 and row["pairs"] == 4


def test_a_pair_with_a_failed_run_is_left_out() -> None:
    failed = [{"first": None, "done": None, "status": "failed", "firsts": {}}]
    results = {"x": {"api": _runs(0.1, 1.5) + failed, "off": _runs(0.1, 1.0) + _runs(0.1, 0.1),
                     "local": _runs(4.0, 9.0)}}

    assert round(summarize(results)["rows"]["x"]["overhead"], 6) == 0.5
