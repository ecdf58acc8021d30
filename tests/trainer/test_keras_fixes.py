"""Keras building before its first trace: one trace instead of two, and nothing else changed.

Each case runs twice in this process, with Keras' own `_maybe_symbolic_build` and with the
sandbox's, from the same seeds, and must print and return exactly the same.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

from trainer.sandbox import keras_fixes

KERAS_OWN = TensorFlowTrainer._maybe_symbolic_build


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], Any]], tuple[Any, Any]]:
    """Run a case with Keras' own build and then with the fix; Keras' own is back after."""

    def run(case: Callable[[], Any]) -> tuple[Any, Any]:
        monkeypatch.setattr(TensorFlowTrainer, "_maybe_symbolic_build", KERAS_OWN)
        keras.backend.clear_session()
        plain = case()
        assert keras_fixes.install()
        keras.backend.clear_session()
        fixed = case()
        return plain, fixed

    return run


@pytest.fixture
def traces(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the Keras steps traced (each call of a step's Python is one trace)."""
    seen: list[str] = []
    for name in ("train_step", "test_step", "predict_step"):
        original = getattr(TensorFlowTrainer, name)

        def step(self: Any, data: Any, _name: str = name, _original: Any = original) -> Any:
            seen.append(_name)
            return _original(self, data)

        monkeypatch.setattr(TensorFlowTrainer, name, step)
    yield seen


def rounded(values: Any) -> Any:
    return np.round(np.asarray(values, dtype="float64"), 6).tolist()


def test_installs_once_and_keeps_keras_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TensorFlowTrainer, "_maybe_symbolic_build", KERAS_OWN)
    assert keras_fixes.install()
    installed = TensorFlowTrainer._maybe_symbolic_build
    assert getattr(installed, keras_fixes.ORIGINAL) is KERAS_OWN
    assert not keras_fixes.install(), "installed twice"


def _small_fit() -> list[str]:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("adam", "mse", metrics=["mae"])
    data = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    model.fit(*data, epochs=2, batch_size=4, verbose=0)
    model.evaluate(*data, batch_size=4, verbose=0)
    return [v.path for v in model.optimizer.variables]


def test_a_first_fit_traces_its_train_step_once(both: Any, traces: list[str]) -> None:
    """Keras alone traces twice: the first trace creates the optimizer's and metrics' variables
    and TensorFlow traces again without them."""
    runs: list[list[str]] = []

    def fit_and_count() -> list[str]:
        paths = _small_fit()
        runs.append(traces[:])
        traces.clear()
        return paths

    plain, fixed = both(fit_and_count)
    assert plain == fixed
    assert runs == [["train_step", "train_step", "test_step"], ["train_step", "test_step"]]


def _unbuilt_with_state() -> Any:
    """A model built by its first batch, with dropout, batch norm, a validation split, a metric
    with variables of its own, then evaluate, predict and train_on_batch."""
    keras.utils.set_random_seed(1)
    x = np.random.rand(100, 5).astype("float32")
    y = (x.sum(axis=1) > 2.5).astype("float32")
    model = keras.Sequential([keras.layers.Dense(6, activation="relu"), keras.layers.Dropout(0.3),
                              keras.layers.BatchNormalization(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy", keras.metrics.AUC()])
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0)
    return ({k: rounded(v) for k, v in history.history.items()},
            rounded(model.evaluate(x, y, verbose=0)), rounded(model.predict(x[:3], verbose=0)),
            rounded(model.train_on_batch(x[:8], y[:8])),
            [v.path for v in model.variables], [v.path for v in model.optimizer.variables],
            [rounded(w) for w in model.get_weights()])


def _functional_with_named_inputs() -> Any:
    keras.utils.set_random_seed(4)
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    out = keras.layers.Dense(2)(keras.layers.Concatenate()([a, b]))
    model = keras.Model({"a": a, "b": b}, out)
    model.compile("adam", keras.losses.MeanSquaredError(), metrics=["mae"])
    x = {"a": np.random.rand(10, 3).astype("float32"), "b": np.random.rand(10, 2)}
    history = model.fit(x, np.ones((10, 2), "float32"), epochs=2, verbose=0)
    return rounded(history.history["loss"]), rounded(model.get_weights()[0])


class OwnStep(keras.Model):
    def __init__(self) -> None:
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.tracker = keras.metrics.Mean(name="l")

    def call(self, x: Any) -> Any:
        return self.dense(x)

    def train_step(self, data: Any) -> dict[str, Any]:
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((self(x) - y) ** 2)
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables),
                             self.trainable_variables)
        self.tracker.update_state(loss)
        return {"l": self.tracker.result()}


