"""Source ↔ graph: the snippet line of every op, shapes on edges, AutoGraph's line map."""

from __future__ import annotations

from typing import Any

import pytest

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet
from trainer.instrument import collapse

__all__ = ["instrument", "recorder"]

BRANCH_AND_LOOP = """import tensorflow as tf


@tf.function
def step(x, n):
    if tf.reduce_sum(x) > 0:
        y = x * 2.0
    else:
        y = x - 1.0
    for i in tf.range(n):
        y = y + 1.0
    return y


step(tf.ones([3]), tf.constant(2))
"""
IF_LINE, THEN_LINE, ELSE_LINE, LOOP_LINE, LOOP_BODY_LINE, CALL_LINE = 6, 7, 9, 10, 11, 15


def _ops(part: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    return [n for n in part["nodes"] if n["op"] in kinds]


def _body(event: dict[str, Any], node: dict[str, Any], attr: str) -> dict[str, Any]:
    return next(f for f in event["functions"] if f["name"] == node["attrs"][attr])


def test_each_op_carries_the_snippet_line_that_made_it(recorder: Recorder) -> None:
    run_snippet(BRANCH_AND_LOOP)

    (event,) = recorder.of("graph", function="step")
    (branch,) = _ops(event, "If", "StatelessIf")
    (loop,) = _ops(event, "While", "StatelessWhile")
    assert branch["line"] == IF_LINE and loop["line"] == LOOP_LINE
    assert [n["line"] for n in _ops(event, "Sum", "Greater")] == [IF_LINE, IF_LINE]
    (mul,) = _ops(_body(event, branch, "then_branch"), "Mul")
    (sub,) = _ops(_body(event, branch, "else_branch"), "Sub")
    (add,) = [n for n in _ops(_body(event, loop, "body"), "AddV2") if n["line"] != LOOP_LINE]
    assert (mul["line"], sub["line"], add["line"]) == (THEN_LINE, ELSE_LINE, LOOP_BODY_LINE)
    # The inputs were made by the call that traced the function.
    assert {n["line"] for n in _ops(event, "Placeholder")} == {CALL_LINE}
    assert event["count"] == 1


KERAS_INSIDE = """import keras
import tensorflow as tf

layer = keras.layers.Dense(3, name="dense")


@tf.function
def forward(x):
    return tf.nn.softmax(layer(x))


forward(tf.ones([2, 4]))
"""


def test_ops_made_inside_keras_carry_the_line_that_called_it(recorder: Recorder) -> None:
    run_snippet(KERAS_INSIDE)

    # Traced twice: the first trace made the layer's variables.
    event = recorder.of("graph", function="forward")[-1]
    (matmul,) = _ops(event, "MatMul")
    (softmax,) = _ops(event, "Softmax")
    assert matmul["line"] == softmax["line"] == 9


def test_edges_carry_dtype_and_shape_as_traced(recorder: Recorder) -> None:
    run_snippet("""import tensorflow as tf

@tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
def norm(x):
    return tf.reduce_sum(x * x, axis=1)

norm(tf.ones([2, 4]))
""")

    (event,) = recorder.of("graph", function="norm")
    into_mul = [e for e in event["edges"] if e["target"] == "mul"]
    assert {(e["dtype"], tuple(e["shape"])) for e in into_mul} == {("float32", (None, 4))}
    out = next(e for e in event["edges"] if e["target"] == "output_0")
    assert out["dtype"] == "float32" and out["shape"] == [None]


def test_autograph_lines_point_back_to_the_source(recorder: Recorder) -> None:
    run_snippet(BRANCH_AND_LOOP)

    (event,) = recorder.of("autograph", function="step")
    generated = event["code"].splitlines()
    assert len(event["lines"]) == len(generated)
    origin = dict(zip(generated, event["lines"], strict=True))
    if_stmt = next(line for line in generated if "ag__.if_stmt(" in line)
    for_stmt = next(line for line in generated if "ag__.for_stmt(" in line)
    then = next(line for line in generated if "* 2.0" in line)
    assert (origin[if_stmt], origin[for_stmt], origin[then]) == (IF_LINE, LOOP_LINE, THEN_LINE)
    assert origin[generated[0]] == 5  # def tf__step(...) comes from `def step(...)`


def test_a_named_snippet_file_is_the_only_source_of_lines(instrument: Any) -> None:
    recorder = instrument()
    recorder.instrumentation.configure(keras_graphs=False, source_file="/elsewhere/main.py")

    run_snippet(BRANCH_AND_LOOP)

    (event,) = recorder.of("graph", function="step")
    assert not any("line" in node for node in event["nodes"])
    (autograph,) = recorder.of("autograph", function="step")
    assert "lines" not in autograph


def test_a_collapsed_graph_keeps_the_lines_of_its_scopes(recorder: Recorder) -> None:
    run_snippet(BRANCH_AND_LOOP)
    (event,) = recorder.of("graph", function="step")

    collapsed, _ = collapse.fit(event, 1500)

    assert collapsed["collapsed"]
    lines = {line for node in collapsed["nodes"] for line in node.get("lines", ())}
    assert {IF_LINE, LOOP_LINE} <= lines


AUGMENTING = """import keras
import tensorflow as tf

augment = keras.Sequential([keras.layers.RandomFlip("horizontal"),
                            keras.layers.RandomRotation(0.1)])
dense = keras.layers.Dense(2)


@tf.function
def step(x):
    if tf.reduce_sum(x) > 0:
        x = augment(x, training=True)
    return dense(tf.reshape(x, [-1, 16]))


graph = step.get_concrete_function(tf.TensorSpec([None, 4, 4, 1])).graph
"""


@pytest.fixture(scope="module")
def augmenting() -> tuple[str, list[Any]]:
    """The snippet's file and every op of its graph and of the functions it calls (the cond's
    branches). Traced once: AutoGraph would map a second copy's lines to the first's file."""
    namespace = run_snippet(AUGMENTING)
    graph = namespace["graph"]
    ops = list(graph.get_operations())
    for function in graph._functions.values():  # noqa: SLF001
        ops += function.graph.get_operations()
    return namespace["__file__"], ops


def test_a_named_snippet_finds_the_same_lines_as_a_scan_of_every_frame(
        augmenting: tuple[str, list[Any]]) -> None:
    from trainer.instrument.sources import SourceFile

    path, ops = augmenting
    named = SourceFile(path)
    lines = [named.op_line(op) for op in ops]

    assert lines == [SourceFile().op_line(op) for op in ops]
    # Ops made in Keras' layers carry the snippet's line that called them.
    assert {11, 12, 13} <= set(lines) and len(ops) > 50


def test_a_snippet_under_tensorflows_own_tree_has_every_frame_scanned(
        augmenting: tuple[str, list[Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    from trainer.instrument import sources

    path, ops = augmenting
    named = sources.SourceFile(path)
    filtered = [named.op_line(op) for op in ops]
    # As if the snippet's file were one TensorFlow's filter leaves out (it lives in /sandbox).
    monkeypatch.setattr(sources, "TF_INTERNAL", "sandbox")

    assert [named.op_line(op) for op in ops] == filtered and {11, 12, 13} <= set(filtered)
