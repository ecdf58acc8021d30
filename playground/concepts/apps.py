"""Django app config for the concept catalogue and guided tours."""

from django.apps import AppConfig


class ConceptsConfig(AppConfig):
    name = "playground.concepts"
    label = "concepts"
    verbose_name = "Concepts and tours"
    default_auto_field = "django.db.models.BigAutoField"
