"""Routes of the editing API, included at the site root."""
from django.urls import path

from playground.editing import api

urlpatterns = [
    path("api/format", api.format_code),
    path("api/lint", api.lint_code),
]
