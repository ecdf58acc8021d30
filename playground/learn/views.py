"""Page views of the learning pages: home, concept, tour overview and tour step."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.csrf import ensure_csrf_cookie

from . import catalogue


def _lang() -> str:
    lang = (get_language() or "en").split("-")[0]
    return lang if lang in {"en", "ja"} else "en"


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"learn/{template}", {"nav_current": "learn", **context}, status=status)


def _not_found(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    return _page(request, "not_found.html", {"kind": kind, "slug": slug}, status=404)


@ensure_csrf_cookie
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, "home.html", {})


@ensure_csrf_cookie
def concept(request: HttpRequest, slug: str) -> HttpResponse:
    page = catalogue.find_concept(slug, _lang())
    if page is None:
        return _not_found(request, "concept", slug)
    return _page(request, "concept.html", {"page": page})


@ensure_csrf_cookie
def tour(request: HttpRequest, slug: str) -> HttpResponse:
    page = catalogue.find_tour(slug, _lang())
    if page is None:
        return _not_found(request, "tour", slug)
    return _page(request, "tour.html", {"page": page})


@ensure_csrf_cookie
def tour_step(request: HttpRequest, slug: str, step: int) -> HttpResponse:
    page = catalogue.find_tour(slug, _lang())
    if page is None:
        return _not_found(request, "tour", slug)
    if not 1 <= step <= page.steps:
        return _not_found(request, "step", f"{slug}/{step}")
    context = {"page": page, "step": step, "step_title": catalogue.step_title(slug, step, _lang())}
    return _page(request, "tour_step.html", context)
