"""`function_stats`: per tf.function, traces and their times, calls, first and steady calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import tensorflow as tf

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet
from trainer.instrument import functions

__all__ = ["instrument", "recorder"]

CALLS = """import tensorflow as tf

@tf.function
def square(x):
    return x * x

for _ in range(10):
    square(tf.ones([3]))
square(tf.ones([4]))
square(tf.ones([4]))
"""


def _final(recorder: Recorder) -> dict[str, dict[str, Any]]:
    recorder.instrumentation.finish()  # type: ignore[attr-defined]
    *_, last = recorder.of("function_stats")
    assert last["final"] is True
    return {f["function"]: f for f in last["functions"]}


def test_it_counts_traces_calls_and_the_steady_state(recorder: Recorder) -> None:
    run_snippet(CALLS)

    stats = _final(recorder)["square"]
    assert (stats["traces"], stats["calls"]) == (2, 12)
    # The first call and the one that traced [4] are not steady-state calls.
    assert stats["steady_calls"] == 10
    assert len(stats["trace_ms"]) == 2 and all(ms > 0 for ms in stats["trace_ms"])
    assert stats["first_call_ms"] >= stats["trace_ms"][0] > stats["median_ms"] > 0


def test_a_call_made_while_another_function_traces_is_not_a_call(recorder: Recorder) -> None:
    run_snippet("""import tensorflow as tf

@tf.function
def inner(x):
    return x + 1

@tf.function
def outer(x):
    return inner(x) * 2

outer(tf.ones([2]))
outer(tf.ones([2]))
""")

    stats = _final(recorder)
    assert (stats["outer"]["calls"], stats["outer"]["traces"]) == (2, 1)
    assert (stats["inner"]["calls"], stats["inner"]["traces"]) == (0, 1)


@pytest.fixture
def functions_run_eagerly() -> Iterator[None]:
    tf.config.run_functions_eagerly(True)
    yield
    tf.config.run_functions_eagerly(False)


def test_functions_run_eagerly_are_timed_without_traces(
        recorder: Recorder, functions_run_eagerly: None) -> None:
    run_snippet(CALLS)

    stats = _final(recorder)["square"]
    assert (stats["traces"], stats["calls"], stats["steady_calls"]) == (0, 12, 11)
    assert stats["median_ms"] > 0


def test_it_reports_live_while_calls_go_on(recorder: Recorder,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(functions, "LIVE_SECONDS", 0.0)

    run_snippet(CALLS)

    live = recorder.of("function_stats", final=False)
    assert len(live) >= 10
    assert [f["calls"] for f in live[-1]["functions"]] == [12]
    assert _final(recorder)["square"]["calls"] == 12


def test_live_reports_leave_room_for_the_final_one(recorder: Recorder,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(functions, "LIVE_SECONDS", 0.0)

    run_snippet(CALLS.replace("range(10)", "range(200)"))

    assert _final(recorder)["square"]["calls"] == 202
    assert len(recorder.of("function_stats")) == 64


def test_it_sends_nothing_without_a_user_tf_function(recorder: Recorder) -> None:
    run_snippet("""import keras
import numpy as np

model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=1, verbose=0)
print("hi")
""")

    recorder.instrumentation.finish()  # type: ignore[attr-defined]
    assert recorder.of("function_stats") == []
