"""The alert page: what must be done, by whom and by when, why it was raised, and what happened since."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from safeguard.access.masking import masked_fields
from safeguard.access.policy import get_visible, visible
from safeguard.alerts.models import Alert, AlertEvidence, AlertHistory, AlertSubject
from safeguard.alerts.selectors import OPEN, status_as_of
from safeguard.alerts.summaries import as_seen_by
from safeguard.core.clock import now
from safeguard.records.models import VERSION_MODELS, EventReference, EventSubject, Kind, SourceRecord

from ..words import (
    LINK_ROLES,
    RELATIONSHIP_PARTS,
    SUBJECT_ROLES,
    event_details,
    event_label,
    rule_action,
    rule_title,
)
from .common import (
    PersonBrief,
    PlaceBrief,
    best_place_label,
    display_name,
    dob_text,
    person_briefs,
    persons_of_records,
    place_briefs,
)


@dataclass
class Involved:
    person_id: int
    roles: list[str]
    brief: PersonBrief | None


@dataclass
class EvidenceItem:
    record_id: int
    kind: str
    source: str
    ext_id: str
    recorded_at: dt.datetime
    happened_at: dt.datetime | None
    title: str
    details: list[str] = field(default_factory=list)
    people: list[tuple[int, str, str]] = field(default_factory=list)  # (person id, name, role)
    place: PlaceBrief | None = None
    found: PlaceBrief | None = None  # where a missing child was found
    masked: bool = False


@dataclass
class HistoryItem:
    at: dt.datetime
    title: str
    by: str
    note: str = ""


@dataclass
class AlertPage:
    alert: Alert
    status: str
    closed_at: dt.datetime | None
    overdue: bool
    moment: dt.datetime
    subjects: list[Involved]
    others: list[Involved]
    places: list[PlaceBrief]
    evidence: list[EvidenceItem]
    hidden_evidence: int
    history: list[HistoryItem]

    @property
    def title(self) -> str:
        return rule_title(self.alert.rule)

    @property
    def action(self) -> str:
        return rule_action(self.alert.rule)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


def _pick_versions(kind: str, record_ids: list[int], moment: dt.datetime, user) -> dict[int, object]:
    """Each record's version that counted when the alert was raised (else its earliest)."""
    model = VERSION_MODELS[kind]
    chosen: dict[int, object] = {}
    for version in visible(user, model.objects.filter(record_id__in=record_ids, deleted=False)).order_by(
            "record_id", "recorded_at"):
        if version.record_id not in chosen or version.recorded_at <= moment:
            chosen[version.record_id] = version
    return chosen


