from django.urls import path, re_path

from playground.shares import api

# Exports come first: `<str:...>` would also match "id.ipynb".
urlpatterns = [
    re_path(r"^api/shares/(?P<slug>[\w-]+)\.(?P<fmt>ipynb|py)$", api.export_share),
    re_path(r"^api/runs/(?P<run_id>[\w-]+)\.(?P<fmt>ipynb|py)$", api.export_run),
    path("api/runs/<str:run_id>/share", api.create_share),
    path("api/shares/<str:slug>", api.get_share),
]
