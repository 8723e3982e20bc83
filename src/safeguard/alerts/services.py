"""Writing alerts: evaluation (the machine part) and people's actions (the human part)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import NamedTuple

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from safeguard.access.policy import can_view
from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.clock import now
from safeguard.core.db import among, bulk_insert, bulk_update, plain_rows, refresh_statistics
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.rules.engine import AlertData, compute, gc_paused
from safeguard.rules.scope import scope_of
from safeguard.rules.settings import RuleSettings

from .models import Alert, AlertEvidence, AlertHistory, AlertSeverity, AlertSubject, EvaluationState
from .routing import Router

MACHINE_FIELDS = ("due_at", "closed_at", "close_reason", "severity", "summary", "summary_parts", "owner_organisation_id",
                  "owner_team_id")


def partnership_settings() -> RuleSettings:
    """The rule settings in force: the spec's defaults with the partnership's overrides."""
    from .models import Partnership

    partnership = Partnership.objects.order_by("pk").first()
    return RuleSettings.with_overrides(partnership.settings if partnership else None)


def evaluate(*, horizon: dt.datetime | None = None, actor=None, actor_label: str = "system",
             persons: set[int] | None = None, locations: set[int] | None = None,
             records: set[int] | None = None) -> dict[str, int]:
    """Bring the stored alert history up to date as far as `horizon` (default now).

    History only grows in recorded time: asking for an earlier horizon than one already
    evaluated changes nothing (the stored history already answers it).

    Incremental (any of persons, locations, records given: resolved ids and source record ids a
    change touched): only the alerts of the people the change can affect are judged again
    (rules.scope), from their records; the rest of the history is left as it is, and the clock's
    next full evaluation brings it up to date.
    """
    requested = horizon or now()
    incremental = persons is not None or locations is not None or records is not None
    # The cyclic collector stays paused from computing the alerts to writing them, and the computed
    # alerts go before it resumes: else its first collection walks every one of them (engine.gc_paused).
    with transaction.atomic(), gc_paused():
        state, _ = EvaluationState.objects.select_for_update().get_or_create(pk=1, defaults={"evaluated_until": None})
        horizon = max(requested, state.evaluated_until) if state.evaluated_until else requested
        scope = scope_of(persons=persons, locations=locations, records=records) if incremental else None
        computed = compute(horizon, partnership_settings(), scope=scope)
        summary = reconcile(computed, Router(), None if scope is None else scope.core)
        del computed
        if not incremental:
            state.evaluated_until = horizon
        state.evaluated_at = now()
        state.save()
        audit_log(actor=actor, actor_label=actor_label, action=Action.ALTERATION, object_type="alert_evaluation",
                  object_ids=[], details={"horizon": horizon.isoformat(), "incremental": incremental, **summary})
    if not incremental:  # a full evaluation may rewrite most alerts: plan the next queries on what is there now
        refresh_statistics(Alert, AlertEvidence, AlertHistory, AlertSeverity, AlertSubject)
    return summary


def evaluate_after_load(load_summary) -> str:
    """After-load hook (order 20, after linkage's): judge again the alerts of the people and places
    the load touched, and of those whose linkage it changed (`load_summary.linkage`)."""
    linkage = getattr(load_summary, "linkage", None)
    result = evaluate(actor_label="after load", records=set(load_summary.touched_record_ids),
                      persons=set(linkage.changed_persons) if linkage else set(),
                      locations=set(linkage.changed_locations) if linkage else set())
    return f"alerts: {result['created']} raised, {result['updated']} updated, {result['removed']} withdrawn"


class _Stored(NamedTuple):
    """What an evaluation needs of a stored alert: its identity, machine fields, and whether
    people have acted on it (plain values: no model instance for each of the force's alerts)."""

    pk: int
    rule: str
    key: str
    raised_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    severity: str
    summary: str
    summary_parts: list
    owner_organisation_id: int | None
    owner_team_id: int | None
    touched_by_people: bool


_STORED_FIELDS = ("pk", "rule", "key", "raised_at", *MACHINE_FIELDS)


def _stored(queryset, *, many: bool = True) -> Iterator[_Stored]:
    touched = Q(acknowledged_at__isnull=False) | Q(resolved_at__isnull=False) | Q(assigned_to__isnull=False)
    rows = queryset.annotate(touched=ExpressionWrapper(touched, output_field=BooleanField()))
    make = _Stored._make
    for row in plain_rows(rows, (*_STORED_FIELDS, "touched"), size=20000, many=many):
        yield make((*row[:-1], bool(row[-1])))


def _existing(core: frozenset[int] | None, keys: set[str]) -> list[_Stored]:
    """The stored alerts an evaluation judges again: all, or those with a subject in the core and
    those of the keys it computed (whose subjects may have changed)."""
    if core is None:
        return list(_stored(Alert.objects.all()))
    ids: set[int] = set()
    for part in among(AlertSubject.objects, "person_id", core):
        ids.update(part.values_list("alert_id", flat=True))
    for part in among(Alert.objects, "key", keys):
        ids.update(part.values_list("pk", flat=True))
    found = []
    for part in among(Alert.objects, "pk", ids):
        found.extend(_stored(part, many=False))
    return found


def reconcile(computed: list[AlertData], router: Router, core: frozenset[int] | None = None) -> dict[str, int]:
    """Write what the evaluation computed: new alerts, changed ones, and withdraw the unsupported.

    An alert the evaluation computed exactly as it is stored (fields, subjects, evidence and
    severity history) is not written at all: most of an evaluation's alerts are unchanged, and
    rewriting them (their rows deleted and inserted again) was most of an incremental update.

    Plain rows throughout (no model instance per alert), with the cyclic garbage collector paused
    as during the computation: at 100,000 people building an `Alert` for each of 112,507 new
    alerts, and the collections their allocations set off, were most of the time spent here.
    """
    with gc_paused():
        return _reconcile(computed, router, core)


def _reconcile(computed: list[AlertData], router: Router, core: frozenset[int] | None) -> dict[str, int]:
    existing = {(a.rule, a.key, a.raised_at): a for a in _existing(core, {c.key for c in computed})}
    wanted = {(c.rule, c.key, c.raised_at): c for c in computed}
    created: list[tuple[AlertData, int | None, int | None]] = []
    updated: list[tuple] = []  # (pk, *MACHINE_FIELDS) as bulk_update writes them
    changed_details: list[tuple[int, AlertData]] = []
    stored = _stored_details([a.pk for identity, a in existing.items() if identity in wanted], everything=core is None)
    for identity, data in wanted.items():
        organisation, team = router.owner(data.rule)
        found = existing.get(identity)
        if found is None:
            created.append((data, organisation, team))
            continue
        summary = data.summary[:2000]
        parts = data.summary_parts
        fields_differ = (found.due_at != data.due_at or found.closed_at != data.closed_at
                         or found.close_reason != data.close_reason or found.severity != data.severity
                         or found.summary != summary or found.owner_organisation_id != organisation
                         or found.owner_team_id != team)
        if found.summary_parts != parts:
            # (parts as computed may hold tuples where the stored JSON has lists)
            parts = _as_stored(parts)
            fields_differ = fields_differ or found.summary_parts != parts
        if fields_differ:
            updated.append((found.pk, data.due_at, data.closed_at, data.close_reason, data.severity, summary,
                            json.dumps(parts), organisation, team))
        if stored.get(found.pk) != _details(data):
            changed_details.append((found.pk, data))
    # Alerts the records no longer support go, unless people have acted on them.
    gone = [a for identity, a in existing.items() if identity not in wanted and not a.touched_by_people]
    if gone:
        for part in among(Alert.objects, "pk", [a.pk for a in gone]):
            part.delete()
    new_ids = _insert_new(created)
    bulk_update(Alert, MACHINE_FIELDS, updated)
    _replace_details(list(zip(new_ids, (data for data, _, _ in created), strict=True)), fresh=True)
    _replace_details(changed_details)
    rewritten = {row[0] for row in updated} | {pk for pk, _ in changed_details}
    return {"created": len(created), "updated": len(rewritten), "unchanged": len(wanted) - len(created) - len(rewritten),
            "removed": len(gone), "total": len(wanted)}


NEW_COLUMNS = ("rule", "key", "raised_at", "due_at", "closed_at", "close_reason", "severity", "summary", "summary_parts",
               "owner_organisation_id", "owner_team_id", "rationale")


def _insert_new(alerts: list[tuple[AlertData, int | None, int | None]]) -> list[int]:
    """Insert new alerts (each with its owning organisation and team) as plain rows (bulk_create
    built a model and SQL for each: a third of a first full evaluation), and return their ids in
    order, found by their identity (rule, key, raised_at: unique) among the rows above the highest
    id before."""
    if not alerts:
        return []
    before = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    bulk_insert(Alert, NEW_COLUMNS, [(d.rule, d.key, d.raised_at, d.due_at, d.closed_at, d.close_reason, d.severity,
                                      d.summary[:2000], json.dumps(d.summary_parts), organisation, team, "")
                                     for d, organisation, team in alerts])
    ids = {(rule, key, raised_at): pk for pk, rule, key, raised_at in
           Alert.objects.filter(pk__gt=before).values_list("pk", "rule", "key", "raised_at").iterator(chunk_size=20000)}
    return [ids[(d.rule, d.key, d.raised_at)] for d, _, _ in alerts]


def _as_stored(value):
    """A JSON value as the database gives it back (tuples become lists)."""
    return json.loads(json.dumps(value))


def _details(data: AlertData) -> tuple[list, list, list]:
    """An alert's subjects, evidence and severity history, as _replace_details writes them."""
    return ([(p, r) for p, r in data.subjects], [r for r in data.evidence if r > 0],
            [(since, severity) for since, severity in data.severities])


def _stored_details(ids: list[int], *, everything: bool) -> dict[int, tuple[list, list, list]]:
    """The stored subjects, evidence and severity history of these alerts, in writing order
    (everything: the ids are all or nearly all alerts, read each table whole)."""
    out: dict[int, tuple[list, list, list]] = {pk: ([], [], []) for pk in ids}
    tables = ((AlertSubject, ("person_id", "role"), 0), (AlertEvidence, ("record_id",), 1),
              (AlertSeverity, ("since", "severity"), 2))
    for model, fields, slot in tables:
        if everything:
            chunks = [model.objects.all()]
        else:
            chunks = list(among(model.objects, "alert_id", ids))
        for qs in chunks:
            for row in plain_rows(qs.order_by("pk"), ("alert_id", *fields), size=20000, many=everything):
                entry = out.get(row[0])
                if entry is not None:
                    entry[slot].append(row[1] if slot == 1 else row[1:])
    return out


def _replace_details(pairs: list[tuple[int, AlertData]], *, fresh: bool = False) -> None:
    """Write these alerts' (id, computed alert) subjects, evidence and severity history (fresh:
    new alerts, none yet)."""
    ids = [] if fresh else [pk for pk, _ in pairs]
    for model in (AlertSubject, AlertEvidence, AlertSeverity):
        for part in among(model.objects, "alert_id", ids):
            part.delete()
    bulk_insert(AlertSubject, ("alert_id", "person_id", "role"), [(pk, p, r) for pk, d in pairs for p, r in d.subjects])
    bulk_insert(AlertEvidence, ("alert_id", "record_id"), [(pk, r) for pk, d in pairs for r in d.evidence if r > 0])
    bulk_insert(AlertSeverity, ("alert_id", "since", "severity"),
                [(pk, since, severity) for pk, d in pairs for since, severity in d.severities])


# ---- people's actions --------------------------------------------------------------------

def _act(alert: Alert, actor, action: str, note: str = "") -> None:
    if not can_view(actor, alert):
        raise PermissionDenied("Not found")
    AlertHistory.objects.create(alert=alert, at=now(), action=action, actor=actor, note=note)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at or alert.acknowledged_at:
        raise SafeguardError("This alert has already been acknowledged or resolved.")
    _act(alert, actor, "acknowledged")
    alert.acknowledged_at, alert.acknowledged_by = now(), actor
    alert.assigned_to = alert.assigned_to or actor
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "assigned_to"])
    audit_log(actor=actor, action=Action.ALTERATION, object_type="alert", object_ids=[alert.pk], details={"action": "acknowledge"})
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, actor, rationale: str) -> Alert:
    rationale = rationale.strip()
    if len(rationale) < 10:
        raise SafeguardError("Write why this alert can be closed (at least 10 characters): it is kept for review.")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at:
        raise SafeguardError("This alert has already been resolved.")
    _act(alert, actor, "resolved", rationale)
    alert.resolved_at, alert.resolved_by, alert.rationale = now(), actor, rationale
    alert.save(update_fields=["resolved_at", "resolved_by", "rationale"])
    audit_log(actor=actor, action=Action.ALTERATION, object_type="alert", object_ids=[alert.pk], details={"action": "resolve"})
    return alert


