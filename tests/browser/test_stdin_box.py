"""The Input box under the editor, against the real stack: closed until opened, what input()
reads, kept with the code across a reload until Reset, a hint when the input runs out, and its
labels in Japanese."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scripts.stack import Stack
from tests.browser.pages import output_text, set_code, workspace

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 60_000
CODE = "name = input('name? ')\nprint('hello', name)\nprint(input())\n"


def finished(page: Page, outcome: str) -> None:
    expect(page.locator(".pg-status")).to_have_attribute("data-status", outcome,
                                                         timeout=RUN_TIMEOUT)


def test_input_reads_the_box_which_stays_with_the_code(page: Page, live_stack: Stack,
                                                       shot: Any) -> None:
    workspace(page, live_stack.url)
    box = page.locator("details.pg-stdin")
    expect(box).not_to_have_attribute("open", "")
    expect(page.locator(".pg-stdin-text")).to_be_hidden()
    set_code(page, CODE)
    page.click("[data-action=run]")
    finished(page, "failed")
    expect(page.locator(".pg-error-type")).to_have_text("EOFError")
    expect(page.locator(".pg-error-message")).to_contain_text("Input box under the editor")

    page.click(".pg-stdin-summary")
    page.fill(".pg-stdin-text", "Ada\nsecond line\n")
    expect(page.locator(".pg-stdin-count")).to_contain_text("of 64 KiB")
    page.click("[data-action=run]")
    finished(page, "succeeded")
    assert "name? hello Ada" in output_text(page) and "second line" in output_text(page)
    shot("stdin")

    page.reload()
    page.wait_for_selector(".cm-content")
    expect(box).to_have_attribute("open", "")
    expect(page.locator(".pg-stdin-text")).to_have_value("Ada\nsecond line\n")
    page.click("[data-action=reset]")
    expect(page.locator(".pg-stdin-text")).to_have_value("")


def test_the_box_is_labelled_in_japanese(page: Page, live_stack: Stack) -> None:
    workspace(page, live_stack.url)
    with page.expect_navigation():
        page.select_option("#pg-language-select", "ja")
    page.wait_for_selector(".cm-content")
    expect(page.locator(".pg-stdin-summary")).to_contain_text("入力")
    expect(page.locator(".pg-stdin-text")).to_have_attribute(
        "placeholder", "input() を 1 回呼ぶごとに 1 行")
    with page.expect_navigation():
        page.select_option("#pg-language-select", "en")
