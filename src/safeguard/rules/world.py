"""What the agencies knew together, as of a horizon: every record version recorded by then,
each with the span of recorded time in which it counted, joined to the current linkage.

Loaded in a handful of set-based queries; rules then work in memory over resolved people and
places. A version's span ends when the next version was recorded (if by the horizon), else it
is open: later versions are unknown at the horizon.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from safeguard.core.calendar import end_of_day, start_of_day
from safeguard.linkage.models import LocationMembership, PersonMembership
from safeguard.records.models import (
    EventReference,
    EventSubject,
    EventVersion,
    LocationVersion,
    PersonLocationVersion,
    PersonVersion,
    RelationshipVersion,
)

from .intervals import INF, Interval, subtract, union

CHUNK = 10_000


@dataclass(slots=True)
class PersonV:
    record: int
    start: dt.datetime
    end: dt.datetime
    dob_earliest: dt.date | None
    dob_latest: dt.date | None
    name: str


@dataclass(slots=True)
class Link:
    record: int
    person: int
    location: int
    role: str
    start: dt.datetime  # the span in which the link is current: recorded and within from..to
    end: dt.datetime
    from_day: dt.date | None
    to_day: dt.date | None = None
    recorded: Interval | None = None  # the span in which this version counts, whatever its dates

    def true_at(self, moment: dt.datetime) -> bool:
        """Whether the link's dates cover an event-time moment (from 00:00 of `from` to the end of `to`)."""
        return ((self.from_day is None or start_of_day(self.from_day) <= moment)
                and (self.to_day is None or moment < end_of_day(self.to_day)))


@dataclass(slots=True)
class Rel:
    record: int
    person: int
    other: int
    type: str
    start: dt.datetime
    end: dt.datetime


@dataclass(slots=True)
class Event:
    record: int
    version: int
    start: dt.datetime  # recorded_at of this version
    end: dt.datetime  # when the next version was recorded (INF: none known)
    type: str
    at: dt.datetime
    ends_at: dt.datetime | None
    attrs: dict[str, Any]
    location: int | None  # resolved location
    subjects: list[tuple[int, str]] = field(default_factory=list)  # (resolved person, role)
    refs: dict[str, int] = field(default_factory=dict)  # attribute name -> target record id

    def persons(self, *roles: str) -> list[int]:
        return [p for p, r in self.subjects if not roles or r in roles]


