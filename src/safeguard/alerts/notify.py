"""E-mail for critical alerts: the owning team at once, their supervisors if nobody
acknowledges within the escalation time. Each notice is recorded in the alert's history, so a
notice is sent once however often this runs."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db.models import Q

from safeguard.accounts.models import User
from safeguard.core.clock import now

from .models import Alert, AlertHistory


def _recipients(alert: Alert, supervisors: bool) -> list[str]:
    if alert.owner_team_id:
        team_filter = Q(supervised_teams=alert.owner_team_id) if supervisors else Q(teams=alert.owner_team_id)
    elif alert.owner_organisation_id:
        team_filter = Q(organisation=alert.owner_organisation_id) & (
            Q(groups__name="supervisor") if supervisors else ~Q(groups__name="supervisor"))
    else:
        return []
    users = User.objects.filter(team_filter, is_active=True).exclude(email="").values_list("email", flat=True)
    return sorted(set(users))


def _send(alert: Alert, action: str, subject: str, supervisors: bool) -> bool:
    recipients = _recipients(alert, supervisors)
    # No personal data in e-mail: the summary names people, so the message carries only a link.
    body = (f"A {alert.severity} alert ({alert.rule}) needs action by {alert.due_at or 'now'}.\n"
            f"Open it in Safeguard: /alerts/{alert.pk}/\n")
    if recipients:
        send_mail(subject, body, None, recipients)
    AlertHistory.objects.create(alert=alert, at=now(), action=action, note=f"{len(recipients)} recipient(s)")
    return bool(recipients)


def notify_critical(escalate_after: dt.timedelta) -> dict[str, int]:
    moment = now()
    open_critical = Alert.objects.filter(severity="critical", resolved_at__isnull=True).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gt=moment), raised_at__lte=moment)
    notified = set(AlertHistory.objects.filter(action="notified", alert__in=open_critical).values_list("alert_id", flat=True))
    escalated = set(AlertHistory.objects.filter(action="escalated", alert__in=open_critical).values_list("alert_id", flat=True))
    sent = escalations = 0
    for alert in open_critical:
        if alert.pk not in notified:
            sent += _send(alert, "notified", f"Critical alert: {alert.rule}", supervisors=False)
        if alert.pk not in escalated and not alert.acknowledged_at and moment - alert.raised_at >= escalate_after:
            escalations += _send(alert, "escalated", f"Not acknowledged: critical alert {alert.rule}", supervisors=True)
    return {"notified": sent, "escalated": escalations}
