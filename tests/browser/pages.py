"""Helpers for driving the workspace in a browser test: open it, set code, read what it shows."""
from __future__ import annotations

from playwright.sync_api import Page


def workspace(page: Page, base: str, path: str = "/play") -> None:
    """Opens a page with a workspace and waits until it is mounted."""
    page.goto(base + path)
    page.wait_for_function("() => document.getElementById('workspace')?.pgWorkspace")
    page.wait_for_selector(".cm-content")


def set_code(page: Page, code: str) -> None:
    """Replaces the editor's text the way a paste would (no auto-closed brackets)."""
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def output_text(page: Page) -> str:
    return str(page.evaluate("() => document.getElementById('workspace').pgWorkspace.outputText()"))


def status(page: Page) -> str:
    return str(page.get_attribute(".pg-status", "data-status"))
