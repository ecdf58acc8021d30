"""Shared runs in headless Chromium against the live stack: a run made and shared by one session,
opened by another browser context that never ran anything. The page replays the frozen record
(output with progress bars, the error line marked, graph and Autograph tabs) without calling the
run API or opening a socket; "Open in editor" lands in /play with the code; the downloads are the
real exports; printed markup stays text. Each test leaves a screenshot in its output folder."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from scripts.stack import Stack
from tests.live import LiveClient

pytestmark = pytest.mark.browser

SNIPPET = '''import tensorflow as tf


@tf.function
def double_if_positive(x):
    if tf.reduce_sum(x) > 0:
        return x * 2.0
    return x - 1.0


print("result:", double_if_positive(tf.constant([1.0, 2.0])).numpy().tolist())
for i in range(1, 6):
    print(f"\\rprogress {i}/5 " + "#" * i, end="", flush=True)
print()
print("<script>alert(1)</script><img src=x onerror=alert(2)>")
values = [1, 2, 3]
print(values[10])
'''
ERROR_LINE = 17
WORKSPACE = "[data-share-workspace]"
EDITOR = ".pg-editor-host .cm-content"


@pytest.fixture(scope="module")
def owner(live_stack: Stack) -> Iterator[LiveClient]:
    """The session that runs and shares; the browser contexts below are other sessions."""
    client = LiveClient(live_stack.url)
    yield client
    client.close()


def share(owner: LiveClient, code: str, **options: Any) -> tuple[dict[str, Any], str]:
    record = owner.run(code, **options)
    answer = owner.post(f"/api/runs/{record['id']}/share")
    assert answer.status_code == 201, answer.text
    return record, str(answer.json()["slug"])


@pytest.fixture(scope="module")
def shared(owner: LiveClient) -> tuple[dict[str, Any], str]:
    record, slug = share(owner, SNIPPET)
    assert record["status"] == "failed", record["events"][-3:]
    return record, slug


@pytest.fixture
def visitor(browser: Browser, live_stack: Stack) -> Iterator[BrowserContext]:
    """A fresh browser context: its own cookies, so its own Django session."""
    context = browser.new_context(base_url=live_stack.url, viewport={"width": 1400, "height": 900})
    yield context
    context.close()


def screenshot(page: Page, output_path: str, name: str) -> Path:
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def watch(page: Page) -> dict[str, list[str]]:
    """Collects what must not happen on a share page: dialogs, run API calls, sockets."""
    seen: dict[str, list[str]] = {"dialogs": [], "calls": [], "sockets": []}

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("websocket", lambda ws: seen["sockets"].append(ws.url))
    page.on("request", lambda request: seen["calls"].append(request.url)
            if re.search(r"/api/(runs|devices)", request.url) else None)
    return seen


def open_share(page: Page, slug: str, query: str = "") -> None:
    page.goto(f"/s/{slug}{query}")
    page.wait_for_function(f"() => document.querySelector('{WORKSPACE}')?.pgWorkspace")


def output_of(frame: Any, until: str) -> str:
    """The output pane's text once it shows `until` (the terminal parses writes asynchronously)."""
    read = f"document.querySelector('{WORKSPACE}').pgWorkspace.outputText()"
    frame.wait_for_function(f"(until) => {read}.includes(until)", arg=until)
    return str(frame.evaluate(f"() => {read}"))


