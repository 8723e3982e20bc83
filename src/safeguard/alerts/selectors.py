"""Reading alerts as of a moment, through the access layer."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from safeguard.access.policy import visible
from safeguard.core.clock import iso
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import SourceRecord

from .models import Alert, AlertEvidence, AlertSubject
from .summaries import render_summaries, severities_as_of

OPEN = ("open", "acknowledged")


def status_as_of(alert: Alert, moment: dt.datetime) -> tuple[str, dt.datetime | None]:
    """(status, closed_at) as of `moment`: human actions count only when taken by then."""
    machine_closed = alert.closed_at if alert.closed_at and alert.closed_at <= moment else None
    resolved = alert.resolved_at if alert.resolved_at and alert.resolved_at <= moment else None
    if resolved and (machine_closed is None or resolved < machine_closed):
        return "resolved", resolved
    if machine_closed:
        return alert.close_reason, machine_closed
    if alert.acknowledged_at and alert.acknowledged_at <= moment:
        return "acknowledged", None
    return "open", None


def alerts_as_of(*, user, moment: dt.datetime, include_closed: bool = False):
    """Alerts raised by `moment` that the user may see; open ones only unless include_closed."""
    qs = visible(user, Alert.objects.filter(raised_at__lte=moment))
    if not include_closed:
        qs = qs.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=moment)).filter(
            Q(resolved_at__isnull=True) | Q(resolved_at__gt=moment))
    return qs.order_by("raised_at", "pk")


def alerts_export(*, user, moment: dt.datetime, include_closed: bool = False) -> list[dict]:
    """The interface's alert JSON (shared/spec/interfaces.md)."""
    alerts = list(alerts_as_of(user=user, moment=moment, include_closed=include_closed))
    ids = [a.pk for a in alerts]
    subjects, evidence = defaultdict(list), defaultdict(list)
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for alert_id, person_id, role in AlertSubject.objects.filter(alert_id__in=chunk).order_by("pk").values_list(
                "alert_id", "person_id", "role"):
            subjects[alert_id].append((person_id, role))
        for alert_id, source, kind, ext_id in AlertEvidence.objects.filter(alert_id__in=chunk).order_by("pk").values_list(
                "alert_id", "record__source__code", "record__kind", "record__ext_id"):
            evidence[alert_id].append({"source": source, "kind": kind, "id": ext_id})
    people = {p for rows in subjects.values() for p, _ in rows}
    records_of = _records_of(people)
    summaries, severities = render_summaries(user, alerts), severities_as_of(alerts, moment)
    out = []
    for alert in alerts:
        status, closed_at = status_as_of(alert, moment)
        overdue = status in OPEN and alert.due_at is not None and moment > alert.due_at
        out.append({
            "id": str(alert.pk), "rule": alert.rule, "severity": severities[alert.pk], "status": status, "overdue": overdue,
            "raised_at": iso(alert.raised_at), "due_at": iso(alert.due_at), "closed_at": iso(closed_at),
            "summary": summaries[alert.pk],
            "subjects": [{"person": str(p), "role": role, "records": records_of.get(p, [])} for p, role in subjects[alert.pk]],
            "evidence": evidence[alert.pk],
        })
    return out


def _records_of(people: set[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    resolved = [p for p in people if p > 0]
    for start in range(0, len(resolved), 900):
        for person_id, source, ext_id in PersonMembership.objects.filter(person_id__in=resolved[start:start + 900]).values_list(
                "person_id", "record__source__code", "record__ext_id"):
            out[person_id].append({"source": source, "id": ext_id})
    unplaced = [-p for p in people if p < 0]
    for record_id, source, ext_id in SourceRecord.objects.filter(pk__in=unplaced).values_list("pk", "source__code", "ext_id"):
        out[-record_id].append({"source": source, "id": ext_id})
    for records in out.values():
        records.sort(key=lambda r: (r["source"], r["id"]))
    return out
