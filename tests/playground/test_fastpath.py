"""Each adaptation in playground/fastpath still fits the framework it adapts, and still pays.

A test here fails when an upgrade renames or reshapes what an adaptation overrides, makes a stock
method do more than the copy that replaces it, or takes away the adaptation's effect.
"""
from __future__ import annotations

import asyncio
import inspect
import pprint
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from asgiref.sync import SyncToAsync, iscoroutinefunction, sync_to_async
from celery import Celery
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.deprecation import MiddlewareMixin

from playground.fastpath import django as fast_django
from playground.fastpath.django import HttpHandler, pooled
from tests import aio
from tests.conftest import UNIT_REDIS_DB, redis_db

pytestmark = pytest.mark.urls(__name__)

seen: dict[str, Any] = {}


def sync_view(request: HttpRequest) -> HttpResponse:
    seen.setdefault("threads", []).append(threading.current_thread())
    if request.GET.get("query"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    return HttpResponse("ok")


async def async_view(request: HttpRequest) -> HttpResponse:
    seen["hops_before_view"] = list(seen.get("hops", []))
    return HttpResponse("ok")


urlpatterns = [path("sync", sync_view), path("async", async_view)]


@pytest.fixture(autouse=True)
def fresh_record() -> None:
    seen.clear()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions sent to a thread from the event loop (by sync_to_async), in order."""
    sent: list[str] = []
    seen["hops"] = sent
    real = SyncToAsync.__call__

    async def counted(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    return sent


def names_used(function: Callable[..., Any]) -> set[str]:
    """The global and attribute names a function's code (and its nested code) refers to."""
    found: set[str] = set()
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        found |= set(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return found


def params(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


def get(handler: ASGIHandler, url: str) -> int:
    """The status of GET `url` through an ASGI handler, as Daphne calls it."""
    return aio.run(_get(handler, url))


async def _get(handler: ASGIHandler, url: str) -> int:
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays until the handler is done
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    route, _, query = url.partition("?")
    scope = {"type": "http", "method": "GET", "path": route, "raw_path": route.encode(),
             "query_string": query.encode(), "headers": [(b"host", b"testserver")],
             "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 1),
             "root_path": ""}
    await handler(scope, receive, send)
    return int(sent[0]["status"])


# Django's ASGI handler.

@pytest.fixture
def close_the_views_connection() -> Iterator[None]:
    """The view's thread outlives the test: its connection would keep the test database open."""
    yield
    aio.run(sync_to_async(connections.close_all, thread_sensitive=True)())


def test_the_handler_overrides_what_django_still_calls() -> None:
    assert params(ASGIHandler.make_view_atomic) == ["self", "view"]
    assert "make_view_atomic" in names_used(BaseHandler._get_response_async)
    assert params(ASGIHandler.handle) == ["self", "scope", "receive", "send"]
    # The stock __call__ does nothing but what the handler's own does, and the thread context.
    assert names_used(ASGIHandler.__call__) == {"ValueError", "ThreadSensitiveContext", "handle"}


@pytest.mark.django_db(transaction=True)
def test_sync_views_share_one_thread_instead_of_a_fresh_one_per_request(
        close_the_views_connection: None) -> None:
    """Stock Django starts a thread per request and joins it after the response."""
    for handler in (HttpHandler(), ASGIHandler()):
        assert get(handler, "/sync") == 200
        assert get(handler, "/sync") == 200
    ours, stock = seen["threads"][:2], seen["threads"][2:]
    assert ours[0] is ours[1]
    assert stock[0] is not stock[1]


@pytest.mark.django_db(transaction=True)
def test_a_sync_view_has_its_connection_checked_in_its_own_thread_without_a_hop(
        monkeypatch: pytest.MonkeyPatch, close_the_views_connection: None) -> None:
    """Django checks a thread's connections (too old, or broken) when a request starts. Daphne's
    handler does it in the thread that runs the view, just before it, and not through a hop to
    another thread first. (Django's test client puts the receiver back after each of its
    requests, so the handler is built here as Daphne's is at start-up.)"""
    handler = HttpHandler()
    assert get(handler, "/sync?query=1") == 200  # the view's thread now holds a connection
    checks: list[threading.Thread] = []
    real = BaseDatabaseWrapper.close_if_unusable_or_obsolete

    def check(self: BaseDatabaseWrapper) -> None:
        checks.append(threading.current_thread())
        real(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "close_if_unusable_or_obsolete", check)
    assert get(handler, "/sync?query=1") == 200
    # Once before the view, once as the response closes (request_finished), both in its thread.
    assert checks == [seen["threads"][-1]] * 2
    # A receiver left on request_started would cost each request a hop to a thread and back.
    assert not signals.request_started.has_listeners(ASGIHandler)


# Django's middleware on the loop.

STOCK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

HOOKS = ("process_request", "process_view", "process_response", "process_exception",
         "process_template_response")


@pytest.mark.parametrize("adapted, hooks", [
    (fast_django.Security, {"process_request", "process_response"}),
    (fast_django.Session, {"process_request", "process_response"}),
    (fast_django.Locale, {"process_request", "process_response"}),
    (fast_django.Common, {"process_request", "process_response"}),
    (fast_django.Csrf, {"process_request", "process_view", "process_response"}),
    (fast_django.FrameOptions, {"process_response"}),
])
def test_each_middleware_has_the_sync_hooks_its_adapter_calls(adapted: type,
                                                              hooks: set[str]) -> None:
    stock = adapted.middleware
    assert {hook for hook in HOOKS if hasattr(stock, hook)} == hooks
    assert not any(iscoroutinefunction(getattr(stock, hook)) for hook in hooks)
    # Run on the loop, the stock middleware would do only what its adapter does, in hops.
    assert stock.__acall__ is MiddlewareMixin.__acall__
    assert names_used(MiddlewareMixin.__acall__) == {
        "hasattr", "process_request", "get_response", "process_response", "sync_to_async"}


@pytest.mark.django_db(transaction=True)  # stock Django and Channels check connections
def test_a_request_reaches_its_view_through_the_middleware_without_a_hop(
        settings: Any, hops: list[str], close_the_views_connection: None) -> None:
    assert get(HttpHandler(), "/async") == 200
    assert seen["hops_before_view"] == []
    settings.MIDDLEWARE = STOCK_MIDDLEWARE
    hops.clear()
    assert get(HttpHandler(), "/async") == 200
    # What the adapters save: a hop per middleware (Security runs in sync WhiteNoise's).
    assert len(seen["hops_before_view"]) >= len(STOCK_MIDDLEWARE) - 1


# `pooled`: sync API views on shared threads.

@pytest.mark.django_db(transaction=True)
def test_pooled_views_run_side_by_side_on_threads_that_keep_their_connections(
        settings: Any) -> None:
    """Django would run sync views one at a time on its one thread-sensitive thread."""
    settings.VIEWS_ON_SHARED_THREADS = True
    side_by_side = threading.Barrier(2, timeout=2)
    seen_by: dict[threading.Thread, list[object]] = {}

    @pooled
    def view(request: HttpRequest, close: bool = False) -> HttpResponse:
        side_by_side.wait()
        connection.ensure_connection()
        seen_by.setdefault(threading.current_thread(), []).append(connection.connection)
        if close:
            connections.close_all()
        return HttpResponse("ok")

    async def two_pairs_of_requests() -> None:
        for close in (False, True):
            await asyncio.gather(view(HttpRequest(), close=close), view(HttpRequest(), close=close))
            await asyncio.sleep(0.05)  # both threads are idle again before the next pair

    aio.run(two_pairs_of_requests())
    assert len(seen_by) == 2 and threading.current_thread() not in seen_by
    assert all(first is second for first, second in seen_by.values())


# WhiteNoise on the loop.

def test_whitenoise_still_has_what_static_files_uses() -> None:
    from whitenoise.middleware import WhiteNoiseMiddleware

    assert params(WhiteNoiseMiddleware.__init__)[:2] == ["self", "get_response"]
    assert params(WhiteNoiseMiddleware.serve) == ["static_file", "request"]
    assert params(WhiteNoiseMiddleware.find_file) == ["self", "url"]
    # The stock __call__ does what StaticFiles does, synchronously: one hop on the loop.
    assert names_used(WhiteNoiseMiddleware.__call__) == {
        "autorefresh", "find_file", "files", "get", "path_info", "serve", "get_response"}
    assert not getattr(WhiteNoiseMiddleware, "async_capable", False)


def test_static_files_are_answered_on_the_loop(settings: Any, tmp_path: Path,
                                               hops: list[str]) -> None:
    from playground.fastpath.whitenoise import StaticFiles

    settings.STATIC_ROOT = tmp_path
    (tmp_path / "app.js").write_text("hi")
    passed: list[str] = []

    async def get_response(request: HttpRequest) -> HttpResponse:
        passed.append(request.path_info)
        return HttpResponse(status=404)

    static = StaticFiles(get_response)
    assert "/static/app.js" in static.files
    for url, status in (("/static/app.js", 200), ("/api/runs", 404)):
        request = HttpRequest()
        request.method, request.path_info = "GET", url
        assert aio.run(static(request)).status_code == status
    assert passed == ["/api/runs"] and hops == []


# kombu's Redis transport.

def test_kombu_still_builds_a_channels_clients_in_create_client() -> None:
    from kombu.transport import redis as kombu_redis

    assert params(kombu_redis.Channel._create_client) == ["self", "asynchronous"]
    assert inspect.signature(kombu_redis.Channel._create_client).parameters[
        "asynchronous"].default is False
    # A publish takes its client from conn_or_acquire, which builds one each time.
    assert "conn_or_acquire" in names_used(kombu_redis.Channel._put)
    assert "_create_client" in names_used(kombu_redis.Channel.conn_or_acquire.__wrapped__)


@pytest.fixture
def publish(redis_server: str) -> Iterator[Callable[[str], int]]:
    """Sends 1 + 3 tasks through a Celery app on `transport`: the clients the 3 built."""
    url, queue = redis_db(redis_server, UNIT_REDIS_DB), "tests-web-broker"
    client = redis.Redis.from_url(url)

    def clients_built(transport: str) -> int:
        client.delete(queue)
        celery = Celery("tests", broker=url)
        celery.conf.update(broker_transport=transport, broker_connection_retry_on_startup=True)
        celery.send_task("trainer.execute_run", args=["r0", "print(1)", {}], queue=queue)
        def publish_three() -> None:
            for n in range(1, 4):
                celery.send_task("trainer.execute_run", args=[f"r{n}", "print(1)", {}],
                                 queue=queue)

        try:
            built = counting_clients(publish_three)
        finally:
            celery.close()
        assert client.llen(queue) == 4  # every message went out
        return built

    yield clients_built
    client.delete(queue)


def test_publishing_builds_no_new_redis_client_per_message(settings: Any,
                                                           publish: Callable[[str], int]) -> None:
    assert publish(settings.CELERY_BROKER_TRANSPORT) == 0
    assert publish("redis") == 3  # stock kombu: one per message


# django-redis's connection factory.

def test_django_redis_still_gets_each_cache_objects_client_from_the_factory() -> None:
    from django_redis import pool
    from django_redis.client import DefaultClient

    assert params(pool.ConnectionFactory.connect) == ["self", "url"]
    assert "connect" in names_used(DefaultClient.get_client)
    assert "connection_factory" in names_used(DefaultClient.connect)
    assert "CONNECTION_FACTORY" in names_used(pool.get_connection_factory) | set(
        pool.get_connection_factory.__code__.co_consts)


def counting_clients(make: Callable[[], object]) -> int:
    """How many redis-py clients `make` builds."""
    built: list[int] = []
    real_init = redis.Redis.__init__

    def counting_init(self: redis.Redis, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        real_init(self, *args, **kwargs)

    redis.Redis.__init__ = counting_init  # type: ignore[method-assign]
    try:
        make()
    finally:
        redis.Redis.__init__ = real_init  # type: ignore[method-assign]
    return len(built)


def test_a_cache_object_per_request_builds_no_redis_client_of_its_own(redis_server: str) -> None:
    """Django gives each request (each async context) a cache object of its own, as here."""
    from django.core.cache import CacheHandler

    from playground import settings as web_settings

    url = redis_db(redis_server, UNIT_REDIS_DB)

    def clients_built(factory: str) -> int:
        handler = CacheHandler({"default": {
            "BACKEND": "django_redis.cache.RedisCache", "LOCATION": url,
            "OPTIONS": {"CONNECTION_FACTORY": factory}}})
        handler.create_connection("default").get("fastpath-test")  # the process's first
        return counting_clients(lambda: [handler.create_connection("default").get(
            "fastpath-test") for _ in range(3)])

    options: Any = web_settings.CACHES["default"]["OPTIONS"]
    ours = options["CONNECTION_FACTORY"]
    assert ours == "playground.fastpath.django_redis.ConnectionFactory"
    assert clients_built(ours) == 0
    assert clients_built("django_redis.pool.ConnectionFactory") == 3  # stock: one per object


# Channels' consumer.

class Echo:
    """A socket that accepts, echoes one message and records its disconnect."""

    async def connect(self) -> None:
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data=text_data)

    async def disconnect(self, code: int) -> None:
        seen["closed"] = code


def echo_consumer(base: type) -> Any:
    return type("EchoConsumer", (Echo, base), {}).as_asgi()


async def echo_session(application: Any) -> None:
    from channels.testing import WebsocketCommunicator

    talk = WebsocketCommunicator(application, "/ws/echo")
    assert (await talk.connect())[0]
    await talk.send_to(text_data="hi")
    assert await talk.receive_from() == "hi"
    await talk.disconnect(code=1001)
    # The consumer ended itself (StopConsumer), rather than being cancelled after a timeout.
    assert talk.future.done() and not talk.future.cancelled()


def test_channels_still_dispatches_as_the_consumer_copy_does() -> None:
    from channels.consumer import AsyncConsumer, get_handler_name
    from channels.generic.websocket import AsyncWebsocketConsumer

    assert get_handler_name({"type": "websocket.receive"}) == "websocket_receive"
    with pytest.raises(ValueError, match="leading underscore"):
        get_handler_name({"type": "_private.call"})
    # The stock methods do what the copies do, plus the hop that closes connections.
    assert names_used(AsyncConsumer.dispatch) == {
        "get_handler_name", "getattr", "ValueError", "aclose_old_connections"}
    assert names_used(AsyncWebsocketConsumer.websocket_disconnect) == {
        "groups", "channel_layer", "group_discard", "channel_name", "AttributeError",
        "InvalidChannelLayerError", "disconnect", "aclose_old_connections", "StopConsumer"}


@pytest.mark.django_db(transaction=True)  # stock Django and Channels check connections
def test_a_socket_opens_talks_and_closes_without_a_thread_hop(
        hops: list[str], close_the_views_connection: None) -> None:
    from channels.generic.websocket import AsyncWebsocketConsumer

    from playground.fastpath.channels import HopFreeWebsocketConsumer

    aio.run(echo_session(echo_consumer(HopFreeWebsocketConsumer)))
    assert hops == [] and seen["closed"] == 1001
    aio.run(echo_session(echo_consumer(AsyncWebsocketConsumer)))
    assert len(hops) >= 3  # stock Channels: one per message, and one after the disconnect


# Autobahn's debug formatting.

def test_autobahn_options_are_formatted_only_when_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Daphne's WebSocket layer formats its options for a debug line on every socket: the
    formatting is deferred to when the line is written, and then reads as before."""
    from autobahn.websocket import protocol

    from playground.fastpath import autobahn

    assert "pformat" in names_used(protocol.WebSocketProtocol._connectionMade)
    monkeypatch.setattr(protocol, "pformat", protocol.pformat)
    autobahn.install()
    assert protocol.pformat is autobahn.FormattedWhenLogged
    options = [("openHandshakeTimeout", 5, "Factory"), ("autoPingInterval", 20, "Factory")]
    line = "\n{attrs}".format(attrs=protocol.pformat(options))  # noqa: UP032 - as txaio does
    assert line == "\n" + pprint.pformat(options)


def test_daphnes_application_is_wired_with_the_adaptations() -> None:
    from autobahn.websocket import protocol

    from playground import asgi
    from playground.fastpath import autobahn

    assert isinstance(asgi.application.application_mapping["http"], HttpHandler)
    assert protocol.pformat is autobahn.FormattedWhenLogged
