"""Compare pages: /compare?a=<ref> picks the other run, /compare/<a>/<b> shows both side by side
(code and output diffs, training curves overlaid, model summaries, runtimes)."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from playground.api import issued_session_key
from playground.compare import actions


@require_safe
@ensure_csrf_cookie
def compare_page(request: HttpRequest, a: str, b: str) -> HttpResponse:
    session_key = issued_session_key(request)
    left, right = actions.side(a, session_key), actions.side(b, session_key)
    if left is None or right is None:
        missing = [ref for ref, found in ((a, left), (b, right)) if found is None]
        return render(request, "compare/not_found.html", {"missing": missing}, status=404)
    page_data = {"a": left, "b": right, "url": f"/compare/{a}/{b}"}
    return render(request, "compare/page.html", {"page_data": page_data, "a": left, "b": right,
                                                 "public": left["shared"] and right["shared"]})


@require_safe
def choose_page(request: HttpRequest) -> HttpResponse:
    """Pick the other side: one of this session's runs, or a pasted share link."""
    session_key = issued_session_key(request)
    a = (request.GET.get("a") or "").strip()
    first = actions.side(a, session_key) if a else None
    if first is None:
        return render(request, "compare/not_found.html", {"missing": [a] if a else []},
                      status=404)
    pasted = request.GET.get("b")
    problem = ""
    if pasted is not None:
        b = actions.ref_from_text(pasted)
        if b and actions.side(b, session_key) is not None:
            return redirect(f"/compare/{a}/{b}")
        problem = "unknown"
    context = {"a": first, "runs": actions.recent_runs(session_key, leave_out=a),
               "problem": problem, "pasted": pasted or ""}
    return render(request, "compare/choose.html", context)
