from django.apps import AppConfig


class SharesConfig(AppConfig):
    name = "playground.shares"
    label = "shares"
