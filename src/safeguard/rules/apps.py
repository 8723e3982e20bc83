from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "safeguard.rules"
    label = "rules"
