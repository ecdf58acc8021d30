"""What a run shows of TensorFlow, read through the public contract from the real sandbox."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.sandbox


def of_type(record, kind):
    return [e for e in record["events"] if e["type"] == kind]


def op_types(graph):
    return {n["op"] for n in graph["nodes"]}


def test_cond_inside_while_shows_both_branches_and_the_loop_body(run_snippet):
    code = """import tensorflow as tf

@tf.function
def collatz_steps(n):
    steps = tf.constant(0)
    while n > 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps

print(collatz_steps(tf.constant(6)).numpy())
"""
    record = run_snippet(code)
    assert "8\n" in "".join(e["text"] for e in of_type(record, "stdout"))
    graph = next(g for g in of_type(record, "graph") if "collatz_steps" in g["function"])
    bodies = {f["name"]: f for f in graph["functions"]}
    loop = next(n for n in graph["nodes"] if n["op"] in ("While", "StatelessWhile"))
    body = bodies[loop["attrs"]["body"]]
    assert bodies[loop["attrs"]["cond"]]
    branch = next(n for n in body["nodes"] if n["op"] in ("If", "StatelessIf"))
    assert branch["attrs"]["then_branch"] in bodies and branch["attrs"]["else_branch"] in bodies
    autograph = of_type(record, "autograph")
    assert autograph and "ag__" in autograph[0]["code"]


def test_a_retrace_names_its_cause(run_snippet):
    code = """import tensorflow as tf

@tf.function
def total(x):
    return tf.reduce_sum(x)

total(tf.ones([3]))
total(tf.ones([3]))
total(tf.ones([5]))
"""
    traces = of_type(run_snippet(code), "trace")
    assert [t["count"] for t in traces] == [1, 2]
    assert "shape" in traces[1]["reason"]


def test_fit_of_three_epochs_gives_three_epoch_metrics_with_validation(run_snippet):
    code = """import numpy as np, tensorflow as tf
x = np.random.rand(64, 4).astype("float32"); y = (x.sum(1) > 2).astype("float32")
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation="relu"),
                             tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=2)
"""
    record = run_snippet(code)
    epochs = [m for m in of_type(record, "metrics")
              if m["phase"] == "train" and m.get("scope") == "epoch"]
    assert [m["epoch"] for m in epochs] == [1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(epochs[-1]["logs"])
    models = of_type(record, "model")
    assert models and models[0]["total_params"] == 4 * 8 + 8 + 8 + 1


def test_two_input_functional_model_gives_its_true_connections(run_snippet):
    code = """import tensorflow as tf
a = tf.keras.Input((3,), name="a"); b = tf.keras.Input((2,), name="b")
joined = tf.keras.layers.Concatenate(name="joined")([a, b])
out = tf.keras.layers.Dense(1, name="out")(joined)
model = tf.keras.Model([a, b], out, name="two_inputs")
model.summary()
"""
    model = next(m for m in of_type(run_snippet(code), "model") if m["name"] == "two_inputs")
    layers = {layer["name"]: layer for layer in model["layers"]}
    assert sorted(layers["joined"]["inbound"]) == ["a", "b"]
    assert layers["out"]["inbound"] == ["joined"]


def test_graph_mode_emits_the_default_graph(run_snippet):
    code = """import tensorflow as tf
x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
y = tf.multiply(x, 2.0, name="double")
with tf.compat.v1.Session() as s:
    print(s.run(y, {x: [1.0]}))
"""
    graphs = of_type(run_snippet(code, mode="graph"), "graph")
    assert graphs and {"Placeholder", "Mul"} <= op_types(graphs[-1])


def test_resources_are_sampled_while_a_run_lasts(run_snippet):
    record = run_snippet("import time\ntime.sleep(2.5)\n")
    samples = of_type(record, "resources")
    assert len(samples) >= 2 and all(s["rss_mb"] > 0 for s in samples)
