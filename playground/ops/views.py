"""The operator's endpoints: parse nothing, ask health, metrics or openapi, answer."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from playground.api import allow
from playground.ops import health, metrics, openapi


@allow("GET")
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    status, body = health.report()
    return JsonResponse(body, status=status)


@allow("GET")
@never_cache
def metrics_text(request: HttpRequest) -> HttpResponse:
    body, content_type = metrics.render(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)


@allow("GET")
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.document())
