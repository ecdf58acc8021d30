"""Routes of the playground pages; included at the site root."""
from django.urls import path

from playground.web import views

app_name = "web"

urlpatterns = [
    path("play", views.play, name="play"),
    path("runs/<slug:run_id>", views.run_page, name="run"),
    path("favicon.ico", views.favicon, name="favicon"),
]
