"""URL routes of the web side: each app's own routes, included once, in no particular order."""
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("", include("playground.runs.urls")),
    path("", include("playground.shares.urls")),
    path("", include("playground.compare.urls")),
    path("", include("playground.concepts.urls")),
    path("", include("playground.web.urls")),
    path("", include("playground.learn.urls")),
    path("", include("playground.ops.urls")),
    path("", include("playground.editing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
