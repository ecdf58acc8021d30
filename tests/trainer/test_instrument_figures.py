"""`image` events: plt.show(), figures left open, plot_model; PNG under the cap, silent."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import pytest

from tests.trainer.conftest_instrument import Recorder, instrument, recorder, run_snippet
from trainer.instrument import Instrumentation, figures

__all__ = ["instrument", "recorder"]

SHOW = """import matplotlib.pyplot as plt

plt.plot([1, 2, 3], [2, 0, 1])
plt.title("loss")
print("before")
plt.show()
print("after")
"""


def _png(image: dict[str, Any]) -> bytes:
    data = base64.b64decode(image["data"])
    assert figures.png_size(data) == (image["width"], image["height"])
    return data


def test_plt_show_sends_the_figure_from_its_line_and_says_nothing(
        recorder: Recorder, capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()

    run_snippet(SHOW)

    (image,) = recorder.of("image")
    assert (image["source"], image["line"], image["label"]) == ("show", 6, "Figure 1")
    assert image["mime"] == "image/png" and len(_png(image)) > 1000
    # No "non-interactive backend" warning, and the figure is closed as in a notebook.
    assert capfd.readouterr() == ("before\nafter\n", "")
    assert plt.get_fignums() == []


def test_figures_still_open_at_the_end_are_sent_too(recorder: Recorder) -> None:
    run_snippet(SHOW + "plt.figure()\nplt.bar([1, 2], [3, 4])\nplt.figure()\nplt.plot([0, 1])\n")

    recorder.instrumentation.finish()  # type: ignore[attr-defined]

    shown, *end = recorder.of("image")
    assert shown["source"] == "show"
    assert [(e["source"], e["label"], e["line"]) for e in end] == [
        ("end", "Figure 2", None), ("end", "Figure 3", None)]


NOISE = """import matplotlib.pyplot as plt
import numpy as np

plt.imshow(np.random.default_rng(0).random((300, 300, 3)))
plt.show()
"""


def test_a_large_figure_is_shrunk_under_the_cap(instrument: Any) -> None:
    whole = instrument()
    run_snippet(NOISE)
    (big,) = whole.of("image")
    capped = instrument(image_max_bytes=len(_png(big)) // 3)

    run_snippet(NOISE)

    (small,) = capped.of("image")
    assert len(_png(small)) <= len(_png(big)) // 3
    assert small["width"] < big["width"]


def test_a_figure_that_cannot_fit_says_so(instrument: Any) -> None:
    recorder = instrument(image_max_bytes=200)

    run_snippet(NOISE)

    (image,) = recorder.of("image")
    assert image["data"] == "" and "larger than 0 KiB" in image["note"]


def test_a_runs_figures_stop_at_its_budget_and_say_so_once(instrument: Any) -> None:
    recorder = instrument(image_max_bytes=30_000)

    run_snippet("""import matplotlib.pyplot as plt

for i in range(12):
    plt.plot([0, i])
    plt.show()
""")

    images = recorder.of("image")
    sent = [i for i in images if i["data"]]
    assert 0 < len(sent) < 12 and sum(len(_png(i)) for i in sent) <= 4 * 30_000
    assert images[-1]["data"] == "" and "as many figures as it may" in images[-1]["note"]
    assert len(images) == len(sent) + 1


def test_plot_model_sends_the_diagram_it_writes(
        recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    run_snippet("""import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")], name="tiny")
keras.utils.plot_model(model, to_file="model.png", show_shapes=True)
""")

    (image,) = recorder.of("image")
    assert (image["source"], image["label"], image["line"]) == ("plot_model", "tiny", 4)
    assert _png(image) == (tmp_path / "model.png").read_bytes()


def test_without_the_views_figures_still_come_and_nothing_of_tensorflow_does(
        instrument: Any) -> None:
    recorder = instrument(views=False)

    run_snippet(SHOW.replace("plt.show()", """plt.show()
import tensorflow as tf

@tf.function
def double(x):
    return x * 2

double(tf.constant(1.0))
plt.figure()
plt.plot([0, 1])
"""))
    recorder.instrumentation.finish()  # type: ignore[attr-defined]

    assert [(e["type"], e["source"]) for e in recorder.events] == [("image", "show"),
                                                                  ("image", "end")]
    _png(recorder.events[0])


def test_uninstall_puts_the_backend_back() -> None:
    before = matplotlib.get_backend()
    instrumentation = Instrumentation(lambda event: None)
    instrumentation.install()
    during = matplotlib.get_backend()
    instrumentation.uninstall()

    assert during == figures.BACKEND and matplotlib.get_backend() == before


# The x label's padding reaches past the figure's bottom edge: savefig fills it with the
# figure's colour.
LABEL_AT_THE_EDGE = SHOW.replace('plt.title("loss")',
                                 'plt.xlabel("step")\nplt.subplots_adjust(bottom=0.09)')


@pytest.mark.parametrize("code", [SHOW, LABEL_AT_THE_EDGE])
def test_a_figure_is_drawn_once_and_cut_as_savefig_tight_would_cut_it(
        code: str, recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from matplotlib.figure import Figure

    draws: list[Any] = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(self) or
                        original(self, renderer))
    run_snippet(code)

    (image,) = recorder.of("image")
    assert len(draws) == 1
    saved = io.BytesIO()
    draws[0].savefig(saved, format="png", dpi=draws[0].dpi, bbox_inches="tight")
    assert figures.png_size(saved.getvalue()) == (image["width"], image["height"])
    assert _png(image)[:8] == saved.getvalue()[:8]


def test_a_figure_with_text_outside_it_is_saved_whole(recorder: Recorder) -> None:
    run_snippet("import matplotlib.pyplot as plt\n"
                "figure = plt.figure(figsize=(4, 3), dpi=100)\n"
                "plt.plot([0, 1])\n"
                "figure.text(1.1, 0.5, 'outside the figure')\n"
                "plt.show()\n")

    (image,) = recorder.of("image")
    assert image["width"] > 400 and len(_png(image)) > 1000
