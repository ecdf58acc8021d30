"""The learning pages in headless Chromium against the live stack: the concept map, opening an
example in the editor and running it, a checked tour step, progress kept across a reload, and
the Japanese interface. Each test leaves a screenshot in its output folder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.stack import ROOT, Stack

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 90_000
# Check kinds that a program printing one unrelated line cannot satisfy.
FAILS_ON_WRONG_OUTPUT = {
    "stdout_contains",
    "error",
    "event",
    "graph_has_op",
    "metric",
    "model_params",
}
WRONG_ANSWER = 'print("this is not the answer")\n'


@pytest.fixture(scope="module")
def site(live_stack: Stack) -> str:
    """The live stack's base URL, with the content files loaded into its database."""
    subprocess.run(
        [sys.executable, "manage.py", "load_content", "--verbosity", "0"],
        cwd=ROOT,
        env=live_stack.env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return live_stack.url


@pytest.fixture(scope="module")
def api(site: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site, timeout=30) as client:
        yield client


def open_page(
    browser: Browser, site: str, width: int = 1400, height: int = 900, lang: str | None = None
) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=site)
    if lang:
        context.add_cookies([{"name": "django_language", "value": lang, "url": site + "/"}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def shot(page: Page, output_path: Path, name: str) -> None:
    Path(output_path).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(output_path) / f"{name}.png"), full_page=True)


def set_editor_code(page: Page, code: str) -> None:
    editor = page.locator(".cm-content").first
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    editor.fill(code)


def terminal(page: Page) -> Any:
    return page.locator(".pg-terminal .xterm-rows").first


def runnable_example(api: httpx.Client) -> tuple[str, int, dict[str, Any], str]:
    """A concept, the index of an eager example of it that prints a known line, and that line."""
    for summary in api.get("/api/concepts").json():
        concept = api.get(f"/api/concepts/{summary['slug']}").json()
        for index, example in enumerate(concept["examples"]):
            if example.get("mode", "eager") != "eager":
                continue
            kinds = {check.get("kind") for check in example["expect"]}
            printed = [c["text"] for c in example["expect"] if c.get("kind") == "stdout_contains"]
            if printed and "error" not in kinds and "\n" not in printed[0]:
                return concept["slug"], index, example, printed[0]
    pytest.fail("no concept has an eager example that prints a known line")


def exercise_step(api: httpx.Client) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """A tour step with a solution and a check that a wrong program cannot pass."""
    for summary in api.get("/api/tours").json():
        tour = api.get(f"/api/tours/{summary['slug']}").json()
        for number, step in enumerate(tour["steps"], 1):
            checks = step.get("check") or []
            if step.get("solution") and any(c["kind"] in FAILS_ON_WRONG_OUTPUT for c in checks):
                return tour, number, step
    pytest.fail("no tour step has a solution and a check that a wrong answer fails")


def test_it_draws_the_map_of_22_concepts_and_opens_one(
    browser: Browser, site: str, api: httpx.Client, output_path: Path
) -> None:
    concepts = api.get("/api/concepts").json()
    assert len(concepts) == 22
    page = open_page(browser, site)
    page.goto("/")
    concept_map = page.locator("[data-map]")
    expect(concept_map).to_have_attribute("data-concepts", "22")
    assert int(concept_map.get_attribute("data-relations") or 0) > 0
    concept_map.scroll_into_view_if_needed()
    shot(page, output_path, "home-map")

    target = concepts[1]
    where = page.evaluate("slug => window.conceptMap.positionOf(slug)", target["slug"])
    scroll = page.evaluate("[window.scrollX, window.scrollY]")
    page.mouse.move(where["x"] - scroll[0], where["y"] - scroll[1])
    expect(page.locator("[data-map-caption]")).to_contain_text(target["title"]["en"])
    page.mouse.click(where["x"] - scroll[0], where["y"] - scroll[1])
    page.wait_for_url(f"**/concepts/{target['slug']}")
    expect(page.locator("[data-concept-article] h1")).to_have_text(target["title"]["en"])
    shot(page, output_path, "concept-opened")


def test_it_lists_the_concepts_on_a_narrow_screen(
    browser: Browser, site: str, output_path: Path
) -> None:
    page = open_page(browser, site, width=360, height=740)
    page.goto("/")
    expect(page.locator("[data-map]")).to_be_hidden()
    links = page.locator("[data-list] a.concept-chip")
    expect(links).to_have_count(22)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 360px"
    shot(page, output_path, "home-360")
    links.first.click()
    page.wait_for_url("**/concepts/*")


def test_it_opens_an_example_in_the_editor_and_runs_it(
    browser: Browser, site: str, api: httpx.Client, output_path: Path
) -> None:
    slug, index, example, printed = runnable_example(api)
    page = open_page(browser, site)
    page.goto(f"/concepts/{slug}")
    expect(page.locator("[data-learn-concept]")).to_have_attribute("data-ready", "true")
    card = page.locator(".example").nth(index)
    expect(card.locator(".expectation")).to_contain_text(printed[:20])
    play_link = card.locator("a", has_text="Open in the playground")
    assert f"concept={slug}" in (play_link.get_attribute("href") or "")

    set_editor_code(page, "# scratch\n")
    card.locator("[data-open-example]").click()
    first_line = next(line for line in example["code"].splitlines() if line.strip())
    expect(page.locator(".cm-content").first).to_contain_text(first_line.strip())
    expect(page.locator("[data-editing]")).to_contain_text(example["title"]["en"])

    page.locator("[data-action=run]").first.click()
    expect(terminal(page)).to_contain_text(printed[:30], timeout=RUN_TIMEOUT_MS)
    shot(page, output_path, "example-ran")