def _span(recorded_at: dt.datetime, valid_to: dt.datetime | None, horizon: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return recorded_at, (valid_to if valid_to is not None and valid_to <= horizon else INF)


class World:
    def __init__(self, horizon: dt.datetime):
        self.horizon = horizon
        self.person_of: dict[int, int] = dict(PersonMembership.objects.values_list("record_id", "person_id"))
        self.location_of: dict[int, int] = dict(LocationMembership.objects.values_list("record_id", "location_id"))
        self.records_of_person: dict[int, list[int]] = defaultdict(list)
        for record, person in self.person_of.items():
            self.records_of_person[person].append(record)
        self.persons: dict[int, list[PersonV]] = defaultdict(list)
        self.specific: dict[int, list[Interval]] = defaultdict(list)  # resolved location -> spans with a specific record
        self.addresses: dict[int, str] = {}
        self.links: list[Link] = []  # link versions while current (recorded, and within their dates)
        # every link version, current or not: rules that ask about an event's own moment need the
        # link as recorded even when its dates ended before it was recorded (rules.md, "Dates")
        self.all_links: list[Link] = []
        self.rels: list[Rel] = []
        self.events: dict[str, list[Event]] = defaultdict(list)
        self.event_versions: dict[int, list[Event]] = defaultdict(list)
        self._load()

    # resolved ids for records that linkage has not placed (e.g. referred to, never sent)
    def person(self, record: int) -> int:
        return self.person_of.get(record, -record)

    def location(self, record: int | None) -> int | None:
        return None if record is None else self.location_of.get(record, -record)

    def _versions(self, model):
        return model.objects.filter(recorded_at__lte=self.horizon, deleted=False)

    def _load(self) -> None:
        h = self.horizon
        for record, recorded_at, valid_to, earliest, latest, given, family in self._versions(PersonVersion).values_list(
                "record_id", "recorded_at", "valid_to", "dob_earliest", "dob_latest", "given_names", "family_name"
        ).iterator(chunk_size=CHUNK):
            start, end = _span(recorded_at, valid_to, h)
            self.persons[self.person(record)].append(
                PersonV(record, start, end, earliest, latest, " ".join(p for p in (given, family.upper()) if p)))
        for record, recorded_at, valid_to, specific, address in self._versions(LocationVersion).values_list(
                "record_id", "recorded_at", "valid_to", "specific", "address").iterator(chunk_size=CHUNK):
            location = self.location(record)
            self.addresses.setdefault(location, address)
            if specific:
                self.specific[location].append(_span(recorded_at, valid_to, h))
        for location, spans in self.specific.items():
            self.specific[location] = union(spans)
        for record, recorded_at, valid_to, person, location, role, start_day, end_day in self._versions(
                PersonLocationVersion).values_list("record_id", "recorded_at", "valid_to", "person_id", "location_id", "role",
                                                   "from_date", "to_date").iterator(chunk_size=CHUNK):
            recorded = _span(recorded_at, valid_to, h)
            start, end = _within_dates(*recorded, start_day, end_day)
            link = Link(record, self.person(person), self.location(location), role, start, end, start_day, end_day, recorded)
            self.all_links.append(link)
            if start < end:
                self.links.append(link)
        for record, recorded_at, valid_to, person, other, rtype, start_day, end_day in self._versions(
                RelationshipVersion).values_list("record_id", "recorded_at", "valid_to", "person_id", "other_id", "type",
                                                 "from_date", "to_date").iterator(chunk_size=CHUNK):
            start, end = _span(recorded_at, valid_to, h)
            start, end = _within_dates(start, end, start_day, end_day)
            if start < end:
                self.rels.append(Rel(record, self.person(person), self.person(other), rtype, start, end))
        by_version: dict[int, Event] = {}
        for vid, record, recorded_at, valid_to, etype, at, ends_at, attrs, location in self._versions(EventVersion).values_list(
                "id", "record_id", "recorded_at", "valid_to", "type", "at", "ends_at", "attributes", "location_id"
        ).iterator(chunk_size=CHUNK):
            start, end = _span(recorded_at, valid_to, h)
            event = Event(record, vid, start, end, etype, at, ends_at, attrs or {}, self.location(location))
            by_version[vid] = event
            self.events[etype].append(event)
            self.event_versions[record].append(event)
        for vid, person, role in EventSubject.objects.filter(version__recorded_at__lte=h, version__deleted=False).values_list(
                "version_id", "person_id", "role").iterator(chunk_size=CHUNK):
            by_version[vid].subjects.append((self.person(person), role))
        for vid, name, target in EventReference.objects.filter(version__recorded_at__lte=h, version__deleted=False).values_list(
                "version_id", "name", "target_id").iterator(chunk_size=CHUNK):
            by_version[vid].refs[name] = target
        for versions in self.event_versions.values():
            versions.sort(key=lambda e: e.start)

    # -- derived facts used by several rules -------------------------------------------------

    def name(self, person: int) -> str:
        versions = self.persons.get(person)
        if not versions:
            return "an unidentified person"
        # The fullest name any agency holds ("Daniel James PRICE" rather than "Dan Price").
        return max(versions, key=lambda v: (len(v.name), v.start)).name

    def child_spans(self, person: int, at: dt.datetime | None = None, under: int = 18) -> list[Interval]:
        """When the person may be under `under` years old: at the moment asked (at=None: the
        span's own moments) or at a fixed moment `at` (a triggering event's). Unknown date of
        birth: never a child."""
        from safeguard.core.calendar import add_years

        spans = []
        for v in self.persons.get(person, ()):
            if v.dob_latest is None:
                continue
            limit = start_of_day(add_years(v.dob_latest, under))
            if at is None:
                spans.append((v.start, min(v.end, limit)))
            elif at < limit:
                spans.append((v.start, v.end))
        return union(spans)

    def adult_spans(self, person: int, at: dt.datetime | None = None) -> list[Interval]:
        """When the person may be 18 or over (an unknown date of birth counts as adult)."""
        from safeguard.core.calendar import add_years

        versions = self.persons.get(person, ())
        # Unknown means no record of the resolved person gives a date of birth: a police record
        # without one does not make a child whose social care record has one an adult. Fixed: any
        # version without a date of birth counted as adult, whatever the person's other records said.
        known = union((v.start, v.end) for v in versions if v.dob_earliest is not None)
        spans = []
        for v in versions:
            if v.dob_earliest is None:
                spans.extend(subtract([(v.start, v.end)], known))
                continue
            limit = start_of_day(add_years(v.dob_earliest, 18))
            if at is None:
                spans.append((max(v.start, limit), v.end))
            elif at >= limit:
                spans.append((v.start, v.end))
        return union(spans)

    def records(self, person: int) -> list[int]:
        return self.records_of_person.get(person) or ([-person] if person < 0 else [])


def _within_dates(start: dt.datetime, end: dt.datetime, start_day: dt.date | None,
                  end_day: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    if start_day is not None:
        start = max(start, start_of_day(start_day))
    if end_day is not None:
        end = min(end, end_of_day(end_day))
    return start, end
