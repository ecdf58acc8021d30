"""The instrumentation is invisible: no output, same results and errors, survives failures."""

from __future__ import annotations

import re
import traceback
from typing import Any

import pytest
import tensorflow as tf
from tensorflow.python.eager.polymorphic_function import tracing_compilation

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet
from trainer.instrument import Instrumentation, graphs

__all__ = ["instrument", "recorder"]

BUSY_SNIPPET = """
import keras
import numpy as np
import tensorflow as tf

@tf.function
def step(x, n):
    if tf.reduce_sum(x) > 0:
        x = tf.while_loop(lambda v: tf.reduce_sum(v) < 100.0, lambda v: v * 2.0, [x])[0]
    return x * n

a = step(tf.ones([2]), 2)
b = step(tf.ones([3]), 3)
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(1)])
model.compile("sgd", "mse", metrics=["mae"])
model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=2, validation_split=0.25, verbose=0)
model.evaluate(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)
model.predict(np.zeros((4, 2)), verbose=0)
"""


def test_it_writes_nothing_to_stdout_or_stderr(recorder: Recorder,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    with tf.Graph().as_default() as graph:
        tf.compat.v1.placeholder(tf.float32, [None], name="x")
    capfd.readouterr()

    run_snippet(BUSY_SNIPPET)
    recorder.instrumentation.finish(graph)  # type: ignore[attr-defined]

    assert capfd.readouterr() == ("", "")
    kinds = {e["type"] for e in recorder.events}
    assert {"trace", "autograph", "graph", "model", "metrics"} <= kinds
    assert "instrument_error" not in kinds


def test_a_failing_emit_does_not_break_the_run() -> None:
    def broken(event: dict[str, Any]) -> None:
        raise BrokenPipeError("supervisor went away")

    instrumentation = Instrumentation(broken)
    instrumentation.install()
    try:
        namespace = run_snippet(BUSY_SNIPPET)
    finally:
        instrumentation.uninstall()

    assert namespace["b"].numpy().tolist() == [192.0, 192.0, 192.0]


def test_an_internal_failure_is_noted_once_and_the_run_goes_on(
        recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("graph description broke")

    monkeypatch.setattr(graphs, "describe", fail)
    namespace = run_snippet(BUSY_SNIPPET)

    assert namespace["a"].numpy().tolist() == [128.0, 128.0]
    (note,) = recorder.of("instrument_error")
    assert "graph description broke" in note["message"]
    assert len(recorder.of("trace", function="step")) == 2


BAD_SNIPPET = """
import tensorflow as tf

@tf.function
def bad(x):
    return tf.reshape(x, [7])

bad(tf.ones([3]))
"""


def _failure() -> tuple[str, str, list[str]]:
    with pytest.raises(ValueError) as caught:
        run_snippet(BAD_SNIPPET)
    frames = traceback.extract_tb(caught.value.__traceback__)
    message = re.sub(r"snippet_\d+", "snippet", str(caught.value))
    return type(caught.value).__name__, message, [f.name for f in frames]


def test_errors_in_user_functions_are_unchanged(instrument: Any) -> None:
    plain = _failure()
    instrument()

    instrumented = _failure()

    assert instrumented == plain
    assert "reshape" in plain[1] and "tf__bad" in plain[2]


def test_uninstall_puts_tensorflow_and_keras_back() -> None:
    from keras.src.callbacks import callback_list
    from keras.src.utils import model_visualization, summary_utils
    from tensorflow.python.eager.polymorphic_function import polymorphic_function

    def patched() -> tuple[Any, ...]:
        return (tracing_compilation._create_concrete_function,
                callback_list.CallbackList.__dict__["__init__"], summary_utils.print_summary,
                polymorphic_function.Function.__dict__["__call__"],
                model_visualization.model_to_dot)

    before = patched()
    instrumentation = Instrumentation(lambda event: None)
    instrumentation.install()
    during = patched()
    instrumentation.uninstall()
    after = patched()

    assert all(x is not y for x, y in zip(before, during))
    assert after == before
