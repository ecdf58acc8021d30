"""The editor that knows TensorFlow, in Chromium against the live stack: completion of a
Dataset's methods and of modules, signature help inside a layer's call, hover docs with the
concept page, Format (button and Shift+Alt+F), an undefined name marked before any run, the Vim
keymap and the font size remembered, and "Open in editor" then Ctrl+Enter running at once."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from scripts.stack import Stack
from tests.browser.pages import set_code, workspace

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 90_000
EDITOR = ".pg-editor-host .cm-content"


@pytest.fixture
def context(browser: Browser, live_stack: Stack) -> Any:
    context = browser.new_context(base_url=live_stack.url, viewport={"width": 1400, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, live_stack: Stack) -> Page:
    page = context.new_page()
    page.set_default_timeout(20_000)
    workspace(page, live_stack.url)
    return page


def shot(page: Page, output_path: str, name: str) -> None:
    Path(output_path).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(output_path) / f"{name}.png"))


def type_at_end(page: Page, text: str) -> None:
    page.click(EDITOR)
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def options(page: Page) -> list[str]:
    page.wait_for_selector(".cm-tooltip-autocomplete")
    return page.locator(".cm-tooltip-autocomplete .cm-completionLabel").all_text_contents()


def font_size(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.querySelector('.cm-editor')).fontSize"))


def code(page: Page) -> str:
    return str(page.evaluate("() => document.getElementById('workspace').pgWorkspace.getCode()"))


def test_it_completes_a_datasets_methods_and_module_paths(page: Page, output_path: str) -> None:
    set_code(page, "import tensorflow as tf\n")
    type_at_end(page, "ds = tf.data.Dataset.from_tensor_slices([1, 2]).")
    offered = options(page)
    assert {"batch", "map", "prefetch", "shuffle"} <= set(offered), offered
    shot(page, output_path, "dataset-methods")
    page.keyboard.type("pref")
    expect(page.locator(".cm-completionLabel").first).to_have_text("prefetch")
    page.keyboard.press("Enter")
    page.keyboard.type("(2)")
    assert code(page).endswith("from_tensor_slices([1, 2]).prefetch(2)")
    # A name bound to the dataset completes the same, and tf.ke completes to keras.
    type_at_end(page, "\nds.")
    assert "batch" in options(page)
    page.keyboard.press("Escape")
    type_at_end(page, "\nlayer = tf.ke")
    assert "keras" in options(page)
    page.keyboard.press("Enter")
    page.keyboard.type(".layers.")
    assert {"Dense", "Conv2D", "Dropout"} <= set(options(page))


def test_inside_a_layers_call_the_signature_shows_its_parameters(page: Page,
                                                                 output_path: str) -> None:
    set_code(page, "import tensorflow as tf\n")
    type_at_end(page, "layer = tf.keras.layers.Dense(")
    signature = page.locator(".pg-signature")
    expect(signature).to_contain_text("Dense(units, activation=None")
    expect(signature.locator(".pg-sig-active")).to_have_text("units")
    shot(page, output_path, "dense-signature")
    page.keyboard.type("8, act")
    expect(signature.locator(".pg-sig-active")).to_have_text("activation=None")
    assert "activation=" in options(page)


def test_hovering_tf_function_shows_its_doc_and_concept(page: Page, output_path: str) -> None:
    set_code(page, "import tensorflow as tf\n\n\n@tf.function\ndef f(x):\n    return x\n")
    word = page.locator(".cm-line", has_text="@tf.function")
    box = word.bounding_box()
    assert box
    # Over "function", the name after the dot.
    page.mouse.move(box["x"] + 80, box["y"] + box["height"] / 2)
    tip = page.locator(".cm-tooltip-hover .pg-doc")
    expect(tip).to_contain_text("Compiles a function into a callable TensorFlow graph")
    expect(tip.locator(".pg-doc-name")).to_have_text("tf.function")
    expect(tip.locator(".pg-doc-concept a")).to_have_attribute("href", "/concepts/tf-function")
    shot(page, output_path, "hover-tf-function")


def test_format_reflows_a_badly_indented_snippet(page: Page, output_path: str) -> None:
    set_code(page, "import tensorflow as tf\ndef f( a,b ):\n  return tf.add(a,b)\n"
                   "print( f(1,2) )\n")
    page.click("[data-action=format]")
    expect(page.locator(".pg-editor-status")).to_have_text("Formatted")
    assert code(page) == ("import tensorflow as tf\n\n\ndef f(a, b):\n    return tf.add(a, b)\n\n\n"
                          "print(f(1, 2))\n")
    shot(page, output_path, "formatted")
    # The shortcut does it too; code that does not parse stays as it is, and the bar says why.
    set_code(page, "x = [1,\n  2\n")
    page.keyboard.press("Shift+Alt+F")
    expect(page.locator(".pg-editor-status")).to_contain_text("Could not format: line")
    assert code(page) == "x = [1,\n  2\n"


def test_an_undefined_name_is_marked_before_any_run(page: Page, output_path: str) -> None:
    set_code(page, "import os\nimport tensorflow as tf\n\n"
                   "print(tf.constant(1) + undefined_thing)\n")
    marked = page.locator(".cm-lintRange-error")
    expect(marked).to_have_text("undefined_thing")
    expect(page.locator(".cm-lintRange-warning")).to_have_text("os")
    expect(page.locator(".cm-gutter-lint .cm-lint-marker-error")).to_have_count(1)
    # Drawn without images, which the Content-Security-Policy would refuse.
    style = marked.evaluate("node => [getComputedStyle(node).textDecorationLine, "
                            "getComputedStyle(node).backgroundImage]")
    assert style == ["underline", "none"]
    # Nothing ran, and nothing stops Run.
    expect(page.locator(".pg-status")).to_have_attribute("data-status", "idle")
    expect(page.locator("[data-action=run]")).to_be_enabled()
    shot(page, output_path, "undefined-name")


def test_the_vim_keymap_accepts_dd_and_is_remembered(page: Page, output_path: str) -> None:
    set_code(page, "first = 1\nsecond = 2\nthird = 3\n")
    page.select_option("[data-editor-setting=keymap]", "vim")
    page.click(".cm-line >> text=second")
    page.keyboard.press("Escape")
    page.keyboard.type("dd")
    expect(page.locator(EDITOR)).not_to_contain_text("second")
    assert code(page) == "first = 1\nthird = 3\n"
    page.select_option("[data-editor-setting=font-size]", "18")
    assert font_size(page) == "18px"
    shot(page, output_path, "vim")
    page.reload()
    page.wait_for_selector(EDITOR)
    expect(page.locator("[data-editor-setting=keymap]")).to_have_value("vim")
    expect(page.locator("[data-editor-setting=font-size]")).to_have_value("18")
    expect(page.locator(".cm-vim-panel, .cm-fat-cursor").first).to_be_attached()
    assert font_size(page) == "18px"


def test_the_emacs_keymap_moves_by_its_keys(page: Page) -> None:
    # Also what static/bundle-fixes.mjs keeps working: the package's own build drops its bindings.
    set_code(page, "abc = 1\n")
    page.select_option("[data-editor-setting=keymap]", "emacs")
    expect(page.locator(".cm-emacsMode")).to_be_attached()
    page.click(EDITOR)
    page.keyboard.press("Control+Home")
    page.keyboard.press("Control+e")
    page.keyboard.press("Control+b")
    page.keyboard.type("Z")
    page.keyboard.press("Control+a")
    page.keyboard.type("Y")
    assert code(page) == "Yabc = Z1\n"


def test_open_in_editor_then_ctrl_enter_runs(context: BrowserContext, output_path: str) -> None:
    page = context.new_page()
    page.goto("/concepts/tf-function")
    page.wait_for_selector("[data-concept-article] h1")
    opener = page.locator("[data-open-example]").nth(1)
    opener.click()
    page.keyboard.press("Control+Enter")
    expect(page.locator(".pg-status")).to_have_attribute("data-status", "succeeded",
                                                         timeout=RUN_TIMEOUT)
    shot(page, output_path, "opened-and-ran")


def test_the_editor_bar_speaks_japanese(browser: Browser, live_stack: Stack) -> None:
    context = browser.new_context(base_url=live_stack.url)
    context.add_cookies([{"name": "django_language", "value": "ja", "url": live_stack.url + "/"}])
    page = context.new_page()
    page.goto("/play")
    expect(page.locator("[data-action=format]")).to_have_text("整形")
    expect(page.locator(".pg-editor-bar")).to_contain_text("文字サイズ")
    context.close()
