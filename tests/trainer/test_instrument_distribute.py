"""tf.distribute made visible: replicas and devices, per-replica steps with the gradients'
all-reduce, strategy.reduce, Keras fit's split, and a TPU that is not there. Run in a fresh
interpreter with two logical CPUs (tests/trainer/instrumented_child.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

CUSTOM_STEP = """import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)
strategy = tf.distribute.MirroredStrategy()
x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = x.sum(axis=1, keepdims=True)
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
dist = strategy.experimental_distribute_dataset(ds)
with strategy.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(0.05)

@tf.function
def train_step(batch):
    def step(inputs):
        features, target = inputs
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum((model(features) - target) ** 2) / 16.0
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    per_replica = strategy.run(step, args=(batch,))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

for batch in dist:
    loss = train_step(batch)
print("loss:", round(float(loss), 6))
"""

EAGER_RUN = """import tensorflow as tf
strategy = tf.distribute.MirroredStrategy()
def square(v):
    ctx = tf.distribute.get_replica_context()
    return tf.cast(ctx.replica_id_in_sync_group + 1, tf.float32) * v
values = strategy.run(square, args=(tf.constant([1.0, 2.0]),))
print(strategy.reduce("SUM", values, axis=None).numpy())
"""

FIT = """import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)
strategy = tf.distribute.MirroredStrategy()
x = np.random.default_rng(0).normal(size=(128, 4)).astype("float32")
y = (x.sum(axis=1) > 0).astype("float32")
with strategy.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(32), epochs=1, verbose=0)
"""

TPU = """import tensorflow as tf
try:
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
    strategy = tf.distribute.TPUStrategy(resolver)
except ValueError:
    strategy = tf.distribute.get_strategy()
print("replicas:", strategy.num_replicas_in_sync)
"""

UNINSTRUMENTED = "import tensorflow as tf\nprint(tf.add(1, 2).numpy())\n"

EAGER_LOOP = """import tensorflow as tf
strategy = tf.distribute.MirroredStrategy()
for i in range(12):
    strategy.run(lambda: tf.constant(float(i)))
"""

# Spies on AutoGraph: which modules' functions it converts (the first snippet of the process,
# before AutoGraph's cache holds anything).
CONVERTED = """import tensorflow as tf
from tensorflow.python.autograph.impl import api

modules = set()
transform = api._TRANSPILER.transform
def spy(entity, ctx):
    modules.add(getattr(entity, "__module__", None) or "")
    return transform(entity, ctx)
api._TRANSPILER.transform = spy
strategy = tf.distribute.MirroredStrategy()

@tf.function
def step(x):
    def replica(v):
        if tf.reduce_sum(v) > 0:
            return v * 2.0
        return -v
    return strategy.run(replica, args=(x,))

result = step(tf.constant([1.0, 2.0]))
print(sorted(modules))
print([t.numpy().tolist() for t in result.values])
"""

# An eager strategy.run whose probe may run no TF op (their first use costs milliseconds).
EAGER_NO_OPS = """import tensorflow as tf
strategy = tf.distribute.MirroredStrategy()
saved = tf.numpy_function, tf.shape, tf.stack, tf.cast, tf.linalg.global_norm
def refuse(*args, **kwargs):
    raise AssertionError("a TF op ran")
tf.numpy_function = tf.shape = tf.stack = tf.cast = tf.linalg.global_norm = refuse
try:
    values = strategy.run(lambda v: v * 2.0, args=(tf.ones([4, 5]),))
finally:
    tf.numpy_function, tf.shape, tf.stack, tf.cast, tf.linalg.global_norm = saved
