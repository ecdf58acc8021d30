"""The editing API: `POST /api/format` and `POST /api/lint`, a snippet's text in, ruff's answer
out. Rate limited per browser session like runs; text over EDIT_MAX_BYTES is refused, ruff gets
EDIT_TIMEOUT_SECONDS."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from playground import ratelimit
from playground.api import ApiError, allow, error, json_object, starts_session
from playground.editing import ruff
from playground.fastpath.django import pooled
from playground.runs import streams
from playground.runs.api import is_unicode_text

RETRY_AFTER_SECONDS = 2


def check_text(body: dict[str, Any]) -> str:
    code = body.get("code")
    if not isinstance(code, str):
        raise ApiError(400, "missing" if code is None else "invalid",
                       "`code` must be a string with the snippet's text.", "code")
    if "\x00" in code or not is_unicode_text(code):
        raise ApiError(400, "invalid", "`code` must be text (no NUL, no lone surrogate).", "code")
    if len(code.encode("utf-8")) > settings.EDIT_MAX_BYTES:
        raise ApiError(413, "too_large", f"The code is over the editor's limit of "
                       f"{settings.EDIT_MAX_BYTES // 1024} KiB.", "code")
    return code


def check_rate(session_key: str) -> None:
    if ratelimit.hit(streams.client(), "edits", session_key, settings.EDIT_RATE_LIMIT):
        raise ApiError(429, "rate_limited", "Too many format or lint requests in a short time: "
                       "wait a moment.")


def ruff_failed(exc: ruff.RuffFailed) -> JsonResponse:
    answer = error(503, "unavailable", f"The formatter did not answer: {exc}. Try again.")
    answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


@allow("POST")
@pooled
@json_object
@starts_session
def format_code(request: HttpRequest, *, body: dict[str, Any], session_key: str) -> JsonResponse:
    try:
        code = check_text(body)
        check_rate(session_key)
        done = ruff.format_code(code, settings.EDIT_TIMEOUT_SECONDS)
    except ApiError as bad:
        return bad.response()
    except ruff.RuffFailed as exc:
        return ruff_failed(exc)
    return JsonResponse({"code": done.code, "changed": done.code != code,
                         "problem": done.problem})


@allow("POST")
@pooled
@json_object
@starts_session
def lint_code(request: HttpRequest, *, body: dict[str, Any], session_key: str) -> JsonResponse:
    try:
        code = check_text(body)
        check_rate(session_key)
        found = ruff.lint_code(code, settings.EDIT_TIMEOUT_SECONDS)
    except ApiError as bad:
        return bad.response()
    except ruff.RuffFailed as exc:
        return ruff_failed(exc)
    return JsonResponse({"diagnostics": found})
