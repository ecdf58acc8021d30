"""Routes of shares: the share API and the share page, included at the site root.

Run ids and share slugs are `secrets.token_urlsafe`, which the `slug` converter matches exactly,
so `<slug>.ipynb` is never taken for a slug. The page takes any string and answers its own 404.
"""
from django.urls import path

from playground.shares import api, pages

app_name = "shares"

urlpatterns = [
    path("api/runs/<slug:run_id>/share", api.create_share),
    path("api/shares/<slug:slug>", api.get_share),
    path("api/shares/<slug:slug>.ipynb", api.export_share, {"fmt": "ipynb"}),
    path("api/shares/<slug:slug>.py", api.export_share, {"fmt": "py"}),
    path("s/<str:slug>", pages.share_page, name="page"),
]
