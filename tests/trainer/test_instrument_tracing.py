"""`trace` and `autograph` events: why a tf.function traced, and the code AutoGraph wrote."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet

__all__ = ["instrument", "recorder"]


def test_it_names_a_new_shape_as_the_reason_to_retrace(recorder: Recorder) -> None:
    run_snippet("""
import tensorflow as tf

@tf.function
def double(x):
    return x * 2

double(tf.ones([3]))
double(tf.ones([3]))
double(tf.ones([5]))
""")

    first, second = recorder.of("trace", function="double")
    assert (first["count"], first["reason"]) == (1, "first trace")
    assert first["signature"] == "(x: float32[3])"
    assert second["count"] == 2
    assert "shape" in second["reason"] and "[3]" in second["reason"] and "[5]" in second["reason"]
    assert second["changes"] == [{"arg": "x", "kind": "shape", "old": "float32[3]",
                                  "new": "float32[5]"}]
    assert len(recorder.of("graph", function="double")) == 2


def test_it_names_a_new_python_value_as_the_reason(recorder: Recorder) -> None:
    run_snippet("""
import tensorflow as tf

@tf.function
def power(x, n):
    return x ** n

for n in (2, 2, 3):
    power(tf.constant(2.0), n)
""")

    traces = recorder.of("trace", function="power")
    assert [t["count"] for t in traces] == [1, 2]
    assert traces[0]["signature"] == "(x: float32[], n=2)"
    assert traces[1]["reason"] == "new Python value for n: 2 → 3"


def test_it_names_a_new_dtype_as_the_reason(recorder: Recorder) -> None:
    @tf.function
    def plus_one(x: tf.Tensor) -> tf.Tensor:
        return x + 1

    plus_one(tf.constant([1.0]))
    plus_one(tf.constant([1]))

    second = recorder.of("trace")[1]
    assert second["reason"] == "new dtype for x: float32[1] → int32[1]"


def test_it_says_when_a_new_tf_function_is_made_for_each_call(recorder: Recorder) -> None:
    run_snippet("""
import tensorflow as tf

def square(x):
    return x * x

for _ in range(2):
    tf.function(square)(tf.constant(1.0))
""")

    first, second = recorder.of("trace", function="square")
    assert second["count"] == 1
    assert "already traced 1 time" in second["reason"]


def test_it_shows_the_autograph_code_of_a_python_if_on_a_tensor(recorder: Recorder) -> None:
    namespace = run_snippet("""
import tensorflow as tf

@tf.function
def relu_sum(x):
    if tf.reduce_sum(x) > 0:
        y = x
    else:
        y = tf.zeros_like(x)
    return y

positive = relu_sum(tf.constant([1.0, 2.0]))
negative = relu_sum(tf.constant([-1.0, -2.0]))
""")

    assert namespace["positive"].numpy().tolist() == [1.0, 2.0]
    assert namespace["negative"].numpy().tolist() == [0.0, 0.0]
    (event,) = recorder.of("autograph")
    assert event["function"] == "relu_sum"
    assert "def tf__relu_sum(x):" in event["code"] and "ag__.if_stmt" in event["code"]
    (graph,) = recorder.of("graph", function="relu_sum")
    assert any(n["op"] in ("If", "StatelessIf") for n in graph["nodes"])


def test_it_sends_no_autograph_event_when_autograph_is_off(recorder: Recorder) -> None:
    run_snippet("""
import tensorflow as tf

@tf.function(autograph=False)
def plain(x):
    return x + 1

plain(tf.constant(1))
""")

    assert recorder.of("trace", function="plain")
    assert recorder.of("autograph") == []


def test_it_describes_nested_and_python_arguments(recorder: Recorder) -> None:
    @tf.function
    def combine(pair: Any, options: dict[str, Any]) -> tf.Tensor:
        return pair[0] * options["scale"] + pair[1]

    combine((tf.ones([2, 2]), tf.ones([2])), {"scale": 3})

    (trace,) = recorder.of("trace")
    assert trace["signature"] == "(pair[0]: float32[2,2], pair[1]: float32[2], options['scale']=3)"


def test_it_hides_keras_own_functions_unless_asked(instrument: Any) -> None:
    import keras

    quiet = instrument()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0)
    assert quiet.of("trace") == [] and quiet.of("graph") == []

    loud = instrument(keras_graphs=True)
    model.compile("sgd", "mse")
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0)
    labels = {g["function"] for g in loud.of("graph")}
    assert any(label.startswith("keras train_function") for label in labels)
