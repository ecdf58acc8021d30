"""The ASGI entry point for Daphne: Django for HTTP, Channels consumers for WebSockets."""
import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from playground.fastpath import autobahn  # noqa: E402
from playground.fastpath.django import HttpHandler  # noqa: E402
from playground.routing import websocket_urlpatterns  # noqa: E402
from playground.security import SameOriginWebSocket, check_secret_key  # noqa: E402

check_secret_key()
autobahn.install()

application = ProtocolTypeRouter({
    "http": HttpHandler(),
    "websocket": SameOriginWebSocket(
        # The socket needs the session's key only, never its data: no session is loaded.
        CookieMiddleware(URLRouter(websocket_urlpatterns))
    ),
})

# What start-up allocated lives as long as the process: keep the collector off it, which
# halves the longest GC pauses on the run path (DESIGN §8).
gc.collect()
gc.freeze()
