"""The playground as a learner meets it, against the real stack (Daphne, Celery, the sandboxed
worker, Redis): type code and run it with the shortcut, stop a long run, see an error's line,
training curves, a tf.cond graph, markup printed as text, dark mode and a 360 px screen, the
run's own page and the Japanese interface."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from scripts.stack import Stack
from tests.browser.pages import output_text, set_code, workspace

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 60_000


def finished(page: Page, outcome: str = "succeeded") -> None:
    expect(page.locator(".pg-status")).to_have_attribute("data-status", outcome,
                                                         timeout=RUN_TIMEOUT)


def test_it_runs_typed_code_with_the_shortcut(page: Page, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("import tensorflow as tf\n")
    line = 'print("sum is", int(tf.reduce_sum(tf.range(5))))'
    page.keyboard.type(line)
    expect(page.locator(".cm-content")).to_contain_text(line)
    page.keyboard.press("Control+Enter")
    finished(page)
    assert "sum is 10" in output_text(page)
    expect(page.locator("[data-meter=runtime]")).to_contain_text("TF ")
    shot("ran")
    # The code is still there after a reload, until Reset.
    page.reload()
    page.wait_for_selector(".cm-content")
    expect(page.locator(".cm-content")).to_contain_text("tf.reduce_sum(tf.range(5))")
    page.click("[data-action=reset]")
    expect(page.locator(".cm-content")).to_contain_text("double_sum")


def test_the_run_page_shows_a_finished_run(
        page: Page, browser: Browser, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    set_code(page, 'print("kept for the run page")\n')
    page.click("[data-action=run]")
    finished(page)
    href = page.get_attribute(".pg-run-link", "href")
    assert href and href.startswith("/runs/")
    workspace(page, live_stack.url, href)
    finished(page)
    assert "kept for the run page" in output_text(page)
    expect(page.locator(".cm-content")).to_contain_text('print("kept for the run page")')
    shot("run-page")
    page.click("[data-action=share]")
    expect(page.locator(".pg-share-link")).to_contain_text("/s/")
    # Another browser session gets nothing from the id.
    stranger = browser.new_context().new_page()
    response = stranger.goto(live_stack.url + href)
    assert response and response.status == 404
    expect(stranger.locator("h1")).to_have_text("Run not found")
    assert "kept for the run page" not in stranger.content()
    stranger.context.close()


def test_stop_ends_a_long_run(page: Page, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    set_code(page, "import time\nfor i in range(200):\n    print('tick', i, flush=True)\n"
                   "    time.sleep(0.1)\n")
    page.click("[data-action=run]")
    expect(page.locator(".xterm-rows")).to_contain_text("tick 3", timeout=RUN_TIMEOUT)
    page.click("[data-action=stop]")
    finished(page, "cancelled")
    expect(page.locator(".pg-output-banners")).to_contain_text("You stopped the run.")
    assert "tick 199" not in output_text(page)
    expect(page.locator("[data-action=stop]")).to_be_hidden()
    shot("stopped")


def test_a_python_error_marks_its_line(page: Page, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    set_code(page, "values = [1, 2, 3]\n\n\ndef ratio(v):\n    return v / 0\n\n\n"
                   "print([ratio(v) for v in values])\n")
    page.keyboard.press("Control+Enter")
    finished(page, "failed")
    expect(page.locator(".pg-error")).to_contain_text("ZeroDivisionError")
    expect(page.locator(".pg-cm-error-line")).to_have_attribute("data-pg-error-line", "5")
    page.click(".pg-line-link[data-line='8']")
    expect(page.locator(".pg-cm-error-line")).to_have_attribute("data-pg-error-line", "8")
    shot("error")


def test_a_keras_fit_draws_its_curves(page: Page, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    set_code(page, """import numpy as np
import keras

