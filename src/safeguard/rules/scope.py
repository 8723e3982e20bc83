"""Incremental evaluation: which resolved people a change can affect (the *core*), and which
records the rules need to judge their alerts again (the *context*).

Each rule declares what it reads about a subject besides the subject's own records (`Rule.reads`,
a set of the kinds below). The scope of a change is the union over the rules of what those reads
reach, one typed hop at a time, never a generic number of steps: a school, a surgery or the
place an incident happened joins nobody, because no rule reads who else attends a school.

- own records (every rule): the subject's person records, the events they are a subject of
  (any version, any role) with the other subjects of those events, their links and
  relationships. A changed record's people are core; the other subjects of a core person's
  events are context (a strategy discussion about two children is satisfied by a conference
  about either).
- PLACES: the places a subject is linked to in the ways the household rules read (links of the
  linking roles, residence conditions of bail, addresses an offender notified, and the homes of
  the children of a partner) and *who is there* in those ways (people linked there, people
  bailed to live there, offenders who notified it, the parents of the children living there and
  their partners). A change at a place (a child moving in, a place's records merged) makes
  everyone there core; a core person's places and everyone there are context.
- REFS: events linked by reference to a subject's events (an assessment to its referral, a
  breach to its order, a bail to its offence, a return interview to its episode) and events
  referring to a changed place (a bail's residence condition, an episode's found location).
- FOUND: the people where a missing child was found (an episode's found location, as PLACES
  reads it), and the episodes found at a core person's places.
- INCIDENT_HOMES: the children living where a domestic abuse incident happened.

Each hop is set-based: a few chunked queries, whatever the number of people. Records of resolved
people and places are always taken whole (every record of a resolved id), since a summary names
a person by the fullest of their records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from safeguard.core.db import among, plain_rows
from safeguard.linkage.models import LocationMembership, PersonMembership
from safeguard.records.models import (
    EventReference,
    EventSubject,
    EventVersion,
    PersonLocationVersion,
    RelationshipVersion,
    SourceRecord,
)

PLACES = "places"
REFS = "refs"
FOUND = "found"
INCIDENT_HOMES = "incident_homes"
READS = frozenset({PLACES, REFS, FOUND, INCIDENT_HOMES})

#: the link roles by which someone is "linked to" a place (rules/catalogue/common.LINK_ROLES)
LINK_ROLES = ("resides", "stays", "visits", "bail_address", "notified_address")
HOUSEHOLD_ROLES = ("resides", "stays")


@dataclass(frozen=True)
class Scope:
    core: frozenset[int]  # resolved persons whose alerts are judged again
    person_records: frozenset[int]  # person source records whose versions, events, links and relationships the World loads
    location_records: frozenset[int]  # location source records whose versions and links the World loads
    #: events the World loads whoever their subjects are (by reference), and the places whose
    #: events it loads (homes, for incidents there)
    event_records: frozenset[int] = field(default_factory=frozenset)
    event_location_records: frozenset[int] = field(default_factory=frozenset)


def _rows(queryset, field_name: str, ids: Iterable[int], *fields: str):
    """values_list(*fields) of the rows whose field_name is in ids (`core.db.among`)."""
    for part in among(queryset, field_name, ids):
        yield from plain_rows(part, fields, many=False)


def _flat(queryset, field_name: str, ids: Iterable[int], out_field: str) -> set[int]:
    return {value for (value,) in _rows(queryset, field_name, ids, out_field) if value is not None}


def _of_kind(records: set[int], kind: str) -> set[int]:
    """Those of these source records that are of this kind, looked up by primary key. (Filtering
    references by their target's kind in the same query let SQLite start from every record of
    the kind: seconds per chunk.)"""
    return _flat(SourceRecord.objects.filter(kind=kind), "pk", records, "pk")


class _Ids:
    """Resolved people and places and their records, resolved a chunk at a time and remembered.
    A person record linkage has not placed stands for itself (World.person: -record); so does a
    location record."""

    def __init__(self) -> None:
        self._person_of: dict[int, int] = {}
        self._location_of: dict[int, int] = {}
        self._person_records: dict[int, frozenset[int]] = {}
        self._location_records: dict[int, frozenset[int]] = {}

    def persons(self, records: Iterable[int]) -> set[int]:
        records = set(records)
        todo = records - self._person_of.keys()
        found = dict(_rows(PersonMembership.objects, "record_id", todo, "record_id", "person_id"))
        for record in todo:
            self._person_of[record] = found.get(record, -record)
        return {self._person_of[r] for r in records}

    def locations(self, records: Iterable[int]) -> set[int]:
        records = set(records)
        todo = records - self._location_of.keys()
        found = dict(_rows(LocationMembership.objects, "record_id", todo, "record_id", "location_id"))
        for record in todo:
            self._location_of[record] = found.get(record, -record)
        return {self._location_of[r] for r in records}

    def person_records(self, persons: Iterable[int]) -> set[int]:
        persons = set(persons)
        todo = {p for p in persons if p > 0} - self._person_records.keys()
        found: dict[int, set[int]] = {p: set() for p in todo}
        for record, person in _rows(PersonMembership.objects, "person_id", todo, "record_id", "person_id"):
            found[person].add(record)
        for person, records in found.items():
            self._person_records[person] = frozenset(records)
        out: set[int] = set()
        for p in persons:
            out |= self._person_records[p] if p > 0 else {-p}
        return out

    def location_records(self, locations: Iterable[int]) -> set[int]:
        locations = set(locations)
        todo = {p for p in locations if p > 0} - self._location_records.keys()
        found: dict[int, set[int]] = {p: set() for p in todo}
        for record, location in _rows(LocationMembership.objects, "location_id", todo, "record_id", "location_id"):
            found[location].add(record)
        for location, records in found.items():
            self._location_records[location] = frozenset(records)
        out: set[int] = set()
        for p in locations:
            out |= self._location_records[p] if p > 0 else {-p}
        return out


class _Reach:
    """The typed hops, over resolved ids (set in, set out)."""

    def __init__(self) -> None:
        self.ids = _Ids()

    # -- a person's places, and who is at a place (PLACES) --

    def places_of(self, persons: set[int]) -> set[int]:
        """Where these people are linked in the ways the household rules read: links of the linking
        roles, residence conditions of their bail, notified addresses, and the homes of the
        children of their partners (a partner of a parent is linked to the child's home)."""
        records = self.ids.person_records(persons)
        places = _flat(PersonLocationVersion.objects.filter(role__in=LINK_ROLES), "person_id", records, "location_id")
        bails = _flat(EventSubject.objects.filter(version__type="bail", role="bailed"), "person_id", records,
                      "version__record_id")
        places |= _flat(EventReference.objects.filter(name__startswith="condition.", name__endswith=".location"),
                        "version__record_id", bails, "target_id")
        notes = _flat(EventSubject.objects.filter(version__type="rso_notification", role="offender"), "person_id", records,
                      "version__record_id")
        places |= _flat(EventVersion.objects.all(), "record_id", notes, "location_id")
        partners = self.partners_of(records)
        children = _flat(RelationshipVersion.objects.filter(type__in=("parent_of", "carer_of")), "person_id",
                         records | self.ids.person_records(partners), "other_id")
        places |= _flat(PersonLocationVersion.objects.filter(role__in=HOUSEHOLD_ROLES), "person_id", children, "location_id")
        return self.ids.locations(places)

    def partners_of(self, records: set[int]) -> set[int]:
        partners = _flat(RelationshipVersion.objects.filter(type="partner_of"), "person_id", records, "other_id")
        partners |= _flat(RelationshipVersion.objects.filter(type="partner_of"), "other_id", records, "person_id")
        return self.ids.persons(partners)

    def people_at(self, places: set[int]) -> set[int]:
        """Who is at these places in the ways the household rules read (see places_of), with the
        parents of the children living there (whose partners are linked through them)."""
        records = self.ids.location_records(places)
        people = _flat(PersonLocationVersion.objects.filter(role__in=LINK_ROLES), "location_id", records, "person_id")
        bails = _flat(EventReference.objects.filter(name__startswith="condition.", version__type="bail"), "target_id",
                      records, "version__record_id")
        people |= _flat(EventSubject.objects.filter(role="bailed"), "version__record_id", bails, "person_id")
        notes = _flat(EventVersion.objects.filter(type="rso_notification"), "location_id", records, "record_id")
        people |= _flat(EventSubject.objects.filter(role="offender"), "version__record_id", notes, "person_id")
        residents = _flat(PersonLocationVersion.objects.filter(role__in=HOUSEHOLD_ROLES), "location_id", records,
                          "person_id")
        parents = _flat(RelationshipVersion.objects.filter(type__in=("parent_of", "carer_of")), "other_id",
                        self.ids.person_records(self.ids.persons(residents)), "person_id")
        parents = self.ids.persons(parents)
        partners = self.partners_of(self.ids.person_records(parents))
        return self.ids.persons(people) | parents | partners

    # -- events --

    def events_of(self, persons: set[int]) -> set[int]:
        return _flat(EventSubject.objects.all(), "person_id", self.ids.person_records(persons), "version__record_id")

    def subjects_of(self, events: set[int]) -> set[int]:
        return self.ids.persons(_flat(EventSubject.objects.all(), "version__record_id", events, "person_id"))

    def referenced(self, events: set[int]) -> set[int]:
        """Events these events refer to, and events referring to them or to those (the other
        breaches of an order, the assessment of a referral)."""
        targets = _of_kind(_flat(EventReference.objects.exclude(name="location"), "version__record_id", events,
                                 "target_id"), "event")
        both = events | targets
        return targets | _flat(EventReference.objects.all(), "target_id", both, "version__record_id")

    def referring_to_places(self, places: set[int]) -> set[int]:
        """Events naming a record of these places in their attributes (a bail's residence
        condition, a found location), not where they happened: a busy street joins nobody."""
        return _flat(EventReference.objects.exclude(name="location"), "target_id", self.ids.location_records(places), "version__record_id")

    def found_at(self, places: set[int]) -> set[int]:
        """Missing episodes whose found location is one of these places."""
        return _flat(EventReference.objects.filter(name="found_location"), "target_id", self.ids.location_records(places),
                     "version__record_id")

    def found_places(self, events: set[int]) -> set[int]:
        return self.ids.locations(_flat(EventReference.objects.filter(name="found_location"), "version__record_id", events,
                                        "target_id"))

    def homes_of(self, persons: set[int]) -> set[int]:
        return self.ids.locations(_flat(PersonLocationVersion.objects.filter(role__in=HOUSEHOLD_ROLES), "person_id",
                                        self.ids.person_records(persons), "location_id"))

    def incident_places(self, events: set[int]) -> set[int]:
        return self.ids.locations(_flat(EventVersion.objects.filter(type="domestic_abuse_incident"), "record_id", events,
                                        "location_id"))


def rule_reads() -> frozenset[str]:
    """What the registered rules read, together (engine.Rule.reads)."""
    from .engine import rules

    out: set[str] = set()
    for rule in rules().values():
        out |= set(rule.reads)
    return frozenset(out)


def scope_of(*, persons: set[int] | None = None, locations: set[int] | None = None,
             records: set[int] | None = None, reads: Iterable[str] | None = None) -> Scope:
    """The scope of a change to these resolved persons and locations and these source records
    (of any kind: an event brings its people and places), for rules that read `reads` (default:
    what the registered rules read)."""
    reads = frozenset(rule_reads() if reads is None else reads)
    reach = _Reach()
    ids = reach.ids
    records = set(records or ())
    kinds: dict[str, set[int]] = {}
    for pk, kind in _rows(SourceRecord.objects.all(), "pk", records, "pk", "kind"):
        kinds.setdefault(kind, set()).add(pk)

    # -- what the change touched --
    touched = set(persons or ()) | ids.persons(kinds.get("person", ()))
    places = set(locations or ()) | ids.locations(kinds.get("location", ()))
    events = kinds.get("event", set())
    touched |= reach.subjects_of(events)
    places |= ids.locations(_flat(EventVersion.objects.all(), "record_id", events, "location_id"))
    places |= ids.locations(_of_kind(_flat(EventReference.objects.all(), "version__record_id", events, "target_id"),
                                     "location"))
    link_people: set[int] = set()
    link_places: set[int] = set()
    for person, location in _rows(PersonLocationVersion.objects.all(), "record_id", kinds.get("person_location", ()),
                                  "person_id", "location_id"):
        link_people.add(person)
        link_places.add(location)
    for a, b in _rows(RelationshipVersion.objects.all(), "record_id", kinds.get("relationship", ()), "person_id", "other_id"):
        link_people |= {a, b}
    touched |= ids.persons(link_people - {None})
    places |= ids.locations(link_places - {None})

    # -- the core: everyone with an alert whose outcome the change can alter --
    core = set(touched)
    if REFS in reads:
        core |= reach.subjects_of(reach.referenced(events) | reach.referring_to_places(places))
    if PLACES in reads or FOUND in reads:
        at = places | reach.places_of(touched)
        if PLACES in reads:
            core |= reach.people_at(at)
        if FOUND in reads:
            core |= reach.subjects_of(reach.found_at(at))
    if INCIDENT_HOMES in reads:
        core |= ids.persons(_flat(PersonLocationVersion.objects.filter(role__in=HOUSEHOLD_ROLES), "location_id",
                                  ids.location_records(reach.incident_places(events)), "person_id"))

    # -- the context: what the rules read to judge the alerts of the core --
    own_events = reach.events_of(core)
    context = core | reach.subjects_of(own_events)
    event_records: set[int] = set()
    link_places = set()
    if REFS in reads:
        event_records |= reach.referenced(own_events)
    if PLACES in reads or FOUND in reads:
        link_places |= reach.places_of(core)
    if FOUND in reads:
        found = reach.found_at(link_places)
        event_records |= found
        context |= reach.subjects_of(found)
        link_places |= reach.found_places(own_events | found)
    if link_places:
        context |= reach.people_at(link_places)
    event_places: set[int] = set()
    if INCIDENT_HOMES in reads:
        event_places = reach.homes_of(core)
    return Scope(core=frozenset(core), person_records=frozenset(ids.person_records(context)),
                 location_records=frozenset(ids.location_records(link_places)),
                 event_records=frozenset(event_records),
                 event_location_records=frozenset(ids.location_records(event_places)))
