"""The OpenAPI 3.1 document of the public HTTP API (`GET /api/schema`).

Enums come from contract/ and the code (schemas.py); which error codes each call answers, and
with which status, is said here per operation. tests/ops/test_openapi.py keeps the document in
step with the URL patterns and fuzzes every operation from it.
"""
from __future__ import annotations

from typing import Any

from playground.api import Code
from playground.ops.schemas import COMPONENTS, ERROR_CODES, SLUG, Schema, error_schema, ref

# The status each error code is answered with (playground/api.py says it beside each code).
ERROR_STATUS: dict[Code, int] = {
    "bad_request": 400, "bad_json": 400, "missing": 400, "invalid": 400, "forbidden": 403,
    "not_found": 404, "method_not_allowed": 405, "not_finished": 409, "finished": 409,
    "too_large": 413, "rate_limited": 429, "no_worker": 503, "unavailable": 503,
}
# Django answers these before any view runs: a request it cannot read, and a POST without the
# CSRF token (see the document's description).
READ_ERRORS: tuple[Code, ...] = ("bad_request",)
POST_ERRORS: tuple[Code, ...] = (*READ_ERRORS, "forbidden")
BODY_ERRORS: tuple[Code, ...] = ("bad_json", "missing", "invalid", "too_large")

DESCRIPTION = """\
The playground's JSON API. Errors are `{"error": {"code", "message", "field"?}}` with a 4xx
status (503 `no_worker` when no worker serves the device asked for, 503 `unavailable` with a
`Retry-After` header while Redis or the database does not answer); `code` says what kind of
failure it is, `field` names the body field at fault.

A run belongs to the browser session that created it: call `GET /api/session` first and keep
its cookies (`sessionid`, `csrftoken`); every POST sends the `csrftoken` cookie's value in the
`X-CSRFToken` header. Another session gets 404 for a run it does not own. Run events stream over
the WebSocket `/ws/runs/{run_id}?after={seq}`, one event (schema `Event`) per frame."""


def json_body(schema: Schema) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def answer(description: str, schema: Schema | None = None, media: str = "application/json"
           ) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {media: {"schema": schema}}}


