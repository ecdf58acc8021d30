"""Daphne's Django handler: the connection check of `request_started`, in the view's thread."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.urls import path

from playground.asgi import HttpHandler

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

seen: dict[str, Any] = {}


def sync_view(request: HttpRequest) -> HttpResponse:
    seen["view_thread"] = threading.get_ident()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok")


urlpatterns = [path("sync", sync_view)]


@pytest.fixture(autouse=True)
def close_the_views_connection() -> Iterator[None]:
    """The view's thread outlives the test: its connection would keep the test database open."""
    yield
    asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())


def get(handler: HttpHandler, url: str) -> int:
    """The status of GET `url` through the ASGI handler Daphne runs."""
    return asyncio.run(_get(handler, url))


async def _get(handler: HttpHandler, url: str) -> int:
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays until the handler is done
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": url, "raw_path": url.encode(),
             "query_string": b"", "headers": [(b"host", b"testserver")], "scheme": "http",
             "server": ("testserver", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    await handler(scope, receive, send)
    return int(sent[0]["status"])


def test_a_sync_view_has_its_connection_checked_in_its_own_thread_without_a_hop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Django checks a thread's connections (too old, or broken) when a request starts. Daphne's
    handler does it in the thread that runs the view, just before it, and not through a hop to
    another thread first. (Django's test client puts the receiver back after each of its
    requests, so the handler is built here as Daphne's is at start-up.)"""
    handler = HttpHandler()
    assert get(handler, "/sync") == 200  # the view's thread now holds a connection
    checks: list[int] = []
    real = BaseDatabaseWrapper.close_if_unusable_or_obsolete

    def check(self: BaseDatabaseWrapper) -> None:
        checks.append(threading.get_ident())
        real(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "close_if_unusable_or_obsolete", check)
    assert get(handler, "/sync") == 200
    # Once before the view, once as the response closes (request_finished), both in its thread.
    assert checks == [seen["view_thread"]] * 2
    # A receiver left on request_started would cost each request a hop to a thread and back.
    assert not signals.request_started.has_listeners(ASGIHandler)
