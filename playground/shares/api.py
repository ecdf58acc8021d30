"""Share API: freeze a run, read a frozen copy."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from playground.runs import actions as run_actions
from playground.runs.errors import error
from playground.shares import actions
from playground.shares.models import Share


@require_POST
def create_share(request: HttpRequest, run_id: str) -> JsonResponse:
    run = run_actions.get_owned(run_id, request.session.session_key)
    if run is None:
        return error(404, "not_found", "No such run in this browser session.")
    if not hasattr(run, "share") and is_ratelimited(
            request, group="shares", key=lambda _g, _r: str(request.session.session_key),
            rate=settings.SHARE_RATE_LIMIT, increment=True):
        return error(429, "rate_limited", "You have shared many runs this hour: try again "
                     "later.")
    try:
        share, created = actions.share_run(run)
    except actions.NotShareable as exc:
        return error(exc.status, exc.code, exc.message)
    return JsonResponse({"slug": share.slug, "url": f"/s/{share.slug}"},
                        status=201 if created else 200)


@require_GET
def get_share(request: HttpRequest, slug: str) -> JsonResponse:
    share = Share.objects.filter(slug=slug).first()
    if share is None:
        return error(404, "not_found", "No such shared run.")
    return JsonResponse(actions.shared_record(share))
