"""The run API of DESIGN §3: parse, call one action, answer JSON."""
from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from playground.middleware import pooled
from playground.runs import actions, streams
from playground.runs.errors import error

MODES = ("eager", "graph")
DEVICES = ("auto", "cpu", "gpu", "tpu")


class BadInput(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.response = error(status, code, message, field)


def session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return str(request.session.session_key)


def parse_run(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"null")
    except RequestDataTooBig:
        raise BadInput(413, "too_large", "The code is too large.", "code") from None
    except (ValueError, UnicodeDecodeError):
        raise BadInput(400, "bad_json", "The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise BadInput(400, "bad_json", "The body must be a JSON object.")
    code = body.get("code")
    if not isinstance(code, str):
        raise BadInput(400, "missing" if code is None else "invalid",
                       "`code` must be a string with the program to run.", "code")
    if "\x00" in code:
        raise BadInput(400, "invalid", "The code contains a NUL character, which Python cannot "
                       "compile.", "code")
    if len(code.encode("utf-8", "surrogatepass")) > settings.RUN_MAX_CODE_BYTES:
        raise BadInput(413, "too_large", f"The code is over the limit of "
                       f"{settings.RUN_MAX_CODE_BYTES // 1024} KiB.", "code")
    mode = body.get("mode", "eager")
    if mode not in MODES:
        raise BadInput(400, "invalid", "`mode` must be \"eager\" or \"graph\".", "mode")
    device = body.get("device", "auto")
    if device not in DEVICES:
        raise BadInput(400, "invalid", "`device` must be one of auto, cpu, gpu, tpu.", "device")
    concept = body.get("concept") or ""
    if not isinstance(concept, str) or len(concept) > 100 or "\x00" in concept:
        raise BadInput(400, "invalid", "`concept` must be a concept slug.", "concept")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2**32):
        raise BadInput(400, "invalid", "`seed` must be an integer from 0 to 2**32-1.", "seed")
    keras_graphs = body.get("keras_graphs", False)
    if not isinstance(keras_graphs, bool):
        raise BadInput(400, "invalid", "`keras_graphs` must be true or false.", "keras_graphs")
    return {"code": code, "mode": mode, "device": device, "concept": concept, "seed": seed,
            "keras_graphs": keras_graphs}


@require_POST
@pooled
def create_run(request: HttpRequest) -> JsonResponse:
    try:
        fields = parse_run(request)
    except BadInput as bad:
        return bad.response
    try:
        run = actions.create_run(session_key(request), **fields)
    except actions.RateLimited as exc:
        return error(429, "rate_limited", str(exc))
    except actions.NoWorker as exc:
        return error(503, "no_worker", str(exc), "device")
    return JsonResponse({"id": run.id, "status": run.status, "ws": f"/ws/runs/{run.id}",
                         "url": f"/runs/{run.id}"}, status=201)


@require_GET
@pooled
def get_run(request: HttpRequest, run_id: str) -> JsonResponse:
    record = actions.run_record(run_id, request.session.session_key)
    if record is None:
        return error(404, "not_found", "No such run in this browser session.")
    return JsonResponse(record)


@require_POST
@pooled
def cancel_run(request: HttpRequest, run_id: str) -> JsonResponse:
    run = actions.get_owned(run_id, request.session.session_key)
    if run is None:
        return error(404, "not_found", "No such run in this browser session.")
    actions.cancel_run(run)
    return JsonResponse({"id": run.id, "status": "cancelling"}, status=202)


@require_GET
@pooled
def devices(request: HttpRequest) -> JsonResponse:
    live = streams.live_classes()
    return JsonResponse({"devices": [
        {"class": name, "workers": len(workers),
         "tf_devices": sorted({d for w in workers for d in w.get("tf_devices", [])}),
         "runtime": workers[0].get("runtime", {}), "sandbox": workers[0].get("sandbox")}
        for name, workers in sorted(live.items())
    ]})


@require_GET
@ensure_csrf_cookie
@pooled
def session(request: HttpRequest) -> JsonResponse:
    """Starts the browser session and hands out the CSRF cookie, for API clients."""
    session_key(request)
    return JsonResponse({"ok": True})
