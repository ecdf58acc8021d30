"""The middleware stack, async from end to end.

Under ASGI, Django runs a sync middleware hook in a thread and hops back to the event loop for the
next layer; a request through the stock stack crossed between the loop and a fresh thread about
eight times before its view ran (DESIGN §8: the hops were half the cost of POST /api/runs).
The hooks of the middleware below do no I/O, so they run on the loop, inline. The one hook that
may do I/O, saving a changed session, still goes to a thread.
"""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

GetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


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


class StaticFiles(WhiteNoiseMiddleware):  # type: ignore[misc]
    """WhiteNoise answers from its in-memory table of files found at start-up."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        super().__init__(get_response)
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.autorefresh:
            static_file = await sync_to_async(self.find_file)(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return self.serve(static_file, request)  # type: ignore[no-any-return]
        return await self.get_response(request)


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
