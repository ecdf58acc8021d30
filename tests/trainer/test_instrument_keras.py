"""`model` and `metrics` events from Keras, without touching the user's callbacks or output."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet

__all__ = ["instrument", "recorder"]

X = np.linspace(-1, 1, 96, dtype="float32").reshape(48, 2)
Y = X.sum(axis=1, keepdims=True)


def _small_model() -> keras.Model:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)], name="small")
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def test_it_reports_three_epochs_with_validation_logs(recorder: Recorder,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    model = _small_model()
    model.fit(X, Y, epochs=3, batch_size=16, validation_data=(X, Y), verbose=2)

    epochs = recorder.of("metrics", phase="train", scope="epoch")
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    for event in epochs:
        assert {"loss", "mae", "val_loss", "val_mae"} <= set(event["logs"])
        assert all(isinstance(v, float) for v in event["logs"].values())
    assert epochs[-1]["step"] == 9
    batches = recorder.of("metrics", phase="train", scope="batch")
    assert batches and batches[0]["step"] == 1 and "loss" in batches[0]["logs"]
    assert recorder.of("metrics", phase="eval") == []  # validation is in the epoch events
    assert "Epoch 3/3" in capsys.readouterr().out  # Keras' own progress still prints


def test_it_throttles_batch_events(instrument: Any) -> None:
    recorder = instrument(metrics_per_second=0.001)
    _small_model().fit(X, Y, epochs=2, batch_size=4, verbose=0)

    assert len(recorder.of("metrics", scope="batch")) == 1
    assert len(recorder.of("metrics", scope="epoch")) == 2


def test_it_leaves_the_users_callbacks_alone(recorder: Recorder) -> None:
    seen: list[int] = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seen.append(epoch)

    callbacks = [Count()]
    before = list(callbacks)
    history = _small_model().fit(X, Y, epochs=2, verbose=0, callbacks=callbacks)

    assert seen == [0, 1]
    assert callbacks == before
    assert set(history.history) == {"loss", "mae"}


def test_it_reports_evaluate_and_predict_phases(recorder: Recorder) -> None:
    model = _small_model()
    loss, mae = model.evaluate(X, Y, batch_size=16, verbose=0)
    predictions = model.predict(X, batch_size=16, verbose=0)

    assert predictions.shape == (48, 1)
    (evaluated,) = recorder.of("metrics", phase="eval", scope="epoch")
    assert evaluated["logs"]["loss"] == pytest.approx(loss)
    assert evaluated["logs"]["mae"] == pytest.approx(mae)
    (predicted,) = recorder.of("metrics", phase="predict", scope="epoch")
    assert predicted["step"] == 3
    assert recorder.of("metrics", phase="train") == []


def test_it_gives_the_true_connections_of_a_two_input_model(recorder: Recorder) -> None:
    run_snippet("""
import keras
import numpy as np

image = keras.Input((4,), name="image")
meta = keras.Input((3,), name="meta")
a = keras.layers.Dense(5, name="image_dense")(image)
b = keras.layers.Dense(5, name="meta_dense")(meta)
joined = keras.layers.Concatenate(name="join")([a, b])
out = keras.layers.Dense(1, name="score")(joined)
model = keras.Model([image, meta], out, name="two_inputs")
model.compile("adam", "mse")
model.fit([np.zeros((8, 4)), np.zeros((8, 3))], np.zeros((8, 1)), epochs=1, verbose=0)
""")

    (event,) = recorder.of("model", name="two_inputs")
    assert event["kind"] == "functional" and event["class"] == "Functional"
    layers = {layer["name"]: layer for layer in event["layers"]}
    assert layers["image"]["inbound"] == [] and layers["meta"]["inbound"] == []
    assert layers["image_dense"]["inbound"] == ["image"]
    assert layers["meta_dense"]["inbound"] == ["meta"]
    assert sorted(layers["join"]["inbound"]) == ["image_dense", "meta_dense"]
    assert layers["score"]["inbound"] == ["join"]
    assert layers["join"]["output_shape"] == [None, 10]
    assert layers["score"]["params"] == 11
    assert event["total_params"] == 25 + 20 + 11 == event["trainable_params"]


def test_it_lists_the_sublayers_of_a_subclassed_model(recorder: Recorder) -> None:
    run_snippet("""
import keras
import numpy as np

class Tower(keras.Model):
    def __init__(self):
        super().__init__(name="tower")
        self.body = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(3)], name="body")
        self.head = keras.layers.Dense(1, name="head")

    def call(self, x):
        return self.head(self.body(x))

model = Tower()
model.compile("sgd", "mse")
model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=1, verbose=0)
""")

    (event,) = recorder.of("model", name="tower")
    assert event["kind"] == "subclassed" and event["class"] == "Tower"
    names = [layer["name"] for layer in event["layers"]]
    assert names == ["body", "head"]
    body = event["layers"][0]
    assert [layer["class"] for layer in body["layers"]][-2:] == ["Dense", "Dense"]
    assert event["total_params"] == 9 + 12 + 4


def test_it_reports_a_model_once_per_structure(recorder: Recorder,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    model = _small_model()
    model.summary()
    model.fit(X, Y, epochs=1, verbose=0)
    model.evaluate(X, Y, verbose=0)

    assert len(recorder.of("model", name="small")) == 1
    assert "Total params" in capsys.readouterr().out


def test_it_sends_null_for_a_nan_loss(recorder: Recorder) -> None:
    model = _small_model()
    model.fit(X, np.full_like(Y, np.nan), epochs=1, verbose=0)

    (epoch,) = recorder.of("metrics", scope="epoch")
    assert epoch["logs"]["loss"] is None
