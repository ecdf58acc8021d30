"""App config of the web pages (label `web`)."""
from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "playground.web"
    label = "web"
    verbose_name = "Playground pages"
