from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "safeguard.oversight"
    label = "oversight"

    def ready(self) -> None:
        from safeguard.core.navigation import register_nav

        from .selectors import may_oversee

        register_nav("Oversight", "oversight:backlogs", order=60, visible=may_oversee, prefixes=("/oversight/",))
