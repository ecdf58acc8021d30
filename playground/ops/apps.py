from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "playground.ops"
    label = "ops"