"""


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    snippets = {"converted": CONVERTED, "custom": CUSTOM_STEP, "eager": EAGER_RUN, "fit": FIT,
                "tpu": TPU, "plain": UNINSTRUMENTED, "loop": EAGER_LOOP,
                "eager_no_ops": EAGER_NO_OPS}
    done = subprocess.run([sys.executable, "-m", "tests.trainer.instrumented_child"],
                          input=json.dumps(list(snippets.values())), capture_output=True,
                          text=True, cwd=ROOT, timeout=300, check=True)
    return dict(zip(snippets, json.loads(done.stdout)))


def of(run: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in run["events"] if e["type"] == kind]


def test_a_mirrored_strategy_shows_its_two_replicas_and_devices(runs: dict[str, Any]) -> None:
    (replicas,) = of(runs["custom"], "replicas")
    assert replicas["strategy"] == "MirroredStrategy" and replicas["line"] == 6
    assert [r["device"].rsplit("/", 1)[-1] for r in replicas["replicas"]] == [
        "device:CPU:0", "device:CPU:1"]
    assert replicas["cross_device"]


def test_a_custom_step_shows_per_replica_gradients_and_their_all_reduce(
        runs: dict[str, Any]) -> None:
    steps = [e for e in of(runs["custom"], "replica_step") if e["kind"] == "run"]
    assert [e["step"] for e in steps] == [1, 2, 3, 4]
    first = steps[0]
    assert first["function"] == "train_step.step" and first["line"] == 24
    assert first["reduce_op"] == "SUM" and first["global_batch"] == 16
    norms = [r["grad_norm"] for r in first["replicas"]]
    assert [r["batch"] for r in first["replicas"]] == [8, 8]
    assert norms[0] != norms[1]
    # The all-reduced gradient is the sum: its norm is at most the sum of the norms.
    assert max(norms) < first["reduced"]["grad_norm"] <= sum(norms) + 1e-4
    losses = [r["outputs"][0]["value"] for r in first["replicas"]]
    reduce = [e for e in of(runs["custom"], "replica_step") if e["kind"] == "reduce"][0]
    assert reduce["reduced"]["value"] == pytest.approx(sum(losses), rel=1e-5)


def test_the_probes_neither_show_in_the_graph_nor_print(runs: dict[str, Any]) -> None:
    (graph,) = [e for e in of(runs["custom"], "graph") if e["function"] == "train_step"]
    assert not [n for n in graph["nodes"] if "probe" in n["name"]]
    assert runs["custom"]["stdout"].startswith("loss: ") and runs["custom"]["stderr"] == ""
    assert not of(runs["custom"], "instrument_error")


def test_eager_strategy_run_returns_values_per_replica(runs: dict[str, Any]) -> None:
    (step,) = [e for e in of(runs["eager"], "replica_step") if e["kind"] == "run"]
    outputs = [r["outputs"][0]["values"] for r in step["replicas"]]
    assert outputs == [[1.0, 2.0], [2.0, 4.0]]
    (reduce,) = [e for e in of(runs["eager"], "replica_step") if e["kind"] == "reduce"]
    assert reduce["reduced"]["values"] == [3.0, 6.0] and reduce["reduce_op"] == "SUM"


def test_fit_shows_the_split_batch_and_the_reduction(runs: dict[str, Any]) -> None:
    steps = [e for e in of(runs["fit"], "replica_step") if e["kind"] == "fit"]
    assert steps and steps[0]["function"] == "Keras train step"
    assert [r["batch"] for r in steps[0]["replicas"]] == [16, 16]
    assert steps[0]["global_batch"] == 32 and steps[0]["reduce_op"] == "SUM"
    assert steps[-1]["step"] == 4


def test_a_tpu_that_is_not_there_says_why_and_what_it_would_have_done(
        runs: dict[str, Any]) -> None:
    (replicas,) = of(runs["tpu"], "replicas")
    assert replicas["strategy"] == "default" and len(replicas["replicas"]) == 1
    fallback = replicas["fallback"]
    assert fallback["wanted"] == "TPUStrategy" and fallback["line"] == 3
    assert fallback["reason"] == "ValueError: Please provide a TPU Name to connect to."
    assert fallback["would"]["replicas"] == 8
    assert runs["tpu"]["stdout"] == "replicas: 1\n"


def test_a_snippet_without_a_strategy_sends_none_of_it(runs: dict[str, Any]) -> None:
    assert {e["type"] for e in runs["plain"]["events"]} <= {"function_stats"}


def test_an_eager_loop_of_runs_is_one_site_whose_steps_are_throttled(
        runs: dict[str, Any]) -> None:
    steps = [e["step"] for e in of(runs["loop"], "replica_step")]
    # The first three, then at most one a second, and the last one at the end.
    assert steps[:3] == [1, 2, 3] and steps[-1] == 12 and len(steps) < 12


def test_autograph_converts_the_replica_function_but_never_the_probe(
        runs: dict[str, Any]) -> None:
    modules, values = runs["converted"]["stdout"].splitlines()
    assert not [m for m in json.loads(modules.replace("'", '"')) if m.startswith("trainer")]
    assert json.loads(values) == [[2.0, 4.0], [2.0, 4.0]]
    assert [e["kind"] for e in of(runs["converted"], "replica_step")] == ["run"]


def test_an_eager_replica_is_reported_from_its_values_without_running_ops(
        runs: dict[str, Any]) -> None:
    run = runs["eager_no_ops"]
    assert run["error"] is None and not of(run, "instrument_error")
    (step,) = of(run, "replica_step")
    assert [r["batch"] for r in step["replicas"]] == [4, 4] and step["global_batch"] == 8
    output = step["replicas"][0]["outputs"][0]
    assert (output["min"], output["max"], output["mean"]) == (2.0, 2.0, 2.0)
