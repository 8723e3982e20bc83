"""What the agencies knew together, as of a horizon: every record version recorded by then,
each with the span of recorded time in which it counted, joined to the current linkage.

Loaded in a handful of set-based queries; rules then work in memory over resolved people and
places. A version's span ends when the next version was recorded (if by the horizon), else it
is open: later versions are unknown at the horizon.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any

from safeguard.core.calendar import end_of_day, start_of_day
from safeguard.core.db import among, plain_rows
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

CHUNK = 50_000

# A summary names people, places and details drawn from records of several organisations. Rules
# write them into the text as tokens; World.render turns the text into parts that say which
# records each came from, so each viewer is shown only what they may see (alerts.summaries).
TOKEN = re.compile("\ue000(\\d+)\ue001")


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
    """`scope` (rules.scope.Scope): load only the records of those people and places and the
    events they are in, for an incremental evaluation; None: everything."""

    def __init__(self, horizon: dt.datetime, scope=None):
        self.horizon = horizon
        self.scope = scope
        if scope is None:
            self.person_of: dict[int, int] = dict(PersonMembership.objects.values_list("record_id", "person_id"))
            self.location_of: dict[int, int] = dict(LocationMembership.objects.values_list("record_id", "location_id"))
        else:
            self.person_of, self.location_of = {}, {}
            self._memberships(scope.person_records, scope.location_records)
        self.records_of_person: dict[int, list[int]] = defaultdict(list)
        for record, person in self.person_of.items():
            self.records_of_person[person].append(record)
        self.persons: dict[int, list[PersonV]] = defaultdict(list)
        self.specific: dict[int, list[Interval]] = defaultdict(list)  # resolved location -> spans with a specific record
        self.addresses: dict[int, str] = {}
        self.address_records: dict[int, dict[str, list[int]]] = defaultdict(dict)  # location -> address -> records
        self.links: list[Link] = []  # link versions while current (recorded, and within their dates)
        # every link version, current or not: rules that ask about an event's own moment need the
        # link as recorded even when its dates ended before it was recorded (rules.md, "Dates")
        self.all_links: list[Link] = []
        self.rels: list[Rel] = []
        self.events: dict[str, list[Event]] = defaultdict(list)
        self.event_versions: dict[int, list[Event]] = defaultdict(list)
        #: the moment a rule is asked about (severity and due are "as of the moment asked")
        self.asking: dt.datetime | None = None
        self._tokens: list[dict] = []
        self._events_by_person: dict[str, dict[int, list[Event]]] = {}
        self._links_by_person: dict[int, list[Link]] | None = None
        self._child_spans: dict[tuple, list[Interval]] = {}
        self._adult_spans: dict[tuple, list[Interval]] = {}
        self._load()

    # resolved ids for records that linkage has not placed (e.g. referred to, never sent)
    def person(self, record: int) -> int:
        return self.person_of.get(record, -record)

    def location(self, record: int | None) -> int | None:
        return None if record is None else self.location_of.get(record, -record)

    def _versions(self, model):
        return model.objects.filter(recorded_at__lte=self.horizon, deleted=False)

    def _rows(self, queryset, fields: tuple[str, ...], **by: set[int] | frozenset[int]):
        """The queryset's rows (values_list of fields): all of them, or in a scope those whose
        field (by=) is in a set of ids, a chunk at a time. With several fields, a row is matched
        once: the first two fields (record, recorded_at) identify a version."""
        if self.scope is None:
            yield from plain_rows(queryset, fields, size=CHUNK)
            return
        seen: set = set()
        for name, ids in by.items():
            for part in among(queryset, name, ids):
                for row in plain_rows(part, fields, many=False):
                    if len(by) > 1:
                        if row[:2] in seen:
                            continue
                        seen.add(row[:2])
                    yield row

    def _memberships(self, person_records, location_records) -> None:
        """Resolved ids of records not yet placed in this (scoped) world."""
        for model, field_name, records, into in ((PersonMembership, "person_id", person_records, self.person_of),
                                                 (LocationMembership, "location_id", location_records, self.location_of)):
            for part in among(model.objects, "record_id", [r for r in records if r not in into]):
                into.update(part.values_list("record_id", field_name))

    def _load(self) -> None:
        h = self.horizon
        scope = self.scope
        people, places = (scope.person_records, scope.location_records) if scope else (frozenset(), frozenset())
        event_records: set[int] = set()
        link_places = places
        if scope is not None:
            # the events of the scope's people, those it names (by reference) and those at its
            # event places (rules.scope); then their own people and places, for names and addresses
            event_records = {r for (r,) in self._rows(EventSubject.objects.filter(version__recorded_at__lte=h),
                                                     ("version__record_id",), person_id=people)}
            event_records |= {r for (r,) in self._rows(EventVersion.objects.filter(recorded_at__lte=h), ("record_id",),
                                                      location_id=scope.event_location_records)}
            event_records |= set(scope.event_records)
            self._event_people_and_places(event_records)
            people, places = self._scoped_people, self._scoped_places
        for record, recorded_at, valid_to, earliest, latest, given, family in self._rows(self._versions(PersonVersion), (
                "record_id", "recorded_at", "valid_to", "dob_earliest", "dob_latest", "given_names", "family_name"),
                record_id=people):
            start, end = _span(recorded_at, valid_to, h)
            self.persons[self.person(record)].append(
                PersonV(record, start, end, earliest, latest, " ".join(p for p in (given, family.upper()) if p)))
        for record, recorded_at, valid_to, specific, address in sorted(self._rows(self._versions(LocationVersion), (
                "record_id", "recorded_at", "valid_to", "specific", "address"), record_id=places), key=itemgetter(0, 1)):
            location = self.location(record)
            self.addresses.setdefault(location, address)
            self.address_records[location].setdefault(address, []).append(record)
            if specific:
                self.specific[location].append(_span(recorded_at, valid_to, h))
        for location, spans in self.specific.items():
            self.specific[location] = union(spans)
        for record, recorded_at, valid_to, person, location, role, start_day, end_day in self._rows(self._versions(
                PersonLocationVersion), ("record_id", "recorded_at", "valid_to", "person_id", "location_id", "role",
                                         "from_date", "to_date"), person_id=people, location_id=link_places):
            recorded = _span(recorded_at, valid_to, h)
            start, end = _within_dates(*recorded, start_day, end_day)
            link = Link(record, self.person(person), self.location(location), role, start, end, start_day, end_day, recorded)
            self.all_links.append(link)
            if start < end:
                self.links.append(link)
        for record, recorded_at, valid_to, person, other, rtype, start_day, end_day in self._rows(self._versions(
                RelationshipVersion), ("record_id", "recorded_at", "valid_to", "person_id", "other_id", "type",
                                       "from_date", "to_date"), person_id=people, other_id=people):
            start, end = _span(recorded_at, valid_to, h)
            start, end = _within_dates(start, end, start_day, end_day)
            if start < end:
                self.rels.append(Rel(record, self.person(person), self.person(other), rtype, start, end))
        by_version: dict[int, Event] = {}
        for vid, record, recorded_at, valid_to, etype, at, ends_at, attrs, location in self._rows(self._versions(EventVersion), (
                "id", "record_id", "recorded_at", "valid_to", "type", "at", "ends_at", "attributes", "location_id"),
                record_id=event_records):
            start, end = _span(recorded_at, valid_to, h)
            event = Event(record, vid, start, end, etype, at, ends_at, attrs or {}, self.location(location))
            by_version[vid] = event
            self.events[etype].append(event)
            self.event_versions[record].append(event)
        # The subjects and references of the versions read above. A full World reads the two tables
        # whole and keeps the rows of those versions (the same rows as the join to the versions'
        # table, without the join: at 100,000 people that join was most of the database's time).
        if scope is None:
            subjects, references = EventSubject.objects.all(), EventReference.objects.all()
        else:
            subjects = EventSubject.objects.filter(version__recorded_at__lte=h, version__deleted=False)
            references = EventReference.objects.filter(version__recorded_at__lte=h, version__deleted=False)
        get = by_version.get
        for vid, person, role in self._rows(subjects, ("version_id", "person_id", "role"), version__record_id=event_records):
            event = get(vid)
            if event is not None:
                event.subjects.append((self.person(person), role))
        for vid, name, target in self._rows(references, ("version_id", "name", "target_id"),
                                            version__record_id=event_records):
            event = get(vid)
            if event is not None:
                event.refs[name] = target
        for versions in self.event_versions.values():
            versions.sort(key=lambda e: e.start)
        self._canonical_order()

    def _canonical_order(self) -> None:
        """Put what was read in one order, whatever order the database gave it in: a full World
        reads whole tables, a scoped one reads them by person and record, and the rules' output
        (evidence, subjects, the order of details in a summary) follows the order they meet
        things. By record, then recorded time: a scoped evaluation then writes the very alerts a
        full one does, and an evaluation that changes nothing writes nothing."""
        by_record = attrgetter("record", "start")
        for versions in self.persons.values():
            versions.sort(key=by_record)
        for records in self.records_of_person.values():
            records.sort()
        self.links.sort(key=by_record)
        self.all_links.sort(key=by_record)
        self.rels.sort(key=by_record)
        for events in self.events.values():
            events.sort(key=by_record)
            for event in events:
                if len(event.subjects) > 1:
                    event.subjects.sort()

    def _event_people_and_places(self, event_records: set[int]) -> None:
        """In a scope, the events' own people and places count too (placed by linkage like any other)."""
        people, places = set(self.scope.person_records), set(self.scope.location_records)
        people |= {p for (p,) in self._rows(EventSubject.objects.all(), ("person_id",), version__record_id=event_records)}
        places |= {p for (p,) in self._rows(EventVersion.objects.exclude(location_id=None), ("location_id",),
                                            record_id=event_records)}
        # references to places are named "location", "found_location", "condition.N.location"
        # (feed.schema); by name, not by the target's kind, which SQLite plans badly
        places |= {t for (t,) in self._rows(EventReference.objects.filter(name__endswith="location"), ("target_id",),
                                            version__record_id=event_records)}
        self._memberships(people, places)
        self._scoped_people, self._scoped_places = frozenset(people), frozenset(places)

    # -- indexes: rules look up one person's events and links, never scan them all per person --

    def events_of(self, etype: str, *people: int) -> list[Event]:
        """Versions of events of this type that any of these people is a subject of (any role)."""
        index = self._events_by_person.get(etype)
        if index is None:
            index = defaultdict(list)
            for e in self.events.get(etype, ()):
                for person in {p for p, _ in e.subjects}:
                    index[person].append(e)
            self._events_by_person[etype] = index
        if len(people) == 1:
            return index.get(people[0], [])
        return list({id(e): e for person in people for e in index.get(person, ())}.values())

    def links_of(self, person: int) -> list[Link]:
        """The person's current link versions (World.links)."""
        if self._links_by_person is None:
            self._links_by_person = defaultdict(list)
            for link in self.links:
                self._links_by_person[link.person].append(link)
        return self._links_by_person.get(person, [])

    # -- derived facts used by several rules -------------------------------------------------

    def name(self, person: int) -> str:
        """The person's name as a summary token: the fullest name any agency holds ("Daniel James
        PRICE" rather than "Dan Price"), or for a viewer the fullest of those they may see."""
        versions = self.persons.get(person)
        if not versions:
            return "an unidentified person"
        options: dict[str, set[int]] = {}
        for v in sorted(versions, key=lambda v: (len(v.name), v.start), reverse=True):
            options.setdefault(v.name, set()).add(v.record)
        return self._token("person", [(sorted(records), name) for name, records in options.items()], "a person")

    def address(self, location: int | None) -> str:
        """The location's address as a summary token (the first recorded, else one the viewer may see)."""
        options = self.address_records.get(location) if location is not None else None
        if not options:
            return "an address"
        first = self.addresses[location]
        ordered = [(sorted(options[first]), first)] + [(sorted(r), a) for a, r in options.items() if a != first]
        return self._token("location", ordered, "an address")

    def detail(self, text: str, records, fallback: str = "details held by another agency") -> str:
        """A detail drawn from some records (a conviction, an offence) as a summary token."""
        records = sorted({r for r in records if r > 0})
        return self._token("detail", [(records, text)], fallback) if records else text

    def _token(self, kind: str, options: list[tuple[list[int], str]], fallback: str) -> str:
        self._tokens.append({"kind": kind, "options": [[records, text] for records, text in options], "fallback": fallback})
        return f"\ue000{len(self._tokens) - 1}\ue001"

    def render(self, text: str) -> tuple[str, list]:
        """(full text, parts): parts are plain strings and the tokens' dicts, in order."""
        pieces = TOKEN.split(text)
        parts: list = []
        full = []
        for i, piece in enumerate(pieces):
            part = self._tokens[int(piece)] if i % 2 else piece
            if part:
                parts.append(part)
                full.append(part["options"][0][1] if i % 2 else part)
        return "".join(full), parts

    def child_spans(self, person: int, at: dt.datetime | None = None, under: int = 18) -> list[Interval]:
        """When the person may be under `under` years old: at the moment asked (at=None: the
        span's own moments) or at a fixed moment `at` (a triggering event's). Unknown date of
        birth: never a child. Remembered: rules ask it again for each household and moment."""
        key = (person, at, under)
        if key not in self._child_spans:
            self._child_spans[key] = self._child_spans_of(person, at, under)
        return self._child_spans[key]

    def _child_spans_of(self, person: int, at: dt.datetime | None, under: int) -> list[Interval]:
        from safeguard.core.calendar import add_years

        spans = []
        for v in self.persons.get(person, ()):
            if v.dob_latest is None:
                continue
            limit = start_of_day(add_years(v.dob_latest, under))
            if at is None:
                spans.append((v.start, min(v.end, limit)))
            elif at < limit and start_of_day(v.dob_earliest) <= at:
                # born by `at` (some day the date of birth could mean): someone born after an
                # event was not a child at it, nor living anywhere
                spans.append((v.start, v.end))
        return union(spans)

    def adult_spans(self, person: int, at: dt.datetime | None = None) -> list[Interval]:
        """When the person may be 18 or over (an unknown date of birth counts as adult). Remembered."""
        if (person, at) not in self._adult_spans:
            self._adult_spans[(person, at)] = self._adult_spans_of(person, at)
        return self._adult_spans[(person, at)]

    def _adult_spans_of(self, person: int, at: dt.datetime | None) -> list[Interval]:
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
