"""Django under Daphne with fewer thread hops: the ASGI handler, on-loop middleware, `pooled`.

Under ASGI, Django runs each sync piece of a request (a signal's receivers, a middleware hook, a
view) in a thread and hops back to the event loop after it. The pieces adapted here either only
compute, so they run on the loop, or do I/O, and then run in one hop, in a thread that keeps its
database connection.
"""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections, reset_queries
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware

GetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class HttpHandler(ASGIHandler):
    """Django's ASGI handler without a fresh thread per request or a hop for `request_started`.

    Django gives every request a thread of its own for thread-sensitive work, joined after the
    response; without it, that work (sync page views, signal receivers) runs on one long-lived
    thread, which keeps its database connection between requests. `request_started`'s receivers
    check the connections of the thread they run in: they run in each sync view's thread, just
    before the view, instead (`pooled` views make the same check in theirs)."""

    def __init__(self) -> None:
        super().__init__()
        signals.request_started.disconnect(reset_queries)
        signals.request_started.disconnect(close_old_connections)

    def make_view_atomic(self, view: Callable[..., Any]) -> Callable[..., Any]:
        view = super().make_view_atomic(view)
        if iscoroutinefunction(view):
            return view

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            reset_queries()
            close_old_connections()
            return view(*args, **kwargs)
        return checked

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle HTTP, not {scope['type']}")
        await self.handle(scope, receive, send)


class OnLoop:
    """Runs a Django middleware's request and response hooks on the event loop.

    Only for middleware whose hooks are pure computation on the request and response."""

    sync_capable = False
    async_capable = True
    middleware: type

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.inner = self.middleware(get_response)
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if hasattr(self.inner, "process_request"):
            response = self.inner.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self.inner, "process_response"):
            response = self.respond(request, response)
        return response

    def respond(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return self.inner.process_response(request, response)  # type: ignore[no-any-return]


class Security(OnLoop):
    middleware = SecurityMiddleware


class Locale(OnLoop):
    middleware = LocaleMiddleware


class Common(OnLoop):
    middleware = CommonMiddleware


class FrameOptions(OnLoop):
    middleware = XFrameOptionsMiddleware


class Csrf(OnLoop):
    middleware = CsrfViewMiddleware

    async def process_view(self, request: HttpRequest, view: Callable[..., Any],
                           args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self.inner.process_view(request, view, args, kwargs)


class Session(OnLoop):
    """Sessions load lazily (in the view's thread, if the view reads them); a session the view
    changed is saved in a thread."""

    middleware = SessionMiddleware

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        self.inner.process_request(request)
        response = await self.get_response(request)
        session = request.session  # type: ignore[attr-defined]
        if session.modified or settings.SESSION_SAVE_EVERY_REQUEST:
            return await sync_to_async(self.respond)(request, response)  # type: ignore[no-any-return]
        return self.respond(request, response)


def pooled(view: Callable[..., HttpResponse]) -> Callable[..., Coroutine[Any, Any, HttpResponse]]:
    """A sync view run on the shared thread pool in one hop.

    Django would give each request a fresh thread, so a fresh database connection; threads of the
    pool keep theirs, checked and aged per request as Django does for its own threads. With
    VIEWS_ON_SHARED_THREADS off (the in-process tests), the view runs in the caller's thread,
    inside the test's transaction."""

    def in_thread(*args: Any, **kwargs: Any) -> HttpResponse:
        close_old_connections()
        return view(*args, **kwargs)

    shared = sync_to_async(in_thread, thread_sensitive=False)
    callers = sync_to_async(view, thread_sensitive=True)

    @functools.wraps(view)
    async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        hop = shared if settings.VIEWS_ON_SHARED_THREADS else callers
        return await hop(request, *args, **kwargs)

    return wrapper
