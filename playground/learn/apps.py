"""Django app config for the learning pages."""

from django.apps import AppConfig


class LearnConfig(AppConfig):
    name = "playground.learn"
    label = "learn"
    verbose_name = "Learning pages"
