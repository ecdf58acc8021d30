from django.urls import path

from playground.runs import api

urlpatterns = [
    path("api/session", api.session),
    path("api/runs", api.create_run),
    path("api/runs/<str:run_id>", api.get_run),
    path("api/runs/<str:run_id>/cancel", api.cancel_run),
    path("api/devices", api.devices),
]
