"""Routes of the operator's endpoints, included at the site root."""
from django.urls import path

from playground.ops import views

urlpatterns = [
    path("healthz", views.healthz),
    path("metrics", views.metrics_text),
    path("api/schema", views.schema),
]
