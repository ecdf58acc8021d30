"""Routes of comparisons, included at the site root."""
from django.urls import path

from playground.compare import views

app_name = "compare"

urlpatterns = [
    path("compare", views.choose_page, name="choose"),
    path("compare/<str:a>/<str:b>", views.compare_page, name="page"),
]
