from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "safeguard.alerts"
    label = "alerts"

    def ready(self) -> None:
        from django.db.models import Q

        from safeguard.access.policy import Policy, register
        from safeguard.feed.hooks import register_after_load

        from . import models
        from .services import evaluate_after_load

        # An alert is seen by the organisation that must act on it, and by organisations that can
        # see its evidence (they hold, or are sent, the records that raised it).
        register(models.Alert, Policy(owner_path="owner_organisation",
                                      widen=lambda user: Q(evidence__record__source__organisation__in=_orgs(user))))
        register_after_load(evaluate_after_load, order=20)


def _orgs(user):
    from safeguard.access.policy import visible_organisation_ids

    return visible_organisation_ids(user)
