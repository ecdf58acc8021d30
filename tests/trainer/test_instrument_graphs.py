"""`graph` events: traced functions, control-flow bodies, the size cap, graph mode."""

from __future__ import annotations

import json
from typing import Any

import tensorflow as tf

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet
from trainer.instrument.emitter import LIMITS

__all__ = ["instrument", "recorder"]

COND_IN_WHILE = """
import tensorflow as tf

@tf.function
def grow(x, n):
    def body(i, x):
        x = tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
        return i + 1, x
    _, x = tf.while_loop(lambda i, x: i < n, body, [tf.constant(0), x])
    return x

result = grow(tf.ones([3]), tf.constant(4))
"""


def _bodies(event: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in event["functions"]}


def _node_of(part: dict[str, Any], *ops: str) -> dict[str, Any]:
    return next(n for n in part["nodes"] if n["op"] in ops)


def _assert_edges_connect(part: dict[str, Any]) -> None:
    ids = {n["id"] for n in part["nodes"]}
    for edge in part["edges"]:
        assert edge["source"] in ids and edge["target"] in ids, edge


def test_it_shows_both_branches_and_the_loop_body(recorder: Recorder) -> None:
    namespace = run_snippet(COND_IN_WHILE)

    assert namespace["result"].numpy().tolist() == [16.0, 16.0, 16.0]
    (event,) = recorder.of("graph", function="grow")
    bodies = _bodies(event)
    loop = _node_of(event, "While", "StatelessWhile")
    assert loop["attrs"]["body"] in bodies and loop["attrs"]["cond"] in bodies
    assert set(loop["calls"]) == {loop["attrs"]["body"], loop["attrs"]["cond"]}
    body = bodies[loop["attrs"]["body"]]
    branch = _node_of(body, "If", "StatelessIf")
    then_body = bodies[branch["attrs"]["then_branch"]]
    else_body = bodies[branch["attrs"]["else_branch"]]
    assert any(n["op"] == "Mul" for n in then_body["nodes"])
    assert any(n["op"] == "Sub" for n in else_body["nodes"])
    for part in (event, *event["functions"]):
        _assert_edges_connect(part)


def test_it_describes_nodes_with_dtype_shape_and_scope(recorder: Recorder) -> None:
    @tf.function
    def scaled(x: tf.Tensor) -> tf.Tensor:
        with tf.name_scope("scale"):
            return x * 3.0

    scaled(tf.ones([2, 5]))

    (event,) = recorder.of("graph", function=scaled.python_function.__qualname__.replace(
        "<locals>.", ""))
    mul = _node_of(event, "Mul")
    assert mul["scope"] == "scale" and mul["dtype"] == "float32" and mul["shape"] == [2, 5]
    const = next(n for n in event["nodes"] if n["op"] == "Const")
    assert const["attrs"]["value"] == 3.0
    assert any(e["source"] == "scale/mul" for e in event["edges"])


def test_it_lists_the_body_of_a_nested_tf_function(recorder: Recorder) -> None:
    run_snippet("""
import tensorflow as tf

@tf.function
def inner(x):
    return tf.square(x)

@tf.function
def outer(x):
    return inner(x) + 1.0

outer(tf.constant(2.0))
""")

    (event,) = recorder.of("graph", function="outer")
    call = _node_of(event, "PartitionedCall", "StatefulPartitionedCall")
    body = _bodies(event)[call["attrs"]["f"]]
    assert any(n["op"] == "Square" for n in body["nodes"])
    assert recorder.of("graph", function="inner")


def test_it_collapses_a_huge_graph_by_scope_with_a_note(instrument: Any) -> None:
    recorder = instrument(graph_max_bytes=50_000)
    run_snippet("""
import tensorflow as tf

@tf.function
def big(x):
    for part in ("alpha", "beta", "gamma", "delta"):
        with tf.name_scope(part):
            for _ in range(313):
                x = x * 1.0001 + 0.5
    return x

big(tf.constant(1.0))
""")

    (event,) = recorder.of("graph", function="big")
    assert event["collapsed"] is True
    assert "collapsed" in event["note"] and "name scope" in event["note"]
    scopes = {n["id"]: n for n in event["nodes"]}
    assert {"alpha", "beta", "gamma", "delta"} <= set(scopes)
    assert scopes["alpha"]["attrs"]["ops"] == 313 * 4
    assert any(e["source"] == "alpha" and e["target"] == "beta" for e in event["edges"])
    assert len(json.dumps(event).encode()) <= 50_000


def test_it_sends_the_default_graph_of_a_graph_mode_run(recorder: Recorder) -> None:
    with tf.Graph().as_default() as graph:
        namespace = run_snippet("""
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, shape=[None, 2], name="x")
w = tf.Variable([[1.0], [2.0]], name="w")
y = tf.matmul(x, w, name="y")
with tf.compat.v1.Session() as session:
    session.run(tf.compat.v1.global_variables_initializer())
    out = session.run(y, feed_dict={x: [[1.0, 1.0]]})
""")
    recorder.instrumentation.finish(graph)  # type: ignore[attr-defined]

    assert namespace["out"].tolist() == [[3.0]]
    (event,) = recorder.of("graph", function="<default graph>")
    placeholder = next(n for n in event["nodes"] if n["name"] == "x")
    assert placeholder["op"] == "Placeholder" and placeholder["shape"] == [None, 2]
    assert any(e["source"] == "x" and e["target"] == "y" for e in event["edges"])


def test_it_sends_no_default_graph_for_an_empty_or_eager_run(recorder: Recorder) -> None:
    recorder.instrumentation.finish(None)  # type: ignore[attr-defined]
    recorder.instrumentation.finish(tf.Graph())  # type: ignore[attr-defined]

    assert recorder.of("graph") == []


def test_it_stops_sending_graphs_past_the_run_budget_and_says_so(recorder: Recorder) -> None:
    run_snippet("""
import tensorflow as tf

@tf.function
def scale(x, k):
    return x * k

for k in range(70):
    scale(tf.constant(1.0), k)
""")

    sent = recorder.of("graph", function="scale")
    assert len(sent) == LIMITS["graph"]
    assert sent[-1]["omitted"] is True and "not sent" in sent[-1]["note"]
    assert all(g["nodes"] for g in sent[:-1])
    assert len(recorder.of("trace", function="scale")) == 70
