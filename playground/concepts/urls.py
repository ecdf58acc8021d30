"""Routes of the concept and tour API, included at the site root."""

from django.urls import path

from . import views

urlpatterns = [
    path("api/concepts", views.concept_list, name="concept-list"),
    path("api/concepts/<slug:slug>", views.concept_detail, name="concept-detail"),
    path("api/tours", views.tour_list, name="tour-list"),
    path("api/tours/<slug:slug>", views.tour_detail, name="tour-detail"),
    path("api/tours/<slug:slug>/steps/<int:n>/check", views.step_check, name="tour-step-check"),
]
