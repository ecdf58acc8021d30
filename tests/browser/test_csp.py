"""The Content-Security-Policy (playground/csp.py) in headless Chromium against the live stack:
every page kind used as a learner uses it reports no violation; markup injected into a page runs
nothing and takes no style, and the policy reports it; a program's printed markup stays text.
Each test leaves a screenshot in its output folder."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Frame, Page, expect

from scripts.stack import Stack
from tests.browser.pages import output_text, set_code, workspace
from tests.live import LiveClient

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 90_000
# In every frame of the context: each violation goes to Python (across navigations) and to the
# frame's own list, which a test can wait on.
WATCH = """
window.pgRefused = [];
addEventListener("securitypolicyviolation", (event) => {
  const seen = {directive: event.effectiveDirective, blocked: event.blockedURI,
                source: event.sourceFile, line: event.lineNumber, page: location.href};
  window.pgRefused.push(seen.directive);
  window.pgReportViolation(seen);
}, true);
"""
INJECT = """() => {
  document.body.insertAdjacentHTML("beforeend", '<img src=x onerror="window.__pwned = 1">');
  const script = document.createElement("script");
  script.textContent = "window.__pwned = 2";
  document.body.append(script);
  document.body.insertAdjacentHTML("beforeend",
    '<p id="pg-styled" style="color: rgb(1, 2, 3)">styled</p>' +
    '<style>#pg-styled { outline: 7px solid rgb(4, 5, 6); }</style>' +
    '<a id="pg-js-link" href="javascript:window.__pwned = 3">link</a>');
}"""
REFUSED = {"script-src-attr", "script-src-elem", "style-src-attr", "style-src-elem"}
SHARED_CODE = '''import matplotlib.pyplot as plt
import tensorflow as tf


@tf.function
def pick(x):
    return tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)


print("picked", pick(tf.ones([3])).numpy().tolist())
plt.plot([1, 3, 2])
plt.show()
'''


@dataclass
class Learner:
    """A browser context of its own whose pages report every CSP violation."""

    page: Page
    violations: list[dict[str, Any]] = field(default_factory=list)

    def shot(self, output_path: str, name: str) -> None:
        Path(output_path).mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(Path(output_path) / f"{name}.png"), full_page=True)


@pytest.fixture
def learner(browser: Browser, live_stack: Stack) -> Iterator[Learner]:
    context = browser.new_context(base_url=live_stack.url, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    watched = Learner(page)
    context.expose_binding("pgReportViolation",
                           lambda _source, seen: watched.violations.append(seen))
    context.add_init_script(WATCH)

    # Chromium also logs each refusal, from workers too, where no page listener hears it.
    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            watched.violations.append({"console": message.text, "page": page.url})

    page.on("console", on_console)
    yield watched
    context.close()


@pytest.fixture(scope="module")
def shared_slug(live_stack: Stack) -> Iterator[str]:
    """A run shared by another session: a figure, a tf.cond graph and printed markup."""
    owner = LiveClient(live_stack.url)
    record = owner.run(SHARED_CODE + 'print("<script>window.__pwned = 4</script>")\n')
    assert record["status"] == "succeeded", record["events"][-3:]
    answer = owner.post(f"/api/runs/{record['id']}/share")
    assert answer.status_code == 201, answer.text
    yield str(answer.json()["slug"])
    owner.close()


def finished(page: Page | Frame, outcome: str = "succeeded") -> None:
    page.wait_for_function(
        "(outcome) => document.querySelector('.pg-status')?.dataset.status === outcome",
        arg=outcome, timeout=RUN_TIMEOUT)


def shows(page: Page | Frame, host: str, text: str) -> None:
    """Waits until the output pane holds `text` (in its buffer, scrolled into view or not)."""
    page.wait_for_function(
        f"(text) => document.querySelector('{host}').pgWorkspace.outputText().includes(text)",
        arg=text)


def figure_drawn(page: Page | Frame) -> None:
    """The figure in the output, drawn on a canvas: no data: or blob: image is needed."""
    canvas = page.locator("canvas.pg-figure").first
    expect(canvas).to_have_attribute("data-drawn", "true")
    expect(canvas).to_be_visible()


def graph_drawn(page: Page | Frame, host: str) -> None:
    page.locator("[data-tab=graph]").click()
    page.evaluate(f"() => document.querySelector('{host}').pgWorkspace.settled()")
    expect(page.locator(".pg-graph-canvas canvas").first).to_be_visible()
    expect(page.locator(".pg-body-list")).to_contain_text("If")


def test_the_learning_pages_keep_to_the_policy(
        learner: Learner, live_stack: Stack, output_path: str) -> None:
    page = learner.page
    page.goto("/")
    expect(page.locator("[data-map]")).to_have_attribute("data-concepts", "22")
    page.click("[data-view-button=list]")
    expect(page.locator("[data-list] a.concept-chip")).to_have_count(22)
    page.click("[data-pg-theme-toggle]")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    with httpx.Client(base_url=live_stack.url) as api:
        concepts = api.get("/api/concepts").json()
        tour = api.get("/api/tours").json()[0]
    # Every concept: their Markdown holds most of the TeX KaTeX lays out with inline styles.
    for concept in concepts:
        page.goto(f"/concepts/{concept['slug']}")
        expect(page.locator(".learn-loading")).to_have_count(0)
        expect(page.locator(".cm-content")).to_be_visible()
    page.goto("/concepts/loss-function")
    expect(page.locator(".katex").first).to_be_visible()
    learner.shot(output_path, "concept-with-tex")
    page.goto(f"/tours/{tour['slug']}")
    expect(page.locator(".learn-loading")).to_have_count(0)
    page.goto(f"/tours/{tour['slug']}/1")
    expect(page.locator(".learn-loading")).to_have_count(0)
    expect(page.locator(".cm-content")).to_be_visible()
    # The language switch posts a form to the site itself (form-action 'self').
    page.select_option("#pg-language-select", "ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    learner.shot(output_path, "tour-step-ja-dark")
    assert learner.violations == []


def test_play_and_the_run_page_keep_to_the_policy(
        learner: Learner, live_stack: Stack, output_path: str) -> None:
    page = learner.page
    workspace(page, live_stack.url)
    set_code(page, SHARED_CODE + 'print("\\x1b[38;2;255;120;0morange\\x1b[0m")\n')
    page.keyboard.press("Control+End")
    page.keyboard.type('print("typed", 6 * 7)')
    page.keyboard.press("Control+Enter")
    finished(page)
    text = output_text(page)
    assert "picked [2.0, 2.0, 2.0]" in text and "typed 42" in text
    # A 24-bit colour is drawn from the palette (a class), not with a refused style attribute.
    expect(page.locator(".xterm-rows span", has_text="orange")).to_have_class(
        re.compile(r"\bxterm-fg-208\b"))
    figure_drawn(page)
    graph_drawn(page, "#workspace")
    page.locator(".pg-body-list [data-action=open-body]").first.click()
    expect(page.locator(".pg-crumbs")).to_contain_text("_branch")
    learner.shot(output_path, "play-graph")
    href = page.get_attribute(".pg-run-link", "href")
    assert href and href.startswith("/runs/")
    workspace(page, live_stack.url, href)
    finished(page)
    assert "picked [2.0, 2.0, 2.0]" in output_text(page)
    page.click("[data-action=share]")
    expect(page.locator(".pg-share-link")).to_contain_text("/s/")
    learner.shot(output_path, "run-page")
    assert learner.violations == []


def test_the_share_page_and_its_embed_keep_to_the_policy(
        learner: Learner, live_stack: Stack, shared_slug: str, output_path: str) -> None:
    page = learner.page
    page.goto(f"/s/{shared_slug}")
    host = "[data-share-workspace]"
    page.wait_for_function(f"() => document.querySelector('{host}')?.pgWorkspace")
    shows(page, host, "picked [2.0, 2.0, 2.0]")
    figure_drawn(page)
    graph_drawn(page, host)
    learner.shot(output_path, "share-graph")
    # The embed view inside another site's page: the only page that may be framed.
    page.set_content(f'<iframe id="embed" src="{live_stack.url}/s/{shared_slug}?embed=1" '
                     'width="1000" height="560"></iframe>')
    frame = page.locator("#embed").element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function(f"() => document.querySelector('{host}')?.pgWorkspace")
    shows(frame, host, "picked [2.0, 2.0, 2.0]")
    graph_drawn(frame, host)
    learner.shot(output_path, "embed-in-iframe")
    assert learner.violations == []


@pytest.mark.parametrize("path", ["/play", "/", "embed"])
def test_markup_injected_into_a_page_runs_nothing(
        learner: Learner, live_stack: Stack, shared_slug: str, path: str) -> None:
    page = learner.page
    page.goto(f"/s/{shared_slug}?embed=1" if path == "embed" else path)
    page.wait_for_function("() => document.querySelector('.pg-header, .pg-share-embed-bar')")
    page.evaluate(INJECT)
    page.click("#pg-js-link")
    page.wait_for_function("(refused) => refused.every((d) => window.pgRefused.includes(d))",
                           arg=sorted(REFUSED))
    assert page.evaluate("() => window.__pwned") is None
    styled = page.locator("#pg-styled")
    assert styled.evaluate("(p) => getComputedStyle(p).color") != "rgb(1, 2, 3)"
    assert styled.evaluate("(p) => getComputedStyle(p).outlineColor") != "rgb(4, 5, 6)"
    assert {seen.get("directive") for seen in learner.violations} >= REFUSED


def test_printed_markup_stays_text(learner: Learner, live_stack: Stack, shared_slug: str) -> None:
    page = learner.page
    workspace(page, live_stack.url)
    set_code(page, """import sys
print('<script>window.__pwned = 5</script><img src=x onerror="window.__pwned = 6">')
sys.stderr.write('<style>body { display: none }</style><b style="color: red">b</b>\\n')
raise ValueError('<img src=y onerror="window.__pwned = 7">')
""")
    page.keyboard.press("Control+Enter")
    finished(page, "failed")
    text = output_text(page)
    assert '<script>window.__pwned = 5</script><img src=x onerror="window.__pwned = 6">' in text
    assert '<style>body { display: none }</style><b style="color: red">b</b>' in text
    expect(page.locator(".pg-error")).to_contain_text('<img src=y onerror="window.__pwned = 7">')
    # Shown as text, never parsed: nothing was even refused.
    assert page.locator("#workspace img, #workspace script, #workspace b").count() == 0
    page.goto(f"/s/{shared_slug}")
    shows(page, "[data-share-workspace]", "<script>window.__pwned = 4</script>")
    assert page.evaluate("() => window.__pwned") is None
    assert learner.violations == []
