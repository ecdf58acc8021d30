"""Daphne's application for bench/fastpath_ab.py: playground.asgi with the adaptations of
playground/fastpath named in FASTPATH_OFF (comma-separated, see SWITCHES in fastpath_ab.py) put
back to stock."""
from __future__ import annotations

import os
import pprint
from typing import Any

from bench.fastpath_ab import SWITCHES
from playground import settings as web_settings

STOCK_MIDDLEWARE = {
    "playground.fastpath.django.Security": "django.middleware.security.SecurityMiddleware",
    "playground.fastpath.django.Session": "django.contrib.sessions.middleware.SessionMiddleware",
    "playground.fastpath.django.Locale": "django.middleware.locale.LocaleMiddleware",
    "playground.fastpath.django.Common": "django.middleware.common.CommonMiddleware",
    "playground.fastpath.django.Csrf": "django.middleware.csrf.CsrfViewMiddleware",
    "playground.fastpath.django.FrameOptions":
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
}
STOCK_WHITENOISE = {"playground.fastpath.whitenoise.StaticFiles":
                    "whitenoise.middleware.WhiteNoiseMiddleware"}


def switched_off() -> set[str]:
    off = {name for name in os.environ.get("FASTPATH_OFF", "").split(",") if name}
    unknown = off - set(SWITCHES)
    if unknown:
        raise SystemExit(f"FASTPATH_OFF: unknown {sorted(unknown)}; known: {sorted(SWITCHES)}")
    return off


def stock_settings(off: set[str]) -> None:
    """Swap settings before Django reads them (django.setup in playground.asgi)."""
    swaps: dict[str, str] = {}
    if "middleware" in off:
        swaps.update(STOCK_MIDDLEWARE)
    if "whitenoise" in off:
        swaps.update(STOCK_WHITENOISE)
    web_settings.MIDDLEWARE = [swaps.get(m, m) for m in web_settings.MIDDLEWARE]
    if "pooled" in off:
        web_settings.VIEWS_ON_SHARED_THREADS = False
    if "kombu" in off:
        web_settings.CELERY_BROKER_TRANSPORT = "redis"
    if "django_redis" in off:
        web_settings.CACHES = {"default": {**web_settings.CACHES["default"], "OPTIONS": {}}}


def stock_wiring(off: set[str], application: Any) -> None:
    """Put back what playground.asgi installed at import."""
    from autobahn.websocket import protocol
    from channels.consumer import AsyncConsumer
    from channels.generic.websocket import AsyncWebsocketConsumer
    from django.core import signals
    from django.core.handlers.asgi import ASGIHandler
    from django.db import close_old_connections, reset_queries

    from playground.runs.consumers import RunConsumer

    if off & {"handler", "view-check"}:
        signals.request_started.connect(reset_queries)
        signals.request_started.connect(close_old_connections)
    http = application.application_mapping["http"]
    if "handler" in off:
        application.application_mapping["http"] = ASGIHandler()
    elif "view-check" in off:
        http.make_view_atomic = lambda view: ASGIHandler.make_view_atomic(http, view)
    if "consumer" in off:
        RunConsumer.dispatch = AsyncConsumer.dispatch  # type: ignore[method-assign]
        RunConsumer.websocket_disconnect = (  # type: ignore[method-assign]
            AsyncWebsocketConsumer.websocket_disconnect)
    if "autobahn" in off:
        protocol.pformat = pprint.pformat


OFF = switched_off()
stock_settings(OFF)

from playground.asgi import application  # noqa: E402

stock_wiring(OFF, application)
