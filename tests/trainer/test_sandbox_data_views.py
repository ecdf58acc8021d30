"""The data and distribution views from the real sandbox: a Fashion-MNIST pipeline's stages,
thumbnails and throughput, and a MirroredStrategy step on the child's two logical CPUs."""
from __future__ import annotations

import pytest

from tests.trainer.test_jail_attacks import done, stdout

pytestmark = pytest.mark.sandbox

FASHION = """import tensorflow as tf
import keras

(images, labels), _ = keras.datasets.fashion_mnist.load_data()
images, labels = images[:2000], labels[:2000]

def normalise(image, label):
    return tf.cast(image, tf.float32) / 255.0, label

ds = (tf.data.Dataset.from_tensor_slices((images, labels))
      .map(normalise, num_parallel_calls=tf.data.AUTOTUNE)
      .shuffle(1000, seed=0)
      .batch(64)
      .prefetch(tf.data.AUTOTUNE))
for x, y in ds:
    pass
print("last batch:", x.shape)
"""

MIRRORED = """import numpy as np
import tensorflow as tf
import keras

strategy = tf.distribute.MirroredStrategy()
x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = x.sum(axis=1, keepdims=True)
dist = strategy.experimental_distribute_dataset(
    tf.data.Dataset.from_tensor_slices((x, y)).batch(16))
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
    return strategy.reduce("SUM", strategy.run(step, args=(batch,)), axis=None)

for batch in dist:
    train_step(batch)
print("replicas:", strategy.num_replicas_in_sync)
"""


def of(record, kind):
    return [e for e in record["events"] if e["type"] == kind]


def test_a_fashion_mnist_pipeline_shows_stages_thumbnails_and_throughput(run_snippet):
    record = run_snippet(FASHION)

    assert done(record)["status"] == "succeeded", record["events"]
    assert stdout(record) == "last batch: (16, 28, 28)\n"
    (dataset,) = of(record, "dataset")
    assert [s["kind"] for s in dataset["stages"]] == ["source", "map", "shuffle", "batch",
                                                      "prefetch"]
    assert dataset["stages"][3]["spec_text"] == "(float32[?,28,28], uint8[?])"
    (preview,) = of(record, "dataset_preview")
    assert preview["elements"][0][0]["image"]["width"] == 28
    (stats,) = [e for e in of(record, "dataset_stats") if e["final"]]
    assert stats["elements"] == 32 and stats["examples"] == 2000 and stats["per_second"] > 0
    assert [g["function"] for g in of(record, "graph")] == ["map: normalise"]


def test_a_mirrored_custom_step_shows_two_replicas_and_the_all_reduce(run_snippet):
    record = run_snippet(MIRRORED)

    assert stdout(record) == "replicas: 2\n", record["events"]
    (replicas,) = of(record, "replicas")
    assert len(replicas["replicas"]) == 2
    steps = [e for e in of(record, "replica_step") if e["kind"] == "run"]
    assert steps[0]["reduce_op"] == "SUM" and [r["batch"] for r in steps[0]["replicas"]] == [8, 8]
    assert all(r["grad_norm"] > 0 for r in steps[0]["replicas"])