def errors(codes: tuple[Code, ...]) -> dict[str, Any]:
    """The error answers of an operation, one per status, each with the codes it may carry."""
    by_status: dict[int, list[Code]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(ERROR_STATUS[code], []).append(code)
    answers = {str(status): answer(", ".join(found), error_schema(found))
               for status, found in sorted(by_status.items())}
    if "unavailable" in codes:
        answers[str(ERROR_STATUS["unavailable"])]["headers"] = {"Retry-After": {
            "description": "With `unavailable`: seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 0}}}
    return answers


def operation(op_id: str, summary: str, ok: dict[str, Any], codes: tuple[Code, ...],
              body: Schema | None = None, tag: str = "runs", stored: bool = True
              ) -> dict[str, Any]:
    """`stored`: the operation reads Redis or the database, so it answers `unavailable` while
    they are down (playground/runs/errors.py)."""
    if stored:
        codes = (*codes, "unavailable")
    spec: dict[str, Any] = {"operationId": op_id, "summary": summary, "tags": [tag],
                            "responses": {**ok, **errors(codes)}}
    if body is not None:
        spec["requestBody"] = {"required": True, **json_body(body)}
    return spec


def slug(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "string", "pattern": SLUG}}


RUN_ID = slug("run_id", "A run's id, as `POST /api/runs` gave it.")
SHARE = slug("slug", "A share's slug.")
CONCEPT = slug("slug", "A concept's slug.")
TOUR = slug("slug", "A tour's slug.")
STEP = {"name": "n", "in": "path", "required": True, "description": "A step's number, from 1.",
        "schema": {"type": "integer", "minimum": 0}}
NOT_FOUND: tuple[Code, ...] = (*READ_ERRORS, "not_found")
NOTEBOOK = answer("The record as a Jupyter notebook, as a download.", {"type": "object"},
                  "application/x-ipynb+json")
SCRIPT = answer("The code as a Python script with the output in comments, as a download.",
                {"type": "string"}, "text/x-python")
RUN_LINKS = {name: {"operationId": op_id, "parameters": {"run_id": "$response.body#/id"}}
             for name, op_id in (("GetRun", "getRun"), ("CancelRun", "cancelRun"),
                                 ("ShareRun", "shareRun"))}


def paths() -> dict[str, Any]:
    return {**run_paths(), **share_paths(), **learn_paths(), **tool_paths()}


def run_paths() -> dict[str, Any]:
    """The session and runs: made, read, exported, cancelled, shared."""
    created = answer("The run is queued.", ref("RunCreated"))
    created["links"] = RUN_LINKS
    return {
        "/api/session": {"get": operation(
            "startSession", "Start the browser session and get the CSRF cookie.",
            {"200": answer("The session's cookies are set.", {
                "type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}})},
            READ_ERRORS, tag="session")},
        "/api/runs": {"post": operation(
            "createRun", "Run a snippet.", {"201": created},
            (*POST_ERRORS, *BODY_ERRORS, "rate_limited", "no_worker"), ref("RunRequest"))},
        "/api/runs/{run_id}": {"parameters": [RUN_ID], "get": operation(
            "getRun", "A run's record, live or finished.",
            {"200": answer("The run.", ref("RunRecord"))}, NOT_FOUND)},
        "/api/runs/{run_id}.ipynb": {"parameters": [RUN_ID], "get": operation(
            "exportRunNotebook", "Download a run as a notebook.", {"200": NOTEBOOK}, NOT_FOUND)},
        "/api/runs/{run_id}.py": {"parameters": [RUN_ID], "get": operation(
            "exportRunScript", "Download a run as a script.", {"200": SCRIPT}, NOT_FOUND)},
        "/api/runs/{run_id}/cancel": {"parameters": [RUN_ID], "post": operation(
            "cancelRun", "Cancel a run: it ends `cancelled` within 2 s.",
            {"202": answer("The run is being cancelled.", ref("Cancelling"))},
            (*POST_ERRORS, "not_found", "finished"))},
        "/api/runs/{run_id}/share": {"parameters": [RUN_ID], "post": operation(
            "shareRun", "Freeze a finished run into a public, read-only link.",
            {"201": answer("The share is made.", ref("Share")),
             "200": answer("The run was shared before: the same link.", ref("Share"))},
            (*POST_ERRORS, "not_found", "not_finished", "too_large", "rate_limited"),
            tag="shares")},
        "/api/devices": {"get": operation(
            "listDevices", "Device classes with live workers.",
            {"200": answer("Live device classes.", ref("Devices"))}, READ_ERRORS)},
    }


def share_paths() -> dict[str, Any]:
    """Shared runs, read by anyone with the link."""
    return {
        "/api/shares/{slug}": {"parameters": [SHARE], "get": operation(
            "getShare", "A shared run's frozen record.",
            {"200": answer("The frozen record.", ref("SharedRecord"))}, NOT_FOUND,
            tag="shares")},
        "/api/shares/{slug}.ipynb": {"parameters": [SHARE], "get": operation(
            "exportShareNotebook", "Download a shared run as a notebook.", {"200": NOTEBOOK},
            NOT_FOUND, tag="shares")},
        "/api/shares/{slug}.py": {"parameters": [SHARE], "get": operation(
            "exportShareScript", "Download a shared run as a script.", {"200": SCRIPT},
            NOT_FOUND, tag="shares")},
    }


def learn_paths() -> dict[str, Any]:
    """Concepts, tours and the checks of their steps."""
    return {
        "/api/concepts": {"get": operation(
            "listConcepts", "Every concept.", {"200": answer("The concepts.", {
                "type": "array", "items": ref("ConceptSummary")})}, READ_ERRORS, tag="learn")},
        "/api/concepts/{slug}": {"parameters": [CONCEPT], "get": operation(
            "getConcept", "A concept with its explanation and examples.",
            {"200": answer("The concept.", ref("Concept"))}, NOT_FOUND, tag="learn")},
        "/api/tours": {"get": operation(
            "listTours", "Every guided tour.", {"200": answer("The tours.", {
                "type": "array", "items": ref("TourSummary")})}, READ_ERRORS, tag="learn")},
        "/api/tours/{slug}": {"parameters": [TOUR], "get": operation(
            "getTour", "A tour with its steps.", {"200": answer("The tour.", ref("Tour"))},
            NOT_FOUND, tag="learn")},
        "/api/tours/{slug}/steps/{n}/check": {"parameters": [TOUR, STEP], "post": operation(
            "checkStep", "Grade a finished run of this browser session against a step.",
            {"200": answer("Each check's result.", ref("StepCheckResult"))},
            (*POST_ERRORS, *BODY_ERRORS, "not_found", "not_finished"),
            ref("StepCheckRequest"), tag="learn")},
    }


def tool_paths() -> dict[str, Any]:
    """The editor's tools and the operators' endpoints."""
    return {
        "/api/format": {"post": operation(
            "formatCode", "Format a snippet with ruff's formatter (Black's style).",
            {"200": answer("The formatted code, or the code unchanged and the syntax error that "
                           "stopped the formatter.", ref("Formatted"))},
            (*POST_ERRORS, *BODY_ERRORS, "rate_limited"), ref("CodeText"), tag="editing")},
        "/api/lint": {"post": operation(
            "lintCode", "Check a snippet for syntax errors, undefined names, unused imports and "
            "variables, and a few other mistakes (not style).",
            {"200": answer("What ruff found, in the order of the text.", ref("Diagnostics"))},
            (*POST_ERRORS, *BODY_ERRORS, "rate_limited"), ref("CodeText"), tag="editing")},
        "/api/schema": {"get": operation(
            "getSchema", "This document.", {"200": answer("OpenAPI 3.1.", {"type": "object"})},
            READ_ERRORS, tag="operations", stored=False)},
        "/healthz": {"get": operation(
            "health", "Whether this web process reaches Redis and the database.",
            {"200": answer("Both answer.", ref("Health")),
             "503": answer("Redis or the database does not answer.", ref("Health"))},
            READ_ERRORS, tag="operations", stored=False)},
        "/metrics": {"get": operation(
            "metrics", "Prometheus metrics.", {"200": {
                "description": "Prometheus' text format, or OpenMetrics when accepted.",
                "content": {media: {"schema": {"type": "string"}} for media in (
                    "text/plain", "application/openmetrics-text")}}},
            READ_ERRORS, tag="operations", stored=False)},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "TensorFlow Playground API", "version": "1", "description": DESCRIPTION},
        "paths": paths(),
        "components": {"schemas": {**COMPONENTS, "Error": error_schema(list(ERROR_CODES))}},
    }