def test_another_session_sees_the_output_and_the_error_line(
        visitor: BrowserContext, shared: tuple[dict[str, Any], str], output_path: str) -> None:
    record, slug = shared
    page = visitor.new_page()
    seen = watch(page)
    open_share(page, slug)
    expect(page.locator(".pg-status").first).to_have_attribute("data-status", "failed")
    text = output_of(page, "alert(2)")
    assert "result: [2.0, 4.0]" in text
    # The \r progress bar redrew in place: only its last state is on screen.
    assert "progress 5/5 #####" in text and "progress 1/5" not in text
    assert "<script>alert(1)</script>" in text
    expect(page.locator(".pg-error")).to_contain_text("IndexError")
    expect(page.locator(".pg-cm-error-line")).to_have_attribute(
        "data-pg-error-line", str(ERROR_LINE))
    expect(page.locator(".pg-cm-error-line")).to_contain_text("print(values[10])")
    runtime = record["runtime"]
    facts = page.locator(".pg-share-runtime")
    for value in (runtime["tensorflow"], runtime["python"], "CPU", runtime["host"], "Eager"):
        expect(facts).to_contain_text(value)
    screenshot(page, output_path, "share-output-error")
    # Read-only: no run controls, and typing changes nothing.
    expect(page.locator("[data-action=run]")).to_have_count(0)
    page.click(EDITOR)
    page.keyboard.type("oops")
    expect(page.locator(EDITOR)).not_to_contain_text("oops")

    page.click("[data-tab=graph]")
    page.evaluate(f"() => document.querySelector('{WORKSPACE}').pgWorkspace.settled()")
    expect(page.locator(".pg-graph-canvas canvas").first).to_be_visible()
    screenshot(page, output_path, "share-graph")
    page.click("[data-tab=autograph]")
    expect(page.locator(".pg-autograph-item .cm-content").first).to_contain_text("ag__.if_stmt")
    screenshot(page, output_path, "share-autograph")
    assert seen == {"dialogs": [], "calls": [], "sockets": []}


def test_open_in_editor_lands_in_play_with_the_code(
        visitor: BrowserContext, shared: tuple[dict[str, Any], str], output_path: str) -> None:
    _, slug = shared
    page = visitor.new_page()
    # This context had something else in its playground before.
    page.goto("/play")
    page.evaluate("() => localStorage.setItem('pg.code.play', 'print(\"older code\")')")
    open_share(page, slug)
    page.click("[data-action=open-in-editor]")
    page.wait_for_url(re.compile(r"/play(\?|$)"))
    page.wait_for_function("() => document.getElementById('workspace')?.pgWorkspace")
    code = page.locator(EDITOR)
    expect(code).to_contain_text("def double_if_positive(x):")
    expect(code).to_contain_text("print(values[10])")
    expect(code).not_to_contain_text("older code")
    code_now = page.evaluate("() => document.getElementById('workspace').pgWorkspace.getCode()")
    assert code_now == SNIPPET
    expect(page.locator("[data-action=run]")).to_be_enabled()
    screenshot(page, output_path, "play-with-shared-code")


