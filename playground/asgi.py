"""The ASGI entry point for Daphne: Django for HTTP, Channels consumers for WebSockets."""
import gc
import os
import pprint
from typing import Any

import django
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
django.setup(set_prefix=False)


class HttpHandler(ASGIHandler):
    """Django's ASGI handler, without a fresh thread for each request.

    Django gives every request its own thread for thread-sensitive work, started by the
    request_started signal's receivers and joined after the response. Measured here, that tail
    kept the POST's handler busy ~4 ms past its response, and the socket a page opens right
    after its POST reached its consumer ~2 ms later than without it. Without that context,
    thread-sensitive work (sync page views, the signals' receivers) runs on one long-lived
    thread, which also keeps its database connection between requests."""

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
