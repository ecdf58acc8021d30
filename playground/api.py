"""The JSON API's common shape: its error answer and codes, and the decorators its views share.

Every API error is `{"error": {"code", "message", "field"?}}` with a 4xx status (DESIGN §3). The
code says what kind of failure it is and so what a client can do about it; the message says which
thing or why, in a sentence a person can read; `field` names the body field at fault.

Decorators pass what they read to the view as keyword arguments (`body`, `session_key`), so they
stack in any order. `allow` works on sync and async views; the others read the request body or the
session, which may block, so they wrap the sync view (inside `pooled`, for the run API).
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from asgiref.sync import iscoroutinefunction
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

Code = Literal[
    "bad_request",  # 400: Django could not read the request at all
    "bad_json",  # 400: the body is not a JSON object
    "missing",  # 400, with `field`: a required field is absent
    "invalid",  # 400, with `field`: a field has the wrong type or value
    "forbidden",  # 403: the CSRF check refused the request
    "not_found",  # 404: no such thing, or not this browser session's; the message names it
    "method_not_allowed",  # 405, with an Allow header
    "not_finished",  # 409: the run has not ended yet; ask again once it has
    "finished",  # 409: the run has ended already, so there is nothing to cancel
    "too_large",  # 413: the body, the code or the run's record is over its limit
    "rate_limited",  # 429: this browser session did that too often; wait
    "no_worker",  # 503, with `field` "device": no live worker serves that device class
    "unavailable",  # 503, with Retry-After: Redis or the database does not answer; try again
]

View = TypeVar("View", bound=Callable[..., Any])
SyncView = Callable[..., HttpResponse]


def error(status: int, code: Code, message: str, field: str | None = None) -> JsonResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return JsonResponse({"error": body}, status=status)


def not_found(what: str) -> JsonResponse:
    """The answer for any missing thing; `what` names it: "run 'x' in this browser session"."""
    return error(404, "not_found", f"There is no {what}.")


class ApiError(Exception):
    """Bad input found by a `check_*` helper; the view answers with `response()`."""

    def __init__(self, status: int, code: Code, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JsonResponse:
        return error(self.status, self.code, self.message, self.field)


def allow(*methods: str) -> Callable[[View], View]:
    """Any other method gets 405 `method_not_allowed` with an Allow header, and the view never
    runs."""
    allowed = ", ".join(methods)

    def refusal(request: HttpRequest) -> JsonResponse | None:
        if request.method in methods:
            return None
        response = error(405, "method_not_allowed",
                         f"{request.method} is not allowed here: use {allowed}.")
        response["Allow"] = allowed
        return response

    def decorate(view: View) -> View:
        if iscoroutinefunction(view):
            @functools.wraps(view)
            async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                refused = refusal(request)
                return refused if refused is not None else await view(request, *args, **kwargs)
            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            refused = refusal(request)
            return refused if refused is not None else view(request, *args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate


def read_json_object(request: HttpRequest) -> dict[str, Any]:
    """The request's body as a JSON object, or ApiError (413 over Django's upload limit)."""
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        raise ApiError(413, "too_large", "The request body is over the size limit.") from None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "The body must be a JSON object.")
    return body


def json_object(view: SyncView) -> SyncView:
    """Calls the view with the body, a JSON object, as `body`; answers 400 `bad_json` when it is
    not one and 413 `too_large` when it is over Django's upload limit."""
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            body = read_json_object(request)
        except ApiError as bad:
            return bad.response()
        return view(request, *args, body=body, **kwargs)
    return wrapper


def issued_session_key(request: HttpRequest) -> str | None:
    """The browser session's key if the server issued it: a cookie naming a key the session
    store does not hold (made up, or expired) counts as no session at all."""
    if not request.session.session_key:
        return None
    request.session.get("")  # loads the session: the store forgets a key it does not hold
    return request.session.session_key


def starts_session(view: SyncView) -> SyncView:
    """Calls the view with the browser session's key as `session_key`, saving a new session first
    when the browser has none the server issued: what the view makes belongs to that session."""
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if issued_session_key(request) is None:
            request.session.save()
        return view(request, *args, session_key=str(request.session.session_key), **kwargs)
    return wrapper


def reads_session(view: SyncView) -> SyncView:
    """Calls the view with the browser session's key as `session_key`, None when the browser has
    no session the server issued: such a browser owns nothing, so what it asks for is
    `not_found`."""
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, session_key=issued_session_key(request), **kwargs)
    return wrapper
