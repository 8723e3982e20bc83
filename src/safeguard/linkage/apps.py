from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "safeguard.linkage"
    label = "linkage"