def _own_train_step() -> Any:
    keras.utils.set_random_seed(5)
    model = OwnStep()
    model.compile(optimizer="sgd")
    history = model.fit(np.random.rand(8, 2).astype("float32"), np.ones((8, 1), "float32"),
                        epochs=2, batch_size=4, verbose=0)
    return rounded(history.history["l"])


def _predict_and_evaluate_before_fit() -> Any:
    """predict() and evaluate() build first (no labels, then weighted labels)."""
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.random.rand(10, 4).astype("float32"), np.array([0, 1] * 5)
    return (rounded(model.predict(x, verbose=0)),
            rounded(model.evaluate(x, y, sample_weight=np.linspace(0.1, 1, 10), verbose=0)),
            rounded(model.fit(x, y, class_weight={0: 1.0, 1: 2.0}, epochs=2,
                              verbose=0).history["loss"]))


@pytest.mark.parametrize("case", [_unbuilt_with_state, _functional_with_named_inputs,
                                  _own_train_step, _predict_and_evaluate_before_fit])
def test_same_results_weights_and_names(both: Any, case: Callable[[], Any]) -> None:
    plain, fixed = both(case)
    assert plain == fixed


def _drawn_batches() -> Any:
    """A generator is read once: a batch the build took, the loop would miss, and every later
    loss would change (how far tf.data reads ahead of the loop varies from run to run)."""
    keras.utils.set_random_seed(3)
    drawn: list[int] = []

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        i = 0
        while True:
            i += 1
            drawn.append(i)
            x = np.full((4, 3), i, "float32")
            yield x, x[:, :1]

    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    return drawn[:6], rounded(history.history["loss"])


def _seeded_shuffle() -> Any:
    """A seeded shuffle orders each new iterator differently: an extra one would change them."""
    keras.utils.set_random_seed(2)
    x = np.arange(64, dtype="float32").reshape(32, 2)
    data = tf.data.Dataset.from_tensor_slices((x, x[:, :1] * 0.5)).shuffle(32, seed=3).batch(8)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e-4), "mse")
    return rounded(model.fit(data, epochs=3, verbose=0).history["loss"])


@pytest.mark.parametrize("case", [_drawn_batches, _seeded_shuffle])
def test_the_input_is_not_read_ahead(both: Any, case: Callable[[], Any]) -> None:
    plain, fixed = both(case)
    assert plain == fixed


def _wrong_feature_count() -> str:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile("adam", "mse")
    return _error_of(lambda: model.fit(np.ones((8, 5)), np.ones((8, 3)), verbose=0))


def _wrong_label_shape() -> str:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    return _error_of(lambda: model.fit(np.ones((8, 4)), np.ones((8, 5)), verbose=0))


def _error_of(call: Callable[[], Any]) -> str:
    with pytest.raises(Exception) as caught:  # noqa: PT011 - whichever Keras raises
        call()
    return f"{type(caught.value).__name__}: {caught.value}"


@pytest.mark.parametrize("case", [_wrong_feature_count, _wrong_label_shape])
def test_errors_are_raised_by_the_trace_as_without_the_fix(both: Any,
                                                           case: Callable[[], str]) -> None:
    """The early build's own error (a RuntimeError for anything but a ValueError) is never the
    one shown: the trace raises what a plain run raises, with `training=True` in its report."""
    plain, fixed = both(case)
    assert plain == fixed
    assert "Unable to automatically build" not in fixed


def test_sparse_or_ragged_inputs_are_left_to_the_trace() -> None:
    """A symbolic input keeps only shape and dtype: such inputs are not built from it."""
    sparse = tf.SparseTensorSpec([None, 3], tf.float32)
    ragged = tf.RaggedTensorSpec([None, None], tf.float32)
    assert keras_fixes.dense_leaves((tf.TensorSpec([None, 3]), np.ones(2), None))
    assert not keras_fixes.dense_leaves((sparse, tf.TensorSpec([None])))
    assert not keras_fixes.dense_leaves({"a": ragged})
    assert not keras_fixes.dense_leaves((tf.sparse.from_dense(np.eye(2)), None))
