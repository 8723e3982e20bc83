"""A place and its household: who lives or stays there now and before, the children and their
ages, the adults and their risk markers, what happened there, and the alerts about it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.http import Http404

from safeguard.access.masking import MASK, masked_fields
from safeguard.access.policy import visible
from safeguard.alerts.models import Alert, AlertEvidence, AlertSubject
from safeguard.alerts.selectors import OPEN, status_as_of
from safeguard.core.calendar import london_date
from safeguard.linkage.models import LocationMembership, ResolvedLocation
from safeguard.records.models import EventVersion, LocationVersion, PersonLocationVersion, SourceRecord

from ..words import HOUSEHOLD_ROLES, LINK_ROLES_AT, SEVERITY_ORDER, source_label
from .common import (
    PersonBrief,
    PlaceBrief,
    best_place_label,
    counting,
    format_postcode,
    moment_or_now,
    person_briefs,
    persons_of_records,
    place_briefs,
)
from .people import AlertRow, TimelineItem, _current, timeline_items

EVENTS_SHOWN = 50


def current_place_id(place_id: int) -> int:
    seen = set()
    current = place_id
    while current not in seen:
        seen.add(current)
        merged_into = ResolvedLocation.objects.filter(pk=current).values_list("merged_into", flat=True).first()
        if not merged_into:
            return current
        current = merged_into
    return current


@dataclass
class AddressRecord:
    record_id: int
    source: str
    ext_id: str
    address: str
    postcode: str
    uprn: str
    location_type: str
    specific: bool
    recorded_at: dt.datetime
    load: str
    masked: bool

    @property
    def source_label(self) -> str:
        return source_label(self.source)


@dataclass
class Occupant:
    person_id: int
    brief: PersonBrief
    roles: list[str] = field(default_factory=list)
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    sources: set[str] = field(default_factory=set)

    @property
    def source_labels(self) -> list[str]:
        return sorted(source_label(s) for s in self.sources)


@dataclass
class PlacePage:
    id: int
    address: PlaceBrief
    records: list[AddressRecord]
    living_now: list[Occupant]
    other_now: list[Occupant]
    before: list[Occupant]
    events: list[TimelineItem]
    events_total: int
    alerts_open: list[AlertRow]
    alerts_closed: list[AlertRow]
    known_then: bool

    @property
    def children_now(self) -> list[Occupant]:
        return [o for o in self.living_now if o.brief.is_child]

    @property
    def adults_now(self) -> list[Occupant]:
        return [o for o in self.living_now if not o.brief.is_child]

    @property
    def adults_with_markers(self) -> list[Occupant]:
        return [o for o in self.living_now + self.other_now if not o.brief.is_child and o.brief.risk_markers]


def _records(place_id: int) -> list[int]:
    return list(LocationMembership.objects.filter(location_id=place_id).values_list("record_id", flat=True))


def _address_records(user, records: list[int], moment: dt.datetime | None) -> list[AddressRecord]:
    versions = visible(user, counting(LocationVersion, moment, Q(record_id__in=records))).select_related(
        "record__source", "load").order_by("record__source__code", "record__ext_id")
    hidden = masked_fields(user, "location", records)
    out = []
    for v in versions:
        masked = hidden.get(v.record_id, set())
        out.append(AddressRecord(
            v.record_id, v.record.source.code, v.record.ext_id, MASK if "address" in masked and v.address else v.address,
            MASK if "postcode" in masked and v.postcode else format_postcode(v.postcode),
            MASK if "uprn" in masked and v.uprn else v.uprn, v.location_type, v.specific, v.recorded_at,
            f"load {v.load_id} ({v.load.origin})", bool(masked)))
    return out


def _occupants(user, records: list[int], moment: dt.datetime | None) -> tuple[list[Occupant], list[Occupant], list[Occupant]]:
    on = london_date(moment_or_now(moment))
    rows = list(visible(user, counting(PersonLocationVersion, moment, Q(location_id__in=records))).values_list(
        "person_id", "role", "from_date", "to_date", "record__source__code"))
    person_of = persons_of_records(r[0] for r in rows if r[0])
    briefs = person_briefs(user, set(person_of.values()), moment, with_markers=True)
    groups: dict[str, dict[int, Occupant]] = {"living": {}, "other": {}, "before": {}}
    for person_record, role, start, end, source in rows:
        pid = person_of.get(person_record)
        if pid not in briefs:
            continue
        group = ("living" if role in HOUSEHOLD_ROLES else "other") if _current(start, end, on) else "before"
        occupant = groups[group].setdefault(pid, Occupant(pid, briefs[pid]))
        label = LINK_ROLES_AT.get(role, role)
        if label not in occupant.roles:
            occupant.roles.append(label)
        occupant.sources.add(source)
        if start and (occupant.from_date is None or start < occupant.from_date):
            occupant.from_date = start
        if end and (occupant.to_date is None or end > occupant.to_date):
            occupant.to_date = end
    # Someone who lives here now is not also listed under before or other.
    for pid in groups["living"]:
        groups["before"].pop(pid, None)
        groups["other"].pop(pid, None)
    for pid in groups["other"]:
        groups["before"].pop(pid, None)

    def order(occupants):
        return sorted(occupants.values(), key=lambda o: (not o.brief.is_child, bool(not o.brief.risk_markers), o.brief.name))

    before = sorted(groups["before"].values(), key=lambda o: (-(o.to_date or dt.date.min).toordinal(), o.brief.name))
    return order(groups["living"]), order(groups["other"]), before


def _alerts(user, records: list[int], people: list[int], moment: dt.datetime | None) -> tuple[list[AlertRow], list[AlertRow]]:
    when = moment_or_now(moment)
    ids = set(AlertSubject.objects.filter(person_id__in=people).values_list("alert_id", flat=True))
    ids |= set(AlertEvidence.objects.filter(record_id__in=records).values_list("alert_id", flat=True))
    roles: dict[int, list[str]] = defaultdict(list)
    alerts = visible(user, Alert.objects.filter(pk__in=ids, raised_at__lte=when)).select_related(
        "owner_organisation", "owner_team").order_by("-raised_at")
    open_rows, closed_rows = [], []
    for alert in alerts:
        status, _ = status_as_of(alert, when)
        row = AlertRow(alert, status, status in OPEN and alert.due_at is not None and when > alert.due_at, roles[alert.pk])
        (open_rows if row.is_open else closed_rows).append(row)
    open_rows.sort(key=lambda r: (not r.overdue, SEVERITY_ORDER.index(r.alert.severity)
                                  if r.alert.severity in SEVERITY_ORDER else 9, r.alert.due_at or r.alert.raised_at))
    return open_rows, closed_rows


def place_page(user, place_id: int, moment: dt.datetime | None) -> PlacePage:
    """404 unless the user may see one of the place's address records."""
    records = _records(place_id)
    if not records or not visible(user, SourceRecord.objects.filter(pk__in=records)).exists():
        raise Http404("Not found")
    briefs = place_briefs(user, records, moment)
    address = best_place_label(briefs.values())
    known_then = address is not None
    if address is None:
        address = best_place_label(place_briefs(user, records, None).values()) or PlaceBrief(
            record_id=records[0], place_id=place_id, address="An address not shared with you", shared=False)
    living, other, before = _occupants(user, records, moment)
    events = visible(user, counting(EventVersion, moment, Q(location_id__in=records))).select_related(
        "record__source", "load").order_by(F("at").desc(nulls_last=True), "-recorded_at")
    total = events.count()
    alerts_open, alerts_closed = _alerts(user, records, [o.person_id for o in living + other], moment)
    return PlacePage(
        id=place_id, address=address, records=_address_records(user, records, moment), living_now=living,
        other_now=other, before=before, events=timeline_items(user, list(events[:EVENTS_SHOWN]), moment),
        events_total=total, alerts_open=alerts_open, alerts_closed=alerts_closed, known_then=known_then,
    )

