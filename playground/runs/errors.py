"""JSON errors for the API: bad input is a 4xx JSON answer, never an HTML page or a 500."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import markcoroutinefunction
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse


def error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return JsonResponse({"error": body}, status=status)


class JsonErrorsMiddleware:
    """Turns the errors Django raises before a view runs into JSON for `/api/` paths."""

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
        if response.status_code == 404:
            return error(404, "not_found", "There is nothing at this address.")
        if response.status_code == 403:
            return error(403, "forbidden", "The request was refused: reload the page to get a "
                         "fresh CSRF token.")
        if response.status_code == 405:
            return error(405, "method_not_allowed", f"{request.method} is not allowed here.")
        if response.status_code == 400:
            return error(400, "bad_request", "The request could not be read.")
        return response

    async def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, RequestDataTooBig) and request.path.startswith("/api/"):
            return error(413, "too_large", "The request body is too large.")
        return None
