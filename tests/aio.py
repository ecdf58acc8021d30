"""Running a coroutine from a sync test, whatever loop the thread already runs.

Playwright's sync API keeps an event loop running in the main thread for the rest of the session
once a browser test has run, and asyncio refuses a second one there: a thread of its own has none.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    """asyncio.run(coro), in a thread with no loop of its own yet."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()  # type: ignore[arg-type]


def in_thread(function: Callable[..., T], *args: Any) -> T:
    """function(*args) in a fresh thread, for code that makes and drives its own loops."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()
