from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_started

WARM_UID = "safeguard.web.warm_search"


def _warm_search(**kwargs) -> None:
    """At a server process's first request, start reading search's surname index in a thread,
    so that the first searches need not wait for it."""
    request_started.disconnect(dispatch_uid=WARM_UID)
    from .selectors.search import warm_index

    warm_index()


class WebConfig(AppConfig):
    name = "safeguard.web"
    label = "web"

    def ready(self) -> None:
        from safeguard.core.navigation import register_nav

        register_nav("Work queue", "web:home", order=10, prefixes=("/queue/", "/alerts/"))
        register_nav("Search", "web:search", order=90)
        if settings.PRODUCTION:  # not in tests and development: their records change under them
            request_started.connect(_warm_search, dispatch_uid=WARM_UID)
