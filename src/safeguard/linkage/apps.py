from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "safeguard.linkage"
    label = "linkage"

    def ready(self) -> None:
        from safeguard.core.navigation import register_nav
        from safeguard.feed.hooks import register_after_load

        from .services import can_review, link_after_load

        register_after_load(link_after_load, order=10)
        register_nav("Linkage review", "linkage:review", order=70, visible=can_review, prefixes=("/linkage/",))