@transaction.atomic
def alert_assign(*, alert: Alert, actor, assignee, team=None) -> Alert:
    """Give an alert to a person (and optionally a team). The assignee must be able to see it."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at:
        raise SafeguardError("This alert has been resolved; it cannot be assigned.")
    if not can_view(assignee, alert):
        raise SafeguardError(f"{assignee.display_name} cannot see this alert, so it cannot be assigned to them.")
    _act(alert, actor, "assigned", f"to {assignee.display_name}")
    alert.assigned_to = assignee
    fields = ["assigned_to"]
    if team is not None:
        alert.owner_team = team
        fields.append("owner_team")
    alert.save(update_fields=fields)
    audit_log(actor=actor, action=Action.ALTERATION, object_type="alert", object_ids=[alert.pk],
              details={"action": "assign", "assignee": assignee.pk})
    return alert


def alerts_bulk_assign(*, alerts: list[Alert], actor, assignee) -> int:
    """A supervisor gives several alerts to one person; each is checked and logged as one assignment."""
    if not actor.has_role("supervisor") and not actor.is_superuser:
        raise PermissionDenied("Only supervisors assign alerts in bulk.")
    with transaction.atomic():
        for alert in alerts:
            alert_assign(alert=alert, actor=actor, assignee=assignee)
    return len(alerts)
