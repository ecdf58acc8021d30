"""The concept and tour JSON API, and grading a finished run against a tour step's checks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from contract.events import TERMINAL_STATUSES
from playground.api import ApiError, allow, error, json_object, not_found, reads_session

from . import serialize
from .checks import evaluate
from .models import Concept, Tour, TourStep

# A step without checks is a read-and-run step: running it cleanly is what "done" means.
READ_AND_RUN = [{"kind": "no_error"}]


@allow("GET")
def concept_list(request: HttpRequest) -> JsonResponse:
    items = [serialize.concept_summary(c) for c in Concept.objects.all()]
    return JsonResponse(items, safe=False)


@allow("GET")
def concept_detail(request: HttpRequest, slug: str) -> JsonResponse:
    concept = Concept.objects.filter(slug=slug).prefetch_related("examples").first()
    if concept is None:
        return not_found(f"concept {slug!r}")
    return JsonResponse(serialize.concept_detail(concept))


@allow("GET")
def tour_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse([serialize.tour_summary(t) for t in Tour.objects.all()], safe=False)


@allow("GET")
def tour_detail(request: HttpRequest, slug: str) -> JsonResponse:
    tour = Tour.objects.filter(slug=slug).first()
    if tour is None:
        return not_found(f"tour {slug!r}")
    return JsonResponse(serialize.tour_detail(tour))


def check_run_id(body: dict[str, Any]) -> str:
    run = body.get("run")
    if not isinstance(run, str) or not run:
        raise ApiError(400, "missing" if run is None else "invalid",
                       '`run` must be the id of a run: send {"run": "<run id>"}.', "run")
    return run


@allow("POST")
@json_object
@reads_session
def step_check(request: HttpRequest, slug: str, n: int, *, body: dict[str, Any],
               session_key: str | None) -> JsonResponse:
    from playground.runs.actions import run_record  # the runs app owns run records

    step = TourStep.objects.filter(tour__slug=slug, position=n).first()
    if step is None:
        return not_found(f"step {n} in tour {slug!r}")
    try:
        run_id = check_run_id(body)
    except ApiError as bad:
        return bad.response()
    record = run_record(run_id, session_key)
    if record is None:
        return not_found(f"run {run_id!r} in this browser session")
    if record.get("status") not in TERMINAL_STATUSES:
        return error(409, "not_finished", "The run has not finished yet: check it once it has.")
    return JsonResponse(evaluate(step.checks or READ_AND_RUN, record, lang=None))
