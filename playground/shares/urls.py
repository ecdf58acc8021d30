from django.urls import path

from playground.shares import api

urlpatterns = [
    path("api/runs/<str:run_id>/share", api.create_share),
    path("api/shares/<str:slug>", api.get_share),
]
