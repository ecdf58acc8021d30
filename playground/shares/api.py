"""Share API: freeze a run, read a frozen copy."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from playground import ratelimit
from playground.runs import actions as run_actions
from playground.runs import streams
from playground.runs.errors import error
from playground.shares import actions, export
from playground.shares.models import Share


@require_POST
def create_share(request: HttpRequest, run_id: str) -> JsonResponse:
    run = run_actions.get_owned(run_id, request.session.session_key)
    if run is None:
        return error(404, "not_found", "No such run in this browser session.")
    if not hasattr(run, "share") and ratelimit.hit(
            streams.client(), "shares", str(request.session.session_key),
            settings.SHARE_RATE_LIMIT):
        return error(429, "rate_limited", "You have shared many runs this hour: try again "
                     "later.")
    try:
        share, created = actions.share_run(run)
    except actions.NotShareable as exc:
        return error(exc.status, exc.code, exc.message)
    return JsonResponse({"slug": share.slug, "url": f"/s/{share.slug}"},
                        status=201 if created else 200)


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def export_share(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    share = Share.objects.filter(slug=slug).first()
    if share is None:
        return error(404, "not_found", "No such shared run.")
    return _export(share.record, f"tf-playground-{slug[:8]}", fmt)


@require_GET
def export_run(request: HttpRequest, run_id: str, fmt: str) -> HttpResponse:
    record = run_actions.run_record(run_id, request.session.session_key)
    if record is None:
        return error(404, "not_found", "No such run in this browser session.")
    return _export(record, f"tf-playground-{run_id[:8]}", fmt)


def _export(record: dict, name: str, fmt: str) -> HttpResponse:
    if fmt == "ipynb":
        title = f"TensorFlow Playground: {record.get('concept') or 'run'} {name[-8:]}"
        return _download(export.notebook(record, title), "application/x-ipynb+json",
                         f"{name}.ipynb")
    return _download(export.script(record), "text/x-python; charset=utf-8", f"{name}.py")


@require_GET
def get_share(request: HttpRequest, slug: str) -> JsonResponse:
    share = Share.objects.filter(slug=slug).first()
    if share is None:
        return error(404, "not_found", "No such shared run.")
    return JsonResponse(actions.shared_record(share))
