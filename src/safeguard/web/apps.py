from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "safeguard.web"
    label = "web"

    def ready(self) -> None:
        from safeguard.core.navigation import register_nav

        register_nav("Work queue", "web:home", order=10, prefixes=("/queue/", "/alerts/"))
        register_nav("Search", "web:search", order=90)
