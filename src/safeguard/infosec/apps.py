from django.apps import AppConfig


class InfosecConfig(AppConfig):
    name = "safeguard.infosec"
    label = "infosec"
    verbose_name = "Information security"

    def ready(self) -> None:
        from safeguard.core.navigation import register_nav

        from .selectors import is_information_security

        register_nav("Information security", "infosec:dashboard", order=90, visible=is_information_security)
