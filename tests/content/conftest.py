"""Fixtures for the content tests: the parsed content folder and throw-away copies of it."""

import shutil
from pathlib import Path

import pytest

from playground.concepts.source import CONTENT_ROOT, Content, read_content


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sandbox: runs code in the real sandbox (needs run_snippet)")


@pytest.fixture(scope="session")
def content() -> Content:
    return read_content()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the content folder that a test may break or trim."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT, target)
    return target
