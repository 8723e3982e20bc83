"""Replay: for a person and a period, when each alert about them was raised and closed, and
what the agencies recorded about them meanwhile, from the records as known at each moment.
This is the question a serious case review asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from safeguard.access.policy import visible
from safeguard.core.calendar import LONDON
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import EventSubject, EventVersion

from .models import Alert
from .summaries import render_summaries, severities_as_of


@dataclass(frozen=True)
class Moment:
    at: dt.datetime
    what: str


def replay(*, user, person_id: int, start: dt.datetime, end: dt.datetime) -> list[Moment]:
    records = list(PersonMembership.objects.filter(person_id=person_id).values_list("record_id", flat=True))
    timeline: list[Moment] = []
    versions = visible(user, EventVersion.objects.filter(
        recorded_at__gte=start, recorded_at__lte=end,
        id__in=EventSubject.objects.filter(person_id__in=records).values("version_id"),
    )).select_related("record__source").order_by("recorded_at")
    for v in versions:
        kind = "recorded" if v.record.first_recorded_at == v.recorded_at else "updated"
        timeline.append(Moment(v.recorded_at, f"{v.record.source.code} {kind} {v.type.replace('_', ' ')} "
                                              f"{v.record.ext_id} (happened {v.at.astimezone(LONDON):%d %b %Y %H:%M})"))
    alerts = visible(user, Alert.objects.filter(subjects__person_id=person_id).filter(
        Q(raised_at__range=(start, end)) | Q(closed_at__range=(start, end)) | Q(resolved_at__range=(start, end)))).distinct()
    alerts = list(alerts)
    summaries = render_summaries(user, alerts)
    for alert in alerts:
        if start <= alert.raised_at <= end:
            due = f", due {alert.due_at.astimezone(LONDON):%d %b %Y %H:%M}" if alert.due_at else ""
            severity = severities_as_of([alert], alert.raised_at)[alert.pk]  # one person's alerts: a handful
            timeline.append(Moment(alert.raised_at, f"ALERT {alert.rule} raised ({severity}{due}): {summaries[alert.pk]}"))
        if alert.due_at and start <= alert.due_at <= end and not (alert.closed_at and alert.closed_at <= alert.due_at):
            timeline.append(Moment(alert.due_at, f"ALERT {alert.rule} now overdue"))
        if alert.resolved_at and start <= alert.resolved_at <= end:
            timeline.append(Moment(alert.resolved_at, f"ALERT {alert.rule} resolved by a person: {alert.rationale}"))
        elif alert.closed_at and start <= alert.closed_at <= end:
            timeline.append(Moment(alert.closed_at, f"ALERT {alert.rule} {alert.close_reason}"))
    return sorted(timeline, key=lambda m: m.at)
