"""axe-core (static/node_modules/axe-core, pinned in static/package.json) on every kind of page,
in the light and the dark theme, against the live stack: no WCAG 2 A or AA violation on the home
page, /play, a concept page, a tour step and a share page. axe's script goes in through the
DevTools protocol (the pages' Content-Security-Policy allows no injected script tag)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from scripts.stack import ROOT, Stack
from tests.live import LiveClient

pytestmark = pytest.mark.browser

AXE = ROOT / "static" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
THEMES = ("light", "dark")


@pytest.fixture(scope="module")
def share_slug(live_stack: Stack) -> str:
    client = LiveClient(live_stack.url)
    try:
        record = client.run("import tensorflow as tf\nprint(tf.reduce_sum(tf.range(4)))\n")
        answer = client.post(f"/api/runs/{record['id']}/share", {})
        return str(answer.json()["slug"])
    finally:
        client.close()


@pytest.fixture(params=THEMES)
def themed(request: pytest.FixtureRequest, browser: Browser, live_stack: Stack
           ) -> Iterator[tuple[BrowserContext, str]]:
    """A browser context whose pages open in this theme (the stored choice theme-init.js reads)."""
    context = browser.new_context(base_url=live_stack.url, viewport={"width": 1280, "height": 900})
    context.add_init_script(f"localStorage.setItem('pg.theme', '{request.param}')")
    yield context, request.param
    context.close()


def violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']})", WCAG)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [
        {"target": n["target"], "summary": n["failureSummary"]} for n in v["nodes"][:5]]}
        for v in result["violations"]]


def settled(page: Page, ready: str) -> None:
    page.wait_for_selector(ready)
    # The theme is the stored one, and no transition is midway.
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    page.wait_for_timeout(300)


def check(page: Page, output_path: str, name: str) -> None:
    found = violations(page)
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert found == [], f"{name}: {found}"


def test_the_home_page(themed: tuple[BrowserContext, str], output_path: str) -> None:
    context, theme = themed
    page = context.new_page()
    page.goto("/")
    settled(page, "[data-map], [data-list]")
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    check(page, output_path, f"home-{theme}")


def test_the_playground(themed: tuple[BrowserContext, str], output_path: str) -> None:
    context, theme = themed
    page = context.new_page()
    page.goto("/play")
    settled(page, ".pg-editor-bar")
    check(page, output_path, f"play-{theme}")


def test_a_concept_page(themed: tuple[BrowserContext, str], output_path: str) -> None:
    context, theme = themed
    page = context.new_page()
    page.goto("/concepts/tf-function")
    settled(page, "[data-concept-article] h1")
    check(page, output_path, f"concept-{theme}")


def test_a_tour_step(themed: tuple[BrowserContext, str], output_path: str) -> None:
    context, theme = themed
    page = context.new_page()
    page.goto("/tours/first-steps/2")
    settled(page, ".pg-editor-bar")
    check(page, output_path, f"tour-step-{theme}")


def test_a_share_page(themed: tuple[BrowserContext, str], share_slug: str, output_path: str
                      ) -> None:
    context, theme = themed
    page = context.new_page()
    page.goto(f"/s/{share_slug}")
    settled(page, ".xterm-rows")
    check(page, output_path, f"share-{theme}")
