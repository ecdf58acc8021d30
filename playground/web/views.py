"""Page views: parse the query, render the workspace shell; the page's script does the rest."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from contract.job import DEFAULT_DEVICE, DEFAULT_MODE, DEVICE_CHOICES, MODES
from playground.runs import actions
from playground.web.templatetags.assets import asset

SLUG_MAX = 100

# What /play opens with when no concept example is asked for.
STARTER_CODE = '''import tensorflow as tf

x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
print("x =", x.numpy().tolist())
print("x @ x =", tf.matmul(x, x).numpy().tolist())


@tf.function
def double_sum(t):
    if tf.reduce_sum(t) > 0:
        return tf.reduce_sum(t * 2.0)
    return tf.constant(0.0)


print("double_sum(x) =", double_sum(x).numpy())
'''


def _choice(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value is not None and value in allowed else default


@ensure_csrf_cookie
def play(request: HttpRequest) -> HttpResponse:
    concept = (request.GET.get("concept") or "")[:SLUG_MAX]
    example = (request.GET.get("example") or "")[:SLUG_MAX]
    page_data = {
        "concept": concept or None,
        "example": example or None,
        "code": STARTER_CODE,
        "mode": _choice(request.GET.get("mode"), MODES, DEFAULT_MODE),
        "device": _choice(request.GET.get("device"), DEVICE_CHOICES, DEFAULT_DEVICE),
    }
    return render(request, "web/play.html", {"page_data": page_data})


@ensure_csrf_cookie
def run_page(request: HttpRequest, run_id: str) -> HttpResponse:
    # A run is its creator's alone: another session gets the same 404 as for an unknown id.
    if actions.get_owned(run_id, request.session.session_key) is None:
        return render(request, "web/run_not_found.html", {"run_id": run_id}, status=404)
    return render(request, "web/play.html", {"page_data": {"run": run_id}, "run_id": run_id})


def favicon(request: HttpRequest) -> HttpResponse:
    """What a browser asks for when a page names no icon (a JSON answer opened in a tab): the
    site's icon, whose hashed name the build chose."""
    return redirect(asset("favicon.svg"))
