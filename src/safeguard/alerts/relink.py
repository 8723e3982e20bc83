"""Alerts follow linkage changes (shared/spec/rules.md, "When linkage changes").

- A merge keeps the oldest resolved id; the alerts of the merged people move with it, and two
  alerts that now share a key become one: the older, keeping every action on both (the history
  rows of the other move to it; its acknowledgement and assignment fill what the older lacks).
- After a split, an alert stays with the resolved person that keeps its evidence (it takes the
  key the rules now give that evidence); an alert whose condition no longer holds lapses: an alert
  people have acted on is closed as `lapsed` at the moment of the change and keeps its actions;
  one nobody touched is withdrawn by the evaluation, as any alert the records no longer support.

How: the rules judge the people the change touched again (the same incremental scope as
`services.evaluate`), and each stored alert of those people is matched to the alert the rules
now give: the same identity (rule, key, raised_at) if it is still there, else an alert of the
same rule that shares its evidence (the one raised at the same moment, else the one sharing most
evidence). A matched alert takes the new identity in place, so its id, its history and people's
part of it stay; the evaluation then rewrites its machine part (subjects, evidence, severity).

Called by linkage (`linkage.services`) inside the transaction that changes memberships. Every
write is audited: one "alteration" entry per change that moved, merged or lapsed alerts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.clock import now
from safeguard.rules.engine import AlertData, compute
from safeguard.rules.scope import scope_of

from .models import Alert, AlertEvidence, AlertHistory, AlertSubject, EvaluationState
from .routing import Router

CHUNK = 900
# Above this many changed people (a batch run), the subjects of every alert are read at once
# rather than looked up by person, a chunk at a time.
SCAN_ABOVE = 20_000


@dataclass
class RelinkResult:
    moved: dict[int, str] = field(default_factory=dict)  # alert id -> its new key
    merged: dict[int, list[int]] = field(default_factory=dict)  # kept alert id -> alert ids merged into it
    lapsed: list[int] = field(default_factory=list)
    evaluation: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.moved or self.merged or self.lapsed)

    def summary(self) -> dict:
        return {"moved": {str(k): v for k, v in sorted(self.moved.items())},
                "merged": {str(k): v for k, v in sorted(self.merged.items())}, "lapsed": sorted(self.lapsed)}


def _chunks(ids: Iterable) -> Iterable[list]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def _alerts_of(persons: set[int]) -> list[Alert]:
    """The stored alerts with a subject among these resolved persons (set-based, chunked)."""
    ids: set[int] = set()
    if len(persons) > SCAN_ABOVE:
        ids = {a for a, p in AlertSubject.objects.values_list("alert_id", "person_id").iterator(chunk_size=10_000)
               if p in persons}
    else:
        for chunk in _chunks(persons):
            ids.update(AlertSubject.objects.filter(person_id__in=chunk).values_list("alert_id", flat=True))
    found: list[Alert] = []
    for chunk in _chunks(ids):
        found.extend(Alert.objects.select_for_update().filter(pk__in=chunk))
    return sorted(found, key=lambda a: (a.raised_at, a.pk))


def _subjects_in(alerts: list[Alert], persons: set[int]) -> set[int]:
    """The ids of those alerts with a subject among these persons."""
    out: set[int] = set()
    for chunk in _chunks(a.pk for a in alerts):
        out.update(a for a, p in AlertSubject.objects.filter(alert_id__in=chunk).values_list("alert_id", "person_id")
                   if p in persons)
    return out


def _evidence_of(alerts: list[Alert]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(a.pk for a in alerts):
        for alert_id, record_id in AlertEvidence.objects.filter(alert_id__in=chunk).values_list("alert_id", "record_id"):
            out[alert_id].add(record_id)
    return out


def _match(alerts: list[Alert], evidence: dict[int, set[int]],
           computed: list[AlertData]) -> dict[int, tuple[str, str, dt.datetime]]:
    """Stored alert id -> the identity (rule, key, raised_at) of the alert the rules now give it."""
    by_identity = {(c.rule, c.key, c.raised_at): c for c in computed}
    by_rule: dict[str, list[AlertData]] = defaultdict(list)
    for c in computed:
        by_rule[c.rule].append(c)
    out = {}
    for alert in alerts:
        identity = (alert.rule, alert.key, alert.raised_at)
        if identity in by_identity:
            out[alert.pk] = identity
            continue
        mine = evidence.get(alert.pk, set())
        best, best_rank = None, None
        for c in by_rule.get(alert.rule, ()):
            shared = len(mine.intersection(c.evidence))
            if not shared:
                continue
            rank = (c.raised_at == alert.raised_at, shared, -abs((c.raised_at - alert.raised_at).total_seconds()),
                    c.key == alert.key)
            if best_rank is None or rank > best_rank:
                best, best_rank = c, rank
        if best is not None:
            out[alert.pk] = (best.rule, best.key, best.raised_at)
    return out


def _fold(kept: Alert, others: list[Alert], moment: dt.datetime, actor) -> None:
    """Make `kept` (the older alert) the one alert of a key: every action on the others moves to
    it. It stays resolved only if every one of them was (safety first: the situation one of them
    still had open is not closed by a resolution written about another)."""
    AlertHistory.objects.filter(alert__in=others).update(alert=kept)
    for other in others:
        if other.acknowledged_at and (not kept.acknowledged_at or other.acknowledged_at < kept.acknowledged_at):
            kept.acknowledged_at, kept.acknowledged_by_id = other.acknowledged_at, other.acknowledged_by_id
        if not kept.assigned_to_id and other.assigned_to_id:
            kept.assigned_to_id = other.assigned_to_id
    group = [kept, *others]
    if kept.resolved_at and not all(a.resolved_at for a in group):
        kept.resolved_at, kept.resolved_by_id, kept.rationale = None, None, ""
    elif kept.resolved_at:
        latest = max(group, key=lambda a: a.resolved_at)
        kept.resolved_at, kept.resolved_by_id = latest.resolved_at, latest.resolved_by_id
        kept.rationale = "\n\n".join(a.rationale for a in group if a.rationale)
    note = "; ".join(f"alert {a.pk} ({a.key}, raised {a.raised_at.isoformat()})" for a in others)
    AlertHistory.objects.create(alert=kept, at=moment, action="merged", actor=actor,
                                note=f"Linkage joined their people: merged into this alert: {note}")
    Alert.objects.filter(pk__in=[a.pk for a in others]).delete()


def follow_linkage(*, persons: set[int], locations: set[int] | None = None, merged: dict[int, int] | None = None,
                   actor=None, actor_label: str = "system", reason: str = "", evaluate: bool = True) -> RelinkResult:
    """Bring alerts in line with a linkage change: `persons` and `locations` are the resolved ids
    that gained or lost records, `merged` the persons retired by it (retired id -> the id it was
    merged into).

    The alerts of everyone the change can affect (rules.scope) are matched to what the rules now
    give; only those with a subject among the changed persons lapse when nothing matches (a place
    merging or splitting moves alerts between keys, but the evaluation judges the rest).
    With `evaluate`, those alerts are then judged again (as `services.evaluate` does for them);
    without it the caller must evaluate them next (the after-load hook does)."""
    merged = dict(merged or {})
    affected = set(persons) | set(merged) | set(merged.values())
    locations = set(locations or ())
    result = RelinkResult()
    if not (affected or locations) or not (evaluate or Alert.objects.exists()):
        return result
    with transaction.atomic():
        scope = scope_of(persons=affected, locations=locations)
        alerts = _alerts_of(set(scope.core) | affected)
        if not alerts and not evaluate:
            return result
        from .services import partnership_settings, reconcile

        state, _ = EvaluationState.objects.select_for_update().get_or_create(pk=1, defaults={"evaluated_until": None})
        moment = now()
        horizon = max(moment, state.evaluated_until) if state.evaluated_until else moment
        mine = _subjects_in(alerts, affected)
        computed = compute(horizon, partnership_settings(), scope=scope)
        targets = _match(alerts, _evidence_of(alerts), computed)
        # Stored alerts of other people that already hold an identity the rules now give (a key
        # of the kept person's): they are the older alert of that key, or one to merge into it.
        identities = {(c.rule, c.key, c.raised_at) for c in computed}
        loaded = {a.pk for a in alerts}
        for chunk in _chunks({c.key for c in computed}):
            for alert in Alert.objects.select_for_update().filter(key__in=chunk):
                if alert.pk not in loaded and (alert.rule, alert.key, alert.raised_at) in identities:
                    targets[alert.pk] = (alert.rule, alert.key, alert.raised_at)
                    alerts.append(alert)
        alerts.sort(key=lambda a: (a.raised_at, a.pk))

        groups: dict[tuple, list[Alert]] = defaultdict(list)
        for alert in alerts:  # oldest first
            if alert.pk in targets:
                groups[targets[alert.pk]].append(alert)
        renamed: list[tuple[Alert, tuple]] = []
        for identity, members in groups.items():
            kept, *others = members
            if others:
                _fold(kept, others, moment, actor)
                result.merged[kept.pk] = [a.pk for a in others]
            if (kept.rule, kept.key, kept.raised_at) != identity or others:
                renamed.append((kept, identity))
        old_identity = {k.pk: (k.rule, k.key, k.raised_at) for k, _ in renamed}
        # Two steps, so that alerts trading identities never meet the one-alert-per-raise constraint.
        for kept, _ in renamed:
            kept.key = f"~relink~{kept.pk}"
        Alert.objects.bulk_update([k for k, _ in renamed], ["key"], batch_size=500)
        for kept, (_, key, raised_at) in renamed:
            if (key, raised_at) != (old_identity[kept.pk][1], old_identity[kept.pk][2]):
                result.moved[kept.pk] = key
            kept.key, kept.raised_at = key, raised_at
        Alert.objects.bulk_update([k for k, _ in renamed],
                                  ["key", "raised_at", "acknowledged_at", "acknowledged_by", "assigned_to", "resolved_at",
                                   "resolved_by", "rationale"], batch_size=500)
        history = [AlertHistory(alert=k, at=moment, action="moved", actor=actor,
                                note=f"Linkage changed its people: now {k.key}, raised {k.raised_at.isoformat()}")
                   for k, _ in renamed if k.pk in result.moved and k.pk not in result.merged]
        # Alerts whose condition no longer holds: those people acted on lapse now; the rest are
        # withdrawn by the evaluation, as any alert the records no longer support.
        lapsing = [a for a in alerts if a.pk not in targets and a.pk in mine and a.touched_by_people
                   and (a.closed_at is None or a.closed_at > moment)]
        for alert in lapsing:
            alert.closed_at, alert.close_reason = moment, "lapsed"
            history.append(AlertHistory(alert=alert, at=moment, action="lapsed", actor=actor,
                                        note="Linkage changed its people: the condition no longer holds"))
        Alert.objects.bulk_update(lapsing, ["closed_at", "close_reason"], batch_size=500)
        result.lapsed = [a.pk for a in lapsing]
        AlertHistory.objects.bulk_create(history, batch_size=500)
        # Alerts left with a retired id as subject (lapsed ones: the evaluation rewrites the rest)
        # name the person it was merged into.
        renamed_subjects = []
        for chunk in _chunks(a.pk for a in alerts if a.pk not in targets):
            for subject in AlertSubject.objects.filter(alert_id__in=chunk):
                if subject.person_id in merged:
                    subject.person_id = merged[subject.person_id]
                    renamed_subjects.append(subject)
        AlertSubject.objects.bulk_update(renamed_subjects, ["person_id"], batch_size=500)
        if evaluate:
            result.evaluation = reconcile(computed, Router(), scope.core)
        if result.changed or evaluate:
            details = {**result.summary(), "persons": len(affected), "locations": len(locations),
                       "alerts_considered": len(alerts), "reason": reason[:200]}
            if evaluate:
                details["evaluation"] = result.evaluation
            audit_log(actor=actor, actor_label=actor_label, action=Action.ALTERATION, object_type="alert_relink",
                      object_ids=sorted({*result.moved, *result.merged, *(x for v in result.merged.values() for x in v),
                                         *result.lapsed}), details=details)
    return result
