"""What each viewer is shown of an alert: its summary with only the details they may see, and its
severity as of a moment.

A summary names people, places and details drawn from records of several organisations; a
partner who sees an alert through one record of its evidence must not read, in its summary, the
names or convictions held only by others. The engine stores the summary as parts, each naming
the records it came from (rules.world.World.render); a part is shown from the first of its
options whose records the viewer may see through the access layer (and whose fields are not
restricted from them), else in a neutral form ("a person", "an address").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from safeguard.access.masking import masked_fields
from safeguard.access.policy import sees_everything, visible
from safeguard.records.models import SourceRecord

from .models import Alert, AlertSeverity

#: the fields whose restriction hides a part of each kind (access.models.Restriction.fields)
RESTRICTED_FIELDS = {"person": {"given_names", "family_name"}, "location": {"address"}}


def render_summaries(user, alerts: Iterable[Alert]) -> dict[int, str]:
    """alert id -> its summary as this user may read it. A few queries for the whole set."""
    alerts = list(alerts)
    if sees_everything(user):
        return {a.pk: a.summary for a in alerts}
    tokens = [part for a in alerts for part in a.summary_parts if isinstance(part, dict)]
    records = {r for part in tokens for records, _ in part["options"] for r in records}
    shown = _shown(user, records, tokens)
    out = {}
    for alert in alerts:
        if not alert.summary_parts:
            # Written without parts (before they existed, or by hand): shown as written. Every
            # evaluation rewrites the parts of each alert the engine computes.
            out[alert.pk] = alert.summary
            continue
        out[alert.pk] = "".join(part if isinstance(part, str) else _pick(part, shown) for part in alert.summary_parts)
    return out


def _shown(user, records: set[int], tokens: list[dict]) -> dict[str, set[int]]:
    """kind -> the records whose details of that kind the user may see."""
    visible_records = set()
    ids = sorted(records)
    for start in range(0, len(ids), 900):
        visible_records |= set(visible(user, SourceRecord.objects.filter(pk__in=ids[start:start + 900]))
                               .values_list("pk", flat=True))
    out = {}
    for kind in {part["kind"] for part in tokens}:
        hidden_fields = RESTRICTED_FIELDS.get(kind)
        if not hidden_fields:
            out[kind] = visible_records
            continue
        of_kind = {r for part in tokens if part["kind"] == kind for rs, _ in part["options"] for r in rs} & visible_records
        masked = masked_fields(user, kind, of_kind)
        out[kind] = {r for r in of_kind if not (masked.get(r, set()) & hidden_fields)}
    return out


def _pick(part: dict, shown: dict[str, set[int]]) -> str:
    allowed = shown.get(part["kind"], set())
    return next((text for records, text in part["options"] if allowed.intersection(records)), part["fallback"])


def severities_as_of(alerts: Iterable[Alert], moment: dt.datetime) -> dict[int, str]:
    """alert id -> its severity as of `moment` (the stored one when it has no history)."""
    alerts = list(alerts)
    out = {a.pk: a.severity for a in alerts}
    ids = [a.pk for a in alerts]
    for start in range(0, len(ids), 900):
        # Ordered by time, so each alert ends with the latest change by the moment.
        for alert_id, severity in AlertSeverity.objects.filter(alert_id__in=ids[start:start + 900], since__lte=moment).order_by(
                "since", "pk").values_list("alert_id", "severity"):
            out[alert_id] = severity
    return out


def as_seen_by(user, alerts: list[Alert], moment: dt.datetime) -> list[Alert]:
    """Set each alert's `summary` and `severity` (in memory, never saved) to what this user sees as
    of `moment`, for pages that show alert rows."""
    summaries, severities = render_summaries(user, alerts), severities_as_of(alerts, moment)
    for alert in alerts:
        alert.summary, alert.severity = summaries[alert.pk], severities[alert.pk]
    return alerts
