"""Routes of the learning pages; included at the site root."""

from django.urls import path

from . import views

app_name = "learn"

urlpatterns = [
    path("", views.home, name="home"),
    path("concepts/<slug:slug>", views.concept, name="concept"),
    path("tours/<slug:slug>", views.tour, name="tour"),
    path("tours/<slug:slug>/<int:step>", views.tour_step, name="tour-step"),
]
