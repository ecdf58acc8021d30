"""How TensorFlow ran the code, against the real stack (Daphne, the worker, the jail, Redis): a
compare_eager run shows both passes' timings, and a matplotlib figure shows in the output, on
the run's share page (opened by another browser session) and in the downloaded notebook."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.stack import Stack
from tests.browser.pages import output_text, set_code, workspace

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 90_000

COMPARE = """import tensorflow as tf


@tf.function
def tiny(x):
    return x + 1.0


for _ in range(200):
    tiny(tf.constant(1.0))
print("ran", "eagerly" if tf.config.functions_run_eagerly() else "as graphs")
"""

FIGURE = """import matplotlib.pyplot as plt

print("before the figure")
plt.plot([0, 1, 2, 3], [3, 1, 2, 0], marker="o")
plt.title("a figure from the sandbox")
plt.show()
print("after the figure")
"""


def finished(page: Page, outcome: str = "succeeded") -> None:
    expect(page.locator(".pg-status")).to_have_attribute("data-status", outcome,
                                                         timeout=RUN_TIMEOUT)


def figure_drawn(page: Page) -> None:
    """A figure in the output is drawn (the rows of it on screen), and it is a plot (many
    colours), not a blank box."""
    expect(page.locator("canvas.pg-figure[data-drawn='true'] >> visible=true").first).to_be_visible(
        timeout=10_000)
    colours = page.evaluate("""() => {
        const seen = new Set();
        for (const c of document.querySelectorAll('canvas.pg-figure[data-drawn]')) {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4 * 7) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
        }
        return seen.size;
    }""")
    assert colours > 8, colours


def test_compare_eager_shows_both_timings(page: Page, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    set_code(page, COMPARE)
    page.check("[data-action=compare-eager]")

    page.click("[data-action=run]")

    finished(page)
    assert "ran as graphs" in output_text(page) and "eagerly" not in output_text(page)
    page.click("[data-tab=timing]")
    for which in ("graph", "eager"):
        expect(page.locator(f"[data-wall={which}]")).to_contain_text("Wall time")
    expect(page.locator(".pg-compare-col[data-pass=eager] pre")).to_have_text("ran eagerly\n")
    row = page.locator("tr[data-function=tiny]")
    expect(row.locator("[data-col=graph-median]")).to_contain_text("s")
    expect(row.locator("[data-col=eager-median]")).to_contain_text("s")
    expect(row.locator("[data-col=speedup]")).to_contain_text("as a graph")
    shot("compare-eager-live")


def test_a_figure_shows_in_the_output_the_share_page_and_the_notebook(
        page: Page, browser: Browser, live_stack: Stack, shot: Any, tmp_path: Path) -> None:
    workspace(page, live_stack.url)
    set_code(page, FIGURE)

    page.click("[data-action=run]")

    finished(page)
    figure_drawn(page)
    text = output_text(page)
    assert text.index("before the figure") < text.index("[Figure 1]") < text.index(
        "after the figure")
    shot("figure-live")
    page.click("[data-action=share]")
    link = page.locator(".pg-share-link")
    expect(link).to_contain_text("/s/")
    share_path = str(link.get_attribute("href"))

    visitor = browser.new_context(base_url=live_stack.url, accept_downloads=True)
    try:
        shared = visitor.new_page()
        shared.goto(share_path)
        shared.wait_for_function(
            "() => document.querySelector('[data-share-workspace]')?.pgWorkspace")
        figure_drawn(shared)
        shot_path = tmp_path / "share.png"
        shared.screenshot(path=str(shot_path), full_page=True)
        with shared.expect_download() as download:
            shared.click("[data-action=download-notebook]")
        notebook = nbformat.reads(Path(download.value.path()).read_text(), as_version=4)
    finally:
        visitor.close()
    nbformat.validate(notebook)
    outputs = notebook.cells[1].outputs
    kinds = [o["output_type"] for o in outputs]
    assert kinds == ["stream", "display_data", "stream"], kinds
    assert outputs[1]["data"]["image/png"].startswith("iVBORw0KGgo")  # a PNG, base64
    assert outputs[1]["data"]["text/plain"].startswith("<Figure 1")