def test_a_wrong_answer_fails_its_check_and_the_solution_passes(
    browser: Browser, site: str, api: httpx.Client, output_path: Path
) -> None:
    tour, number, step = exercise_step(api)
    page = open_page(browser, site)
    page.goto(f"/tours/{tour['slug']}/{number}")
    expect(page.locator("[data-learn-step]")).to_have_attribute("data-ready", "true")

    set_editor_code(page, WRONG_ANSWER)
    page.locator("[data-check]").click()
    expect(page.locator(".check-status")).to_have_class(
        "check-status failed", timeout=RUN_TIMEOUT_MS
    )
    failed = page.locator(".check-results li.failed")
    expect(failed.first).to_be_visible()
    for check in step["check"]:
        if check["kind"] in FAILS_ON_WRONG_OUTPUT and check.get("message"):
            expect(page.locator(".check-results")).to_contain_text(check["message"]["en"])
    shot(page, output_path, "check-failed")

    if step.get("hints"):
        page.locator("[data-hint]").click()
        expect(page.locator("[data-hints] li")).to_have_count(1)
    page.locator("[data-reveal-solution]").click()
    page.locator("dialog button[value=yes]").click()
    expect(page.locator("[data-solution]")).to_be_visible()
    page.locator("[data-use-solution]").click()
    page.locator("[data-check]").click()
    expect(page.locator(".check-status")).to_have_class(
        "check-status passed", timeout=RUN_TIMEOUT_MS
    )
    expect(page.locator(".check-results li.failed")).to_have_count(0)
    shot(page, output_path, "check-passed")


def test_tour_progress_survives_a_reload(
    browser: Browser, site: str, api: httpx.Client, output_path: Path
) -> None:
    tour, number, _step = exercise_step(api)
    page = open_page(browser, site)
    page.goto(f"/tours/{tour['slug']}/{number}")
    expect(page.locator("[data-learn-step]")).to_have_attribute("data-ready", "true")
    page.locator("[data-reveal-solution]").click()
    page.locator("dialog button[value=yes]").click()
    page.locator("[data-use-solution]").click()
    page.locator("[data-check]").click()
    expect(page.locator(".check-status")).to_have_class(
        "check-status passed", timeout=RUN_TIMEOUT_MS
    )

    page.reload()
    expect(page.locator("[data-learn-step]")).to_have_attribute("data-ready", "true")
    segment = page.locator(".tour-segments .segment").nth(number - 1)
    expect(segment).to_have_class("segment done current")
    expect(page.locator(".tour-bar-text")).to_contain_text(f"1 of {len(tour['steps'])}")

    page.goto("/")
    card = page.locator(f".tour-card[data-tour='{tour['slug']}']")
    expect(card).to_contain_text(f"1 of {len(tour['steps'])}")
    expect(card.locator("progress")).to_have_attribute("value", "1")
    shot(page, output_path, "home-progress")


def test_it_speaks_japanese_after_switching_language(
    browser: Browser, site: str, api: httpx.Client, output_path: Path
) -> None:
    concepts = api.get("/api/concepts").json()
    page = open_page(browser, site)
    page.goto("/")
    expect(page.locator("#concept-map-title")).to_have_text("Concept map")
    page.locator("#pg-language-select").select_option("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#concept-map-title")).to_have_text("コンセプトマップ")
    page.locator("[data-view-button=list]").click()
    expect(page.locator("[data-list]")).to_contain_text(concepts[0]["title"]["ja"])
    expect(page.locator("[data-map-caption]")).to_be_hidden()
    shot(page, output_path, "home-ja")

    page.goto(f"/concepts/{concepts[0]['slug']}")
    expect(page.locator("[data-concept-article] h1")).to_have_text(concepts[0]["title"]["ja"])
    expect(page.locator("[data-concept-article]")).to_contain_text("やさしく言うと")
    expect(page.locator("[data-open-example]").first).to_have_text("エディタで開く")
    shot(page, output_path, "concept-ja")


def test_markup_in_content_stays_inert(
    browser: Browser, site: str, api: httpx.Client, output_path: Path
) -> None:
    slug = api.get("/api/concepts").json()[0]["slug"]
    concept = api.get(f"/api/concepts/{slug}").json()
    concept["definition"]["en"] = (
        "Payloads: <script>window.pwned = 1</script> <img src=x onerror='window.pwned = 2'> "
        "[click](javascript:window.pwned=3) $\\href{javascript:window.pwned=4}{tex}$ "
        "and a [related concept](concept:tensor)."
    )
    page = open_page(browser, site)
    page.route(f"**/api/concepts/{slug}", lambda route: route.fulfill(json=concept))
    page.goto(f"/concepts/{slug}")
    article = page.locator("[data-concept-article]")
    expect(article).to_contain_text("<script>window.pwned = 1</script>")
    expect(article.locator("script, img, iframe")).to_have_count(0)
    expect(article.locator("a[href^='javascript']")).to_have_count(0)
    expect(article.locator(".definition a.concept-link")).to_have_attribute(
        "href", "/concepts/tensor"
    )
    for link in article.locator(".katex a").all():
        assert not (link.get_attribute("href") or "").startswith("javascript")
    assert page.evaluate("window.pwned") is None
    shot(page, output_path, "inert-markup")
