"""The run API of DESIGN §3: parse the request, call one action, answer JSON."""
from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import ensure_csrf_cookie

from contract.events import TERMINAL_STATUSES
from contract.job import DEFAULT_DEVICE, DEFAULT_MODE, DEVICE_CHOICES, MODES, SEED_RANGE, Job
from contract.limits import Limits
from playground.api import (
    ApiError,
    allow,
    error,
    json_object,
    not_found,
    reads_session,
    starts_session,
)
from playground.concepts.models import Concept
from playground.fastpath.django import pooled
from playground.runs import actions, capacity
from playground.shares.api import export_response

CODE_LIMIT = Limits.from_env().code_bytes
STDIN_LIMIT = Limits.from_env().stdin_bytes
CONCEPT_MAX = 100  # Run.concept's length
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|")


def check_code(code: Any) -> str:
    if not isinstance(code, str):
        raise ApiError(400, "missing" if code is None else "invalid",
                       "`code` must be a string with the program to run.", "code")
    if "\x00" in code:
        raise ApiError(400, "invalid", "The code contains a NUL character, which Python cannot "
                       "compile.", "code")
    if not is_unicode_text(code):
        raise ApiError(400, "invalid", "The code contains a lone surrogate (such as \\ud800), "
                       "which is not text Python can run.", "code")
    if len(code.encode("utf-8")) > CODE_LIMIT:
        raise ApiError(413, "too_large", f"The code is over the limit of {CODE_LIMIT // 1024} "
                       "KiB.", "code")
    return code


def check_stdin(stdin: Any) -> str:
    """The text the run's standard input reads, "" when absent."""
    if stdin is None:
        return ""
    if not isinstance(stdin, str) or "\x00" in stdin or not is_unicode_text(stdin):
        raise ApiError(400, "invalid", "`stdin` must be text (no NUL, no lone surrogate).",
                       "stdin")
    if len(stdin.encode("utf-8")) > STDIN_LIMIT:
        raise ApiError(413, "too_large", f"The input is over the limit of "
                       f"{STDIN_LIMIT // 1024} KiB.", "stdin")
    return stdin


def check_choice(body: dict[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    value = body.get(name, default)
    if value not in choices:
        raise ApiError(400, "invalid", f"`{name}` must be one of {', '.join(choices)}.", name)
    return str(value)


def is_unicode_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_concept(concept: Any) -> str:
    """The slug of a concept of the catalogue, or "" for none (absent, null or empty)."""
    if concept is None:
        concept = ""
    if not isinstance(concept, str) or len(concept) > CONCEPT_MAX or not SLUG.fullmatch(concept):
        raise ApiError(400, "invalid", "`concept` must be the slug of a concept.", "concept")
    if concept and not Concept.objects.filter(slug=concept).exists():
        raise ApiError(400, "invalid", f"There is no concept {concept!r}.", "concept")
    return concept


def check_seed(seed: Any) -> int | None:
    low, high = SEED_RANGE
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not low <= seed < high):
        raise ApiError(400, "invalid", f"`seed` must be an integer from {low} to {high - 1}.",
                       "seed")
    return seed


def check_flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ApiError(400, "invalid", f"`{name}` must be true or false.", name)
    return value


def check_compare_eager(body: dict[str, Any], mode: str) -> bool:
    """A second pass with tf.function run eagerly compares against TF2's functions: there are
    none to compare in a TF1-style graph run."""
    compare = check_flag(body, "compare_eager")
    if compare and mode == "graph":
        raise ApiError(400, "invalid", "`compare_eager` needs mode eager: it compares "
                       "tf.function with eager execution.", "compare_eager")
    return compare


def parse_run(body: dict[str, Any]) -> tuple[Job, str, str]:
    """What a `POST /api/runs` body asks for: the job, the device choice and the concept; the
    first field at fault (in the order of DESIGN §3) raises ApiError naming it."""
    code = check_code(body.get("code"))
    mode = check_choice(body, "mode", MODES, DEFAULT_MODE)
    device = check_choice(body, "device", DEVICE_CHOICES, DEFAULT_DEVICE)
    concept = check_concept(body.get("concept"))
    job = Job(code=code, mode=mode, seed=check_seed(body.get("seed")),
              keras_graphs=check_flag(body, "keras_graphs"),
              compare_eager=check_compare_eager(body, mode),
              stdin=check_stdin(body.get("stdin")))
    return job, device, concept


def no_such_run(run_id: str) -> JsonResponse:
    return not_found(f"run {run_id!r} in this browser session")


@allow("POST")
@pooled
@json_object
@starts_session
def create_run(request: HttpRequest, *, body: dict[str, Any], session_key: str) -> JsonResponse:
    try:
        job, device, concept = parse_run(body)
        run = actions.create_run(session_key, job, device=device, concept=concept,
                                 address=request.META.get("REMOTE_ADDR") or "")
    except ApiError as bad:
        return bad.response()
    except actions.RateLimited as exc:
        return error(429, "rate_limited", str(exc))
    except actions.NoWorker as exc:
        return error(503, "no_worker", str(exc), "device")
    return JsonResponse({"id": run.id, "status": run.status, "ws": f"/ws/runs/{run.id}",
                         "url": f"/runs/{run.id}"}, status=201)


@allow("GET")
@pooled
@reads_session
def get_run(request: HttpRequest, run_id: str, *, session_key: str | None) -> JsonResponse:
    record = actions.run_record(run_id, session_key)
    return JsonResponse(record) if record is not None else no_such_run(run_id)


@allow("POST")
@pooled
@reads_session
def cancel_run(request: HttpRequest, run_id: str, *, session_key: str | None) -> JsonResponse:
    run = actions.get_owned(run_id, session_key)
    if run is None:
        return no_such_run(run_id)
    if actions.record(run)["status"] in TERMINAL_STATUSES:
        return error(409, "finished", f"Run {run_id!r} has ended already.")
    actions.cancel_run(run)
    return JsonResponse({"id": run.id, "status": "cancelling"}, status=202)


@allow("GET")
@reads_session
def export_run(request: HttpRequest, run_id: str, fmt: str, *,
               session_key: str | None) -> HttpResponse:
    """The run as a notebook or a script to download (the shares app writes both formats)."""
    record = actions.run_record(run_id, session_key)
    if record is None:
        return no_such_run(run_id)
    return export_response(record, f"tf-playground-{run_id[:8]}", fmt)


@allow("GET")
@pooled
def devices(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"devices": capacity.devices()})


@allow("GET")
@ensure_csrf_cookie
@pooled
@starts_session
def session(request: HttpRequest, *, session_key: str) -> JsonResponse:
    """Starts the browser session and hands out the CSRF cookie, for API clients."""
    return JsonResponse({"ok": True})
