"""Figures and op lines through the public contract, from the real sandbox: matplotlib's
plt.show() and plot_model (graphviz run inside the jail) arrive as PNG image events, and ops
carry the snippet's own line numbers."""
from __future__ import annotations

import base64
from typing import Any

import pytest

pytestmark = pytest.mark.sandbox

PNG = b"\x89PNG\r\n\x1a\n"


def of_type(record: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in record["events"] if e["type"] == kind]


def test_plt_show_and_plot_model_send_pngs_from_the_jail(run_snippet: Any) -> None:
    record = run_snippet("""import keras
import matplotlib.pyplot as plt

plt.plot([1, 3, 2])
plt.show()
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
keras.utils.plot_model(model, to_file="model.png", show_shapes=True)
print("done")
""")

    assert record["status"] == "succeeded", record["events"][-3:]
    shown, diagram = of_type(record, "image")
    assert (shown["source"], shown["line"]) == ("show", 5)
    assert (diagram["source"], diagram["label"], diagram["line"]) == ("plot_model", "tiny", 7)
    for image in (shown, diagram):
        assert base64.b64decode(image["data"]).startswith(PNG)
    # Nothing the figures did reached the program's own output.
    assert "".join(e["text"] for e in of_type(record, "stderr")) == ""


def test_ops_carry_the_snippets_lines(run_snippet: Any) -> None:
    record = run_snippet("""import tensorflow as tf

@tf.function
def f(x):
    if x > 0:
        x = x * 2.0
    return x

f(tf.constant(1.0))
""")

    (graph,) = of_type(record, "graph")
    branch = next(n for n in graph["nodes"] if n["op"] in ("If", "StatelessIf"))
    assert branch["line"] == 5
    (autograph,) = of_type(record, "autograph")
    assert 5 in autograph["lines"] and 6 in autograph["lines"]