x = np.random.default_rng(1).normal(size=(512, 4)).astype("float32")
y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2)
""")
    page.keyboard.press("Control+Enter")
    finished(page)
    assert "Epoch 3/3" in output_text(page)
    page.click("[data-tab=training]")
    chart = page.locator(".pg-chart[data-family=loss]")
    expect(chart).to_be_visible()
    expect(chart.locator(".u-legend")).to_contain_text("val_loss (epoch)")
    shot("training")
    page.click("[data-tab=model]")
    expect(page.locator(".pg-model-summary")).to_contain_text("Sequential")
    shot("model")


def test_a_tf_cond_draws_its_graph_and_opens_a_branch(
        page: Page, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    set_code(page, """import tensorflow as tf


@tf.function
def pick(x):
    return tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)


print(pick(tf.ones([3])).numpy())
""")
    page.keyboard.press("Control+Enter")
    finished(page)
    page.click("[data-tab=graph]")
    page.evaluate("() => document.getElementById('workspace').pgWorkspace.settled()")
    expect(page.locator(".pg-graph-canvas canvas").first).to_be_visible()
    expect(page.locator(".pg-body-list")).to_contain_text("If")
    shot("graph")
    page.locator(".pg-body-list [data-action=open-body]").first.click()
    page.evaluate("() => document.getElementById('workspace').pgWorkspace.settled()")
    expect(page.locator(".pg-crumbs")).to_contain_text("_branch")
    shot("branch")


def test_printed_markup_and_script_stay_text(page: Page, live_stack: Stack, shot: Any) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    workspace(page, live_stack.url)
    set_code(page, """import sys
print('<script>alert("out")</script><img src=x onerror="alert(1)"><b id="injected">b</b>')
print('\\x1b]8;;javascript:alert(2)\\x07a link\\x1b]8;;\\x07 and \\x1b]0;title\\x07 done')
sys.stderr.write('<iframe src="javascript:alert(3)"></iframe>\\n')
raise ValueError('<img src=y onerror="alert(4)">')
""")
    page.keyboard.press("Control+Enter")
    finished(page, "failed")
    text = output_text(page)
    assert '<script>alert("out")</script>' in text
    assert '<iframe src="javascript:alert(3)"></iframe>' in text
    expect(page.locator(".pg-error")).to_contain_text('<img src=y onerror="alert(4)">')
    injected = page.evaluate("""() => document.querySelectorAll(
        '#workspace img, #workspace script, #workspace iframe, #injected').length""")
    assert injected == 0
    link = page.locator(".xterm-rows").get_by_text("a link").bounding_box()
    assert link
    page.mouse.click(link["x"] + 4, link["y"] + link["height"] / 2)
    assert dialogs == []
    shot("markup-as-text")


def test_it_works_dark_at_360_px(page: Page, live_stack: Stack, shot: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.emulate_media(color_scheme="dark")
    workspace(page, live_stack.url)
    assert page.get_attribute("html", "data-theme") == "dark"
    set_code(page, 'print("narrow and dark")\n')
    page.click("[data-action=run]")
    finished(page)
    assert "narrow and dark" in output_text(page)
    editor = page.locator(".pg-ws-editor").bounding_box()
    results = page.locator(".pg-results").bounding_box()
    assert editor and results and results["y"] >= editor["y"] + editor["height"] - 1
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot("dark-360")


def test_the_interface_switches_to_japanese(page: Page, live_stack: Stack, shot: Any) -> None:
    workspace(page, live_stack.url)
    with page.expect_navigation():
        page.select_option("#pg-language-select", "ja")
    page.wait_for_selector(".cm-content")
    assert page.get_attribute("html", "lang") == "ja"
    expect(page.locator(".pg-nav")).to_contain_text("プレイグラウンド")
    # Text the page's script writes comes from the JavaScript catalogue.
    expect(page.locator("[data-action=run]")).to_contain_text("実行")
    expect(page.locator("[data-tab=output]")).to_have_text("出力")
    shot("japanese")
    with page.expect_navigation():
        page.select_option("#pg-language-select", "en")
    expect(page.locator("[data-tab=output]")).to_have_text("Output")
