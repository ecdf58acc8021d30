"""JSON API for concepts and tours, and grading a finished run against a tour step's checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse

from . import serialize
from .checks import TERMINAL_STATUSES, evaluate
from .models import Concept, Tour, TourStep

# A step without checks is a read-and-run step: running it cleanly is what "done" means.
READ_AND_RUN = [{"kind": "no_error"}]

View = Callable[..., JsonResponse]


def error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return JsonResponse({"error": body}, status=status)


def allow(method: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method != method:
                response = error(405, "method_not_allowed", f"use {method}")
                response["Allow"] = method
                return response
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


@allow("GET")
def concept_list(request: HttpRequest) -> JsonResponse:
    items = [serialize.concept_summary(c) for c in Concept.objects.all()]
    return JsonResponse(items, safe=False)


@allow("GET")
def concept_detail(request: HttpRequest, slug: str) -> JsonResponse:
    concept = Concept.objects.filter(slug=slug).prefetch_related("examples").first()
    if concept is None:
        return error(404, "concept_not_found", f"no concept {slug!r}")
    return JsonResponse(serialize.concept_detail(concept))


@allow("GET")
def tour_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse([serialize.tour_summary(t) for t in Tour.objects.all()], safe=False)


@allow("GET")
def tour_detail(request: HttpRequest, slug: str) -> JsonResponse:
    tour = Tour.objects.filter(slug=slug).first()
    if tour is None:
        return error(404, "tour_not_found", f"no tour {slug!r}")
    return JsonResponse(serialize.tour_detail(tour))


def _run_id(request: HttpRequest) -> str | None:
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    run = body.get("run") if isinstance(body, dict) else None
    return run if isinstance(run, str) and run else None


@allow("POST")
def step_check(request: HttpRequest, slug: str, n: int) -> JsonResponse:
    from playground.runs.actions import run_record  # the runs app owns run records

    step = TourStep.objects.filter(tour__slug=slug, position=n).first()
    if step is None:
        return error(404, "step_not_found", f"tour {slug!r} has no step {n}")
    run_id = _run_id(request)
    if run_id is None:
        return error(400, "bad_request", 'send JSON {"run": "<run id>"}', field="run")
    record = run_record(run_id, request.session.session_key)
    if record is None:
        return error(404, "run_not_found", f"no run {run_id!r} in this session")
    if record.get("status") not in TERMINAL_STATUSES:
        return error(409, "run_not_finished",
                     "the run has not finished yet; check it when it is done")
    return JsonResponse(evaluate(step.checks or READ_AND_RUN, record, lang=None))
