from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "safeguard.demo"
    label = "demo"
    verbose_name = "Demonstration"
