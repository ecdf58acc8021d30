"""The errors Django answers before an API view runs, as the API's JSON errors (playground.api)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import markcoroutinefunction
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from playground.api import error


class JsonErrorsMiddleware:
    """Turns Django's own 400, 403, 404 and 405 pages, and a body over Django's limit, into JSON
    for `/api/` paths: bad input is a 4xx JSON answer there, never an HTML page or a 500."""

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
        if isinstance(exc, RequestDataTooBig) and request.path.startswith("/api/"):
            return error(413, "too_large", "The request body is over the size limit.")
        return None


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
