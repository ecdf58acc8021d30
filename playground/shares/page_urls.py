"""Routes of the share pages; included at the site root by playground/urls.py."""
from django.urls import path

from playground.shares import pages

app_name = "shares"

urlpatterns = [
    path("s/<str:slug>", pages.share_page, name="page"),
]
