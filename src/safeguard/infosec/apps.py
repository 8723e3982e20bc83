from django.apps import AppConfig


class InfosecConfig(AppConfig):
    name = "safeguard.infosec"
    label = "infosec"
