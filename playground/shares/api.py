"""The share API: freeze a run, read a frozen copy, download one as a notebook or a script."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from playground import ratelimit
from playground.api import allow, error, not_found, reads_session
from playground.runs import actions as run_actions
from playground.runs import streams
from playground.shares import actions, export
from playground.shares.models import Share


@allow("POST")
@reads_session
def create_share(request: HttpRequest, run_id: str, *, session_key: str | None) -> JsonResponse:
    run = run_actions.get_owned(run_id, session_key)
    if run is None or session_key is None:
        return not_found(f"run {run_id!r} in this browser session")
    if not hasattr(run, "share") and ratelimit.hit(streams.client(), "shares", session_key,
                                                   settings.SHARE_RATE_LIMIT):
        return error(429, "rate_limited", "You have shared many runs this hour: try again "
                     "later.")
    try:
        share, created = actions.share_run(run)
    except actions.NotShareable as exc:
        return error(exc.status, exc.code, exc.message)
    return JsonResponse({"slug": share.slug, "url": f"/s/{share.slug}"},
                        status=201 if created else 200)


@allow("GET")
def get_share(request: HttpRequest, slug: str) -> JsonResponse:
    share = Share.objects.filter(slug=slug).first()
    if share is None:
        return no_such_share(slug)
    return JsonResponse(actions.shared_record(share))


@allow("GET")
def export_share(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    share = Share.objects.filter(slug=slug).first()
    if share is None:
        return no_such_share(slug)
    return export_response(share.record, f"tf-playground-{slug[:8]}", fmt)


def no_such_share(slug: str) -> JsonResponse:
    return not_found(f"shared run {slug!r}")


def export_response(record: dict[str, Any], name: str, fmt: str) -> HttpResponse:
    """A run record as a download: a notebook for `ipynb`, else a script; `name` without the
    extension."""
    if fmt == "ipynb":
        title = f"TensorFlow Playground: {record.get('concept') or 'run'} {name[-8:]}"
        return _download(export.notebook(record, title), "application/x-ipynb+json",
                         f"{name}.ipynb")
    return _download(export.script(record), "text/x-python; charset=utf-8", f"{name}.py")


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
