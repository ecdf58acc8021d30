"""Browser test fixtures: Debian's Chromium for pytest-playwright, the stand-in page for the
workspace's own tests, and helpers shared by the live-stack tests (screenshots, the editor)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.standin import CHROMIUM, CHROMIUM_ARGS, standin_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # The system browser: `playwright install` downloads are not possible here.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def standin() -> Iterator[str]:
    """Base URL of the stand-in page (built bundles, no backend)."""
    with standin_server({"code": "", "mode": "eager", "device": "auto"}) as base:
        yield base


@pytest.fixture
def shot(page: Page, output_path: str) -> Any:
    """shot("name") saves a full-page screenshot in this test's output folder."""
    folder = Path(output_path)

    def save(name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
