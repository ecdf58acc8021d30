"""The errors Django answers around an API view, as the API's JSON errors (playground.api): its
own 4xx pages, and a Redis or database that does not answer."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import redis
from asgiref.sync import markcoroutinefunction
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from playground.api import error

log = logging.getLogger(__name__)
# What an outage looks like from here; any other failure of Redis or the database is answered
# the same way but logged with its traceback, since it may be a bug rather than an outage.
OUTAGES = (redis.ConnectionError, redis.TimeoutError, OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class JsonErrorsMiddleware:
    """Turns Django's own 400, 403, 404 and 405 pages, and a body over Django's limit, into JSON
    for `/api/` paths: bad input is a 4xx JSON answer there, never an HTML page or a 500. A view
    that meets Redis or the database down answers 503 `unavailable` with a Retry-After."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Awaitable[HttpResponse]]) -> None:
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        response = await self.get_response(request)
        if not request.path.startswith("/api/") or response.get("Content-Type", "").startswith(
                "application/json"):
            return response
        return as_json(request, response)

    async def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exc, RequestDataTooBig):
            return error(413, "too_large", "The request body is over the size limit.")
        if isinstance(exc, redis.RedisError | DatabaseError):
            return unavailable(request, exc)
        return None


def unavailable(request: HttpRequest, exc: Exception) -> JsonResponse:
    """503 `unavailable`: Redis or the database did not answer this request."""
    what = "Redis" if isinstance(exc, redis.RedisError) else "the database"
    if isinstance(exc, OUTAGES):
        log.warning("%s %s: %s does not answer (%s: %s)", request.method, request.path, what,
                    type(exc).__name__, exc)
    else:
        log.error("%s %s: %s failed", request.method, request.path, what, exc_info=exc)
    answer = error(503, "unavailable", "The playground cannot reach its storage right now. "
                   f"Try again in {RETRY_AFTER_SECONDS} seconds.")
    answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


def as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Django's non-JSON answer as the API's JSON error, when it is one of those."""
    if response.status_code == 404:
        return error(404, "not_found", "There is nothing at this address.")
    if response.status_code == 403:
        return error(403, "forbidden", "The request was refused: reload the page to get a "
                     "fresh CSRF token.")
    if response.status_code == 405:
        refused = error(405, "method_not_allowed", f"{request.method} is not allowed here.")
        if response.has_header("Allow"):
            refused["Allow"] = response["Allow"]
        return refused
    if response.status_code == 400:
        return error(400, "bad_request", "The request could not be read.")
    return response
