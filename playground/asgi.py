"""The ASGI entry point for Daphne: Django for HTTP, Channels consumers for WebSockets."""
import functools
import gc
import os
import pprint
from collections.abc import Callable
from typing import Any

import django
from asgiref.sync import iscoroutinefunction
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections, reset_queries

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
django.setup(set_prefix=False)


class HttpHandler(ASGIHandler):
    """Django's ASGI handler, without a fresh thread for each request.

    Django gives every request its own thread for thread-sensitive work, started by the
    request_started signal's receivers and joined after the response. Measured here, that tail
    kept the POST's handler busy ~4 ms past its response, and the socket a page opens right
    after its POST reached its consumer ~2 ms later than without it. Without that context,
    thread-sensitive work (sync page views, the signals' receivers) runs on one long-lived
    thread, which also keeps its database connection between requests.

    Django's `request_started` receivers check the database connections of the thread they run
    in, and an ASGI handler sends that signal through a hop to the sync thread and back (~0.45
    ms of each POST /api/runs here). They run instead in the thread of each sync view, just
    before it; `pooled` views make the same check in their own thread."""

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


django_asgi_app = HttpHandler()

from autobahn.websocket import protocol as autobahn_protocol  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from playground.routing import websocket_urlpatterns  # noqa: E402


class FormattedWhenLogged:
    """`pprint.pformat(obj)`, computed when a log line is written, not when it is filtered out."""

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __str__(self) -> str:
        return pprint.pformat(self.obj)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


# Autobahn (Daphne's WebSocket layer) pretty-prints its ~30 protocol options into a debug log
# call for every socket it opens, whether debug logging is on or not: ~0.7 ms of CPU per run.
autobahn_protocol.pformat = FormattedWhenLogged  # type: ignore[assignment]

# What start-up allocated lives as long as the process: keep the collector off it, which
# halves the longest GC pauses on the run path (DESIGN §8).
gc.collect()
gc.freeze()

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(
        # The socket needs the session's key only, never its data: no session is loaded.
        CookieMiddleware(URLRouter(websocket_urlpatterns))
    ),
})
