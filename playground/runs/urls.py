"""Routes of the run API, included at the site root.

Run ids are `secrets.token_urlsafe`, which the `slug` converter matches exactly: a run id never
holds a dot, so `<id>.ipynb` and `<id>.py` cannot be taken for a run id whatever the order.
"""
from django.urls import path

from playground.runs import api

urlpatterns = [
    path("api/session", api.session),
    path("api/runs", api.create_run),
    path("api/runs/<slug:run_id>", api.get_run),
    path("api/runs/<slug:run_id>.ipynb", api.export_run, {"fmt": "ipynb"}),
    path("api/runs/<slug:run_id>.py", api.export_run, {"fmt": "py"}),
    path("api/runs/<slug:run_id>/cancel", api.cancel_run),
    path("api/devices", api.devices),
]
