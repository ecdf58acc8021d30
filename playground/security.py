"""The site's own walls besides the sandbox: same-origin run sockets and a real secret key."""
from __future__ import annotations

from typing import Any

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http.request import split_domain_port, validate_host


def check_secret_key() -> None:
    """A server without DEBUG refuses to start with the published default key: anyone could
    sign session cookies with it."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_DEFAULT_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is the published default: set SECRET_KEY to a long random string "
            "(`make run` makes one in .run/secret_key), or DEBUG=1 on a laptop.")


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _scheme(scope: dict[str, Any]) -> str:
    """http or https, as the page that opened the socket was served."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy and _header(scope, proxy[0][5:].lower().replace("_", "-").encode()) == proxy[1]:
        return "https"
    return "https" if scope.get("scheme") == "wss" else "http"


def same_origin(scope: dict[str, Any]) -> bool:
    """Whether a socket's Origin is the site itself (scheme, host and port), or a trusted
    origin: a page of another origin, even on an allowed host, may not open it."""
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    return origin == f"{_scheme(scope)}://{host}" or origin in settings.CSRF_TRUSTED_ORIGINS


class SameOriginWebSocket:
    """ASGI middleware: refuses the handshake of a socket opened from another origin."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)
