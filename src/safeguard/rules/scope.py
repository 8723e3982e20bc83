"""Incremental evaluation: which resolved people a change can affect, and which records the rules
need to judge their alerts again.

A rule's alert names its subjects; every rule judges a subject from what is linked to them within
a few steps: the places they are linked to and who else is linked there (a household), the people
they have a relationship with (a parent's partner), the people and places of the events they are
in. So after a load:

- the *core* is the people the load touched and everyone within CORE_STEPS of them: every alert
  whose outcome can change has a subject there (a child moving in changes the severity of the
  alerts of the adult living there, one step away);
- the *context* is everyone within CONTEXT_STEPS of the core: everything the rules read to judge
  an alert with a subject in the core (the partner of a parent of a child of a household is three
  steps from the household).

Each step is set-based: a few queries per step, whatever the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeguard.linkage.models import LocationMembership, PersonMembership
from safeguard.records.models import (
    EventReference,
    EventSubject,
    EventVersion,
    PersonLocationVersion,
    RelationshipVersion,
)

CORE_STEPS = 2
CONTEXT_STEPS = 3
CHUNK = 900


@dataclass(frozen=True)
class Scope:
    core: frozenset[int]  # resolved persons whose alerts are judged again
    person_records: frozenset[int]  # source records the World loads
    location_records: frozenset[int]


def _chunks(ids: set[int]):
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


class _Graph:
    """Resolved people and places, with their records, grown a step at a time."""

    def __init__(self) -> None:
        self.person_records: set[int] = set()
        self.location_records: set[int] = set()
        self.persons: set[int] = set()
        self.locations: set[int] = set()
        # what earlier steps already looked from: each step looks only from what is new
        self._stepped_people: set[int] = set()
        self._stepped_places: set[int] = set()

    def add_person_records(self, records: set[int]) -> set[int]:
        """Add the resolved persons of these records (with all their records); returns the new persons."""
        records = records - self.person_records
        resolved = {}
        for chunk in _chunks(records):
            resolved.update(PersonMembership.objects.filter(record_id__in=chunk).values_list("record_id", "person_id"))
        new_persons = set(resolved.values()) - self.persons
        # A record linkage has not placed stands for itself (World.person: -record).
        new_persons |= {-r for r in records if r not in resolved} - self.persons
        self.add_persons(new_persons)
        return new_persons

    def add_persons(self, persons: set[int]) -> None:
        persons = persons - self.persons
        self.persons |= persons
        self.person_records |= {-p for p in persons if p < 0}
        for chunk in _chunks({p for p in persons if p > 0}):
            self.person_records.update(PersonMembership.objects.filter(person_id__in=chunk).values_list("record_id", flat=True))

    def add_location_records(self, records: set[int]) -> None:
        records = records - self.location_records
        resolved = set()
        for chunk in _chunks(records):
            resolved.update(LocationMembership.objects.filter(record_id__in=chunk).values_list("location_id", flat=True))
        self.location_records |= records
        self.add_locations(resolved)

    def add_locations(self, locations: set[int]) -> None:
        locations = locations - self.locations
        self.locations |= locations
        for chunk in _chunks(locations):
            self.location_records.update(
                LocationMembership.objects.filter(location_id__in=chunk).values_list("record_id", flat=True))

    def step(self) -> None:
        """Everything one step from what is held: places of the people, people of the places, the
        other side of relationships, the people and places of their events."""
        people, places = self.person_records - self._stepped_people, self.location_records - self._stepped_places
        self._stepped_people |= people
        self._stepped_places |= places
        new_people: set[int] = set()
        new_places: set[int] = set()
        for chunk in _chunks(people):
            new_places.update(PersonLocationVersion.objects.filter(person_id__in=chunk).values_list("location_id", flat=True))
            new_people.update(RelationshipVersion.objects.filter(person_id__in=chunk).values_list("other_id", flat=True))
            new_people.update(RelationshipVersion.objects.filter(other_id__in=chunk).values_list("person_id", flat=True))
        for chunk in _chunks(places):
            new_people.update(PersonLocationVersion.objects.filter(location_id__in=chunk).values_list("person_id", flat=True))
        events = set()
        for chunk in _chunks(people):
            events.update(EventSubject.objects.filter(person_id__in=chunk).values_list("version__record_id", flat=True))
        for chunk in _chunks(places):
            events.update(EventVersion.objects.filter(location_id__in=chunk).values_list("record_id", flat=True))
        for chunk in _chunks(events):
            new_people.update(EventSubject.objects.filter(version__record_id__in=chunk).values_list("person_id", flat=True))
            new_places.update(r for r in EventVersion.objects.filter(record_id__in=chunk).values_list("location_id", flat=True)
                              if r is not None)
            for target, kind in EventReference.objects.filter(version__record_id__in=chunk).values_list("target_id",
                                                                                                       "target__kind"):
                (new_places if kind == "location" else new_people if kind == "person" else set()).add(target)
        self.add_person_records(new_people)
        self.add_location_records(new_places)


def scope_of(*, persons: set[int] | None = None, locations: set[int] | None = None,
             records: set[int] | None = None) -> Scope:
    """The scope of a change to these resolved persons and locations and these source records
    (of any kind: an event brings its people and places)."""
    graph = _Graph()
    graph.add_persons(set(persons or ()))
    graph.add_locations(set(locations or ()))
    if records:
        graph.add_person_records(_records_of_kind(records, "person"))
        graph.add_location_records(_records_of_kind(records, "location"))
        events = _records_of_kind(records, "event")
        for chunk in _chunks(events):
            graph.add_person_records(set(EventSubject.objects.filter(version__record_id__in=chunk)
                                         .values_list("person_id", flat=True)))
            graph.add_location_records({r for r in EventVersion.objects.filter(record_id__in=chunk)
                                        .values_list("location_id", flat=True) if r is not None})
        links = _records_of_kind(records, "person_location") | _records_of_kind(records, "relationship")
        for chunk in _chunks(links):
            for person, location in PersonLocationVersion.objects.filter(record_id__in=chunk).values_list("person_id",
                                                                                                        "location_id"):
                graph.add_person_records({person})
                graph.add_location_records({location})
            for a, b in RelationshipVersion.objects.filter(record_id__in=chunk).values_list("person_id", "other_id"):
                graph.add_person_records({a, b})
    for _ in range(CORE_STEPS):
        graph.step()
    core = frozenset(graph.persons)
    for _ in range(CONTEXT_STEPS):
        graph.step()
    return Scope(core=core, person_records=frozenset(graph.person_records), location_records=frozenset(graph.location_records))


def _records_of_kind(records: set[int], kind: str) -> set[int]:
    from safeguard.records.models import SourceRecord

    out: set[int] = set()
    for chunk in _chunks(records):
        out.update(SourceRecord.objects.filter(pk__in=chunk, kind=kind).values_list("pk", flat=True))
    return out