def _evidence(user, alert: Alert) -> tuple[list[EvidenceItem], int, dict[int, list[str]], list[PlaceBrief]]:
    record_ids = list(AlertEvidence.objects.filter(alert=alert).order_by("pk").values_list("record_id", flat=True))
    records = {r.pk: r for r in visible(user, SourceRecord.objects.filter(pk__in=record_ids)).select_related("source")}
    hidden = len(set(record_ids) - set(records))
    by_kind: dict[str, list[int]] = defaultdict(list)
    for record in records.values():
        by_kind[record.kind].append(record.pk)
    versions = {kind: _pick_versions(kind, ids, alert.raised_at, user) for kind, ids in by_kind.items()}

    # Everyone and everywhere the evidence names, read in bulk.
    person_records: set[int] = set(by_kind.get(Kind.PERSON, []))
    location_records: set[int] = set(by_kind.get(Kind.LOCATION, []))
    for v in versions.get(Kind.PERSON_LOCATION, {}).values():
        person_records.add(v.person_id)
        location_records.add(v.location_id)
    for v in versions.get(Kind.RELATIONSHIP, {}).values():
        person_records.update((v.person_id, v.other_id))
    event_versions = versions.get(Kind.EVENT, {})
    subjects: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for version_id, person, role in visible(user, EventSubject.objects.filter(
            version_id__in=[v.pk for v in event_versions.values()])).values_list("version_id", "person_id", "role"):
        subjects[version_id].append((person, role))
        person_records.add(person)
    for v in event_versions.values():
        if v.location_id:
            location_records.add(v.location_id)
    found_at = dict(EventReference.objects.filter(version_id__in=[v.pk for v in event_versions.values()],
                                                  name="found_location").values_list("version_id", "target_id"))
    location_records.update(found_at.values())
    person_of = persons_of_records(r for r in person_records if r)
    briefs = person_briefs(user, set(person_of.values()), None)
    places = place_briefs(user, location_records, None)
    named_roles: dict[int, list[str]] = defaultdict(list)

    def person(record_id: int | None, role: str = "") -> tuple[int, str, str] | None:
        if not record_id:
            return None
        pid = person_of.get(record_id, -record_id)
        brief = briefs.get(pid)
        if role:
            named_roles[pid].append(role)
        return pid, brief.name if brief else "a person not shared with you", role

    items: list[EvidenceItem] = []
    hidden_person = masked_fields(user, "person", by_kind.get(Kind.PERSON, []))
    for record_id, record in records.items():
        v = versions.get(record.kind, {}).get(record_id)
        if v is None:
            continue
        item = EvidenceItem(record_id, record.kind, record.source.code, record.ext_id, v.recorded_at, None, "")
        if record.kind == Kind.PERSON:
            masked = hidden_person.get(record_id, set())
            item.masked = bool(masked)
            name = "Name restricted" if {"given_names", "family_name"} & masked else display_name(v.given_names, v.family_name)
            item.title = f"Person record: {name}"
            if v.dob and "dob" not in masked:
                item.details.append(f"Born {dob_text(v.dob)}")
            found = person(record_id)
            if found:
                item.people.append(found)
        elif record.kind == Kind.LOCATION:
            item.place = places.get(record_id)
            item.title = "Address record"
            item.masked = bool(item.place and item.place.masked)
        elif record.kind == Kind.PERSON_LOCATION:
            who = person(v.person_id, "")
            item.place = places.get(v.location_id)
            item.title = f"{LINK_ROLES.get(v.role, v.role)} an address"
            if who:
                item.people.append(who)
            span = " ".join(s for s in (f"from {v.from_date:%-d %b %Y}" if v.from_date else "",
                                          f"to {v.to_date:%-d %b %Y}" if v.to_date else "") if s)
            if span:
                item.details.append(span[0].upper() + span[1:])
        elif record.kind == Kind.RELATIONSHIP:
            mine, theirs = RELATIONSHIP_PARTS.get(v.type, (v.type, v.type))
            first = person(v.person_id)
            second = person(v.other_id)
            item.title = "Relationship"
            if first:
                first = (first[0], first[1], mine)
            if second:
                second = (second[0], second[1], theirs)
            item.people += [p for p in (first, second) if p]
            if v.from_date:
                item.details.append(f"From {v.from_date:%-d %b %Y}")
        else:
            item.happened_at = v.at
            item.title = event_label(v.type)
            item.details = event_details(v.type, v.attributes)
            if v.ends_at:
                item.details.append(f"Ended {timezone.localtime(v.ends_at):%-d %b %Y, %H:%M}")
            item.place = places.get(v.location_id) if v.location_id else None
            item.found = places.get(found_at[v.pk]) if v.pk in found_at else None
            for person_record, role in subjects.get(v.pk, []):
                found = person(person_record, SUBJECT_ROLES.get(role, role))
                if found:
                    item.people.append(found)
        items.append(item)
    items.sort(key=lambda i: (i.happened_at or i.recorded_at, i.recorded_at))
    by_place: dict[int | None, list[PlaceBrief]] = defaultdict(list)
    for brief in places.values():
        if brief.shared:
            by_place[brief.place_id or -brief.record_id].append(brief)
    involved_places = [b for b in (best_place_label(bs) for bs in by_place.values()) if b]
    return items, hidden, named_roles, involved_places


def _history(alert: Alert, status: str, closed_at: dt.datetime | None) -> list[HistoryItem]:
    items = [HistoryItem(alert.raised_at, "Raised", "Safeguard, from the records below")]
    labels = {"acknowledged": "Acknowledged", "assigned": "Assigned", "resolved": "Resolved"}
    for entry in AlertHistory.objects.filter(alert=alert).select_related("actor").order_by("at", "pk"):
        who = entry.actor.display_name if entry.actor else "the system"
        items.append(HistoryItem(entry.at, labels.get(entry.action, entry.action.capitalize()), who, entry.note))
    if alert.closed_at and status in ("satisfied", "lapsed"):
        text = ("Done: the records now show what was required" if status == "satisfied"
                else "Lapsed: the situation stopped before anything was recorded")
        items.append(HistoryItem(alert.closed_at, text, "Safeguard, from the records"))
    return sorted(items, key=lambda i: i.at, reverse=True)


def alert_page(user, alert_id: int) -> AlertPage:
    alert = get_visible(user, Alert.objects.select_related(
        "owner_organisation", "owner_team", "assigned_to", "acknowledged_by", "resolved_by"), pk=alert_id)
    moment = now()
    as_seen_by(user, [alert], moment)  # summary masked for this user, severity as of the moment
    status, closed_at = status_as_of(alert, moment)
    evidence, hidden, named_roles, places = _evidence(user, alert)
    subject_rows = list(AlertSubject.objects.filter(alert=alert).order_by("pk").values_list("person_id", "role"))
    subject_ids = {p for p, _ in subject_rows}
    briefs = person_briefs(user, subject_ids | set(named_roles), None, with_markers=True)
    roles: dict[int, list[str]] = defaultdict(list)
    for person_id, role in subject_rows:
        roles[person_id].append(SUBJECT_ROLES.get(role, role))
    subjects = [Involved(p, roles[p], briefs.get(p)) for p in dict.fromkeys(p for p, _ in subject_rows)]
    others = [Involved(p, sorted(set(r for r in named_roles[p] if r)), briefs[p])
              for p in named_roles if p not in subject_ids and p in briefs]
    return AlertPage(
        alert=alert, status=status, closed_at=closed_at, moment=moment,
        overdue=status in OPEN and alert.due_at is not None and moment > alert.due_at,
        subjects=subjects, others=others, places=places, evidence=evidence, hidden_evidence=hidden,
        history=_history(alert, status, closed_at),
    )
