from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "safeguard.alerts"
    label = "alerts"

    def ready(self) -> None:
        from safeguard.access.policy import Policy, register
        from safeguard.feed.hooks import register_after_load

        from . import models
        from .services import evaluate_after_load

        # An alert is seen by the organisation that must act on it, and by organisations that can
        # see its evidence (they hold, or are sent, the records that raised it).
        register(models.Alert, Policy(owner_path="owner_organisation", widen=_evidence_seen))
        register_after_load(evaluate_after_load, order=20)


def _evidence_seen(user):
    """Alerts with evidence from an organisation whose records the user sees, as EXISTS: a join
    through the evidence would repeat each alert once per piece of evidence and need DISTINCT
    over every alert the user may see (5.9 s against 0.67 s for the queue's counts at 662,700
    alerts; benchmarks/RESULTS.md, "Web")."""
    from django.db.models import Exists, OuterRef, Q

    from safeguard.access.policy import visible_organisation_ids

    from .models import AlertEvidence

    orgs = visible_organisation_ids(user)
    if not orgs:
        return Q(pk__in=[])
    return Q(Exists(AlertEvidence.objects.filter(alert=OuterRef("pk"), record__source__organisation__in=orgs)))