def test_the_downloads_and_the_copied_link(
        browser: Browser, live_stack: Stack, shared: tuple[dict[str, Any], str],
        output_path: str) -> None:
    _, slug = shared
    context = browser.new_context(base_url=live_stack.url, accept_downloads=True,
                                  permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        open_share(page, slug)
        with page.expect_download() as notebook_download:
            page.click("[data-action=download-notebook]")
        notebook = nbformat.reads(Path(notebook_download.value.path()).read_text(), as_version=4)
        nbformat.validate(notebook)
        cell = next(c for c in notebook.cells if c.cell_type == "code")
        assert cell.source == SNIPPET
        assert any(o.get("ename") == "IndexError" for o in cell.outputs)
        with page.expect_download() as script_download:
            page.click("[data-action=download-script]")
        assert SNIPPET in Path(script_download.value.path()).read_text()
        page.click("[data-action=copy-link]")
        expect(page.locator("[data-copied]")).to_have_text("Link copied")
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied == f"{live_stack.url}/s/{slug}"
        screenshot(page, output_path, "share-copied")
    finally:
        context.close()


def test_the_embed_view_works_inside_another_sites_iframe(
        visitor: BrowserContext, shared: tuple[dict[str, Any], str], live_stack: Stack,
        output_path: str) -> None:
    _, slug = shared
    page = visitor.new_page()
    seen = watch(page)
    base = live_stack.url
    page.set_content(
        "<h1>A course page</h1><p>The run from the lesson:</p>"
        f'<iframe id="embed" src="{base}/s/{slug}?embed=1" width="1000" height="560"></iframe>'
        f'<iframe id="full" src="{base}/s/{slug}" width="400" height="120"></iframe>')
    embed = page.frame_locator("#embed")
    expect(embed.locator(".pg-share-embed-bar")).to_contain_text("Open full page")
    expect(embed.locator(".pg-cm-error-line")).to_have_attribute(
        "data-pg-error-line", str(ERROR_LINE))
    frame = page.locator("#embed").element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function(f"() => document.querySelector('{WORKSPACE}')?.pgWorkspace")
    assert "progress 5/5 #####" in output_of(frame, "alert(2)")
    expect(embed.locator(".pg-share-embed-full")).to_have_attribute("href", f"{base}/s/{slug}")
    embed.locator("[data-tab=graph]").click()
    expect(embed.locator(".pg-graph-canvas canvas").first).to_be_visible()
    # The full page refuses to be framed (X-Frame-Options: DENY): Chromium shows its error page.
    full = page.locator("#full").element_handle().content_frame()
    assert full is not None and not full.url.startswith(base), full.url
    assert seen["dialogs"] == [] and seen["sockets"] == []
    embed.locator("[data-tab=output]").click()
    screenshot(page, output_path, "embed-in-iframe")
    # A narrow column on a course page: the results stack under the code and still show.
    page.evaluate("() => { document.getElementById('embed').width = 420; }")
    expect(embed.locator(".pg-error")).to_be_visible()
    screenshot(page, output_path, "embed-narrow")


def test_printed_markup_never_runs(
        visitor: BrowserContext, owner: LiveClient, output_path: str) -> None:
    code = ('print("<script>alert(1)</script>")\n'
            'print("<img src=x onerror=alert(2)>")\n'
            'raise ValueError("<script>alert(3)</script>")\n')
    _, slug = share(owner, code)
    page = visitor.new_page()
    seen = watch(page)
    open_share(page, slug)
    expect(page.locator(".pg-error")).to_contain_text("<script>alert(3)</script>")
    text = output_of(page, "alert(2)")
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text
    assert page.locator(".pg-share-page img").count() == 0
    title = page.locator('meta[property="og:description"]').get_attribute("content")
    assert title and "ValueError: <script>alert(3)</script>" in title
    open_share(page, slug, "?embed=1")
    expect(page.locator(".pg-error")).to_contain_text("<script>alert(3)</script>")
    page.wait_for_timeout(300)
    assert seen["dialogs"] == []
    screenshot(page, output_path, "markup-as-text")


def test_a_keras_run_shows_its_model_and_training_curves_in_japanese(
        browser: Browser, live_stack: Stack, owner: LiveClient, output_path: str) -> None:
    code = '''import numpy as np
import tensorflow as tf

x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = (x.sum(axis=1) > 0).astype("float32")
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation="relu"),
                             tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=1)
'''
    record, slug = share(owner, code)
    assert record["status"] == "succeeded", record["events"][-3:]
    context = browser.new_context(base_url=live_stack.url, viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "ja", "url": live_stack.url + "/"}])
    try:
        page = context.new_page()
        open_share(page, slug)
        expect(page.locator("[data-action=open-in-editor]")).to_have_text("エディタで開く")
        expect(page.locator(WORKSPACE + " .pg-workspace")).to_have_attribute(
            "aria-label", "共有された実行（読み取り専用）")
        text = output_of(page, "Epoch 3/3")
        assert text.count("Epoch ") == 3 and "val_loss" in text
        page.click("[data-tab=model]")
        page.evaluate(f"() => document.querySelector('{WORKSPACE}').pgWorkspace.settled()")
        expect(page.locator(".pg-model-summary")).to_be_visible()
        screenshot(page, output_path, "share-model-ja")
        page.click("[data-tab=training]")
        expect(page.locator(".pg-chart").first).to_be_visible()
        screenshot(page, output_path, "share-training-ja")
    finally:
        context.close()


def test_an_unknown_link_is_a_404_page(visitor: BrowserContext, output_path: str) -> None:
    page = visitor.new_page()
    answer = page.goto("/s/no-such-share-here")
    assert answer is not None and answer.status == 404
    expect(page.locator("h1")).to_have_text("Shared run not found")
    screenshot(page, output_path, "share-404")


def test_the_frozen_record_is_what_the_page_shows(
        visitor: BrowserContext, shared: tuple[dict[str, Any], str]) -> None:
    record, slug = shared
    page = visitor.new_page()
    open_share(page, slug)
    data = json.loads(page.locator("#pg-share-data").text_content() or "{}")
    frozen = dict(data["record"])
    assert frozen.pop("shared")
    assert frozen == record
