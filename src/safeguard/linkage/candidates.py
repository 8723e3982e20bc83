"""Which held records a few new or changed records could change: the candidate search of
incremental linkage, in a handful of set-based queries on the database.

For persons the search is wider than the engine's blocking rules (which use derived keys the
database does not hold): the same date of birth (or with day and month swapped), the same
surname with a compatible date of birth, any identifier in common, or a home in the same resolved
place. The engine then scores the whole scope with its own blocking, so the wider search only
costs time, never a pair the batch run would score. The scope is closed over resolved ids: every
record of a resolved person (or place) in it is in it, so re-clustering sees whole components.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyarrow as pa
from django.db.models import Count, Q

from safeguard.records.models import LocationVersion, PersonLocationVersion, PersonVersion, SourceRecord
from safeguard.records.selectors import as_of

from .engine.feedfile import ADDRESS_ROLES
from .engine.names import surname_parts
from .engine.persons import BUSY_PLACE
from .inputs import CHUNK, IDENTIFIERS
from .models import LocationMembership, PersonMembership


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def split_by_kind(record_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """(person records, location records) touched: a changed person-location link touches its
    person (its places are evidence) and a changed place touches the persons living there."""
    persons: set[int] = set()
    locations: set[int] = set()
    links: set[int] = set()
    for chunk in chunks(record_ids):
        for rid, kind in SourceRecord.objects.filter(pk__in=chunk).values_list("pk", "kind"):
            {"person": persons, "location": locations, "person_location": links}.get(kind, set()).add(rid)
    for chunk in chunks(links):
        persons.update(p for p in PersonLocationVersion.objects.filter(record_id__in=chunk, person__isnull=False)
                       .values_list("person_id", flat=True))
    for chunk in chunks(locations):
        persons.update(_residents(chunk))
    return persons, locations


def _residents(location_ids: list[int]) -> set[int]:
    """Persons living or staying at these location records, leaving out busy places (a hostel)."""
    links = PersonLocationVersion.objects.filter(as_of(None), role__in=ADDRESS_ROLES, location_id__in=location_ids,
                                                 person__isnull=False)
    busy = {row["location_id"] for row in links.values("location_id").annotate(n=Count("person_id", distinct=True))
            if row["n"] > BUSY_PLACE}
    return set(links.exclude(location_id__in=busy).values_list("person_id", flat=True))


def _closed(record_ids: set[int], membership, field: str) -> set[int]:
    """`record_ids` with every other record of the resolved ids they belong to."""
    resolved: set[int] = set()
    for chunk in chunks(record_ids):
        resolved.update(membership.objects.filter(record_id__in=chunk).values_list(f"{field}_id", flat=True))
    out = set(record_ids)
    for chunk in chunks(resolved):
        out.update(membership.objects.filter(**{f"{field}_id__in": chunk}).values_list("record_id", flat=True))
    return out


def location_scope(location_ids: set[int]) -> set[int]:
    """Location records that share a UPRN or a postcode with the given ones, closed over resolved places."""
    uprns: set[str] = set()
    postcodes: set[str] = set()
    for chunk in chunks(location_ids):
        for uprn, postcode in LocationVersion.objects.filter(as_of(None), record_id__in=chunk).values_list(
                "uprn", "postcode"):
            if uprn:
                uprns.add(uprn)
            if postcode:
                postcodes.add(postcode)
    found = set(location_ids)
    for values, column in ((uprns, "uprn"), (postcodes, "postcode")):
        ordered = sorted(values)
        for start in range(0, len(ordered), CHUNK):
            found.update(LocationVersion.objects.filter(as_of(None), **{f"{column}__in": ordered[start:start + CHUNK]})
                         .values_list("record_id", flat=True))
    return _closed(found, LocationMembership, "location")


def _surname_forms(family: str) -> set[str]:
    """The ways a surname is commonly written, for an exact (indexed) lookup."""
    forms = set()
    for name in {family, *(p for p in surname_parts(family))}:
        name = name.strip()
        if name:
            forms.update({name, name.upper(), name.lower(), name.title(), name.capitalize()})
    return forms


def _dob_forms(dob: str) -> set[str]:
    """A full date of birth and, when it could be, the same date with day and month swapped."""
    forms = {dob}
    if len(dob) == 10:
        year, month, day = dob.split("-")
        if day != month and int(day) <= 12:
            forms.add(f"{year}-{day}-{month}")
    return forms


def _compatible(dob_a: str, dob_b: str) -> bool:
    """Dates of birth that do not rule a pair out before scoring: either missing or partial,
    the same year, or the same day and month (the year mistyped)."""
    if len(dob_a) < 10 or len(dob_b) < 10:
        return True
    return dob_a[:4] == dob_b[:4] or dob_a[5:] == dob_b[5:]


def person_scope(new: pa.Table) -> set[int]:
    """Held person records the records of `new` (a `person_table`) could link to, closed over
    resolved persons, with `new`'s own records."""
    rows = new.select(["record_id", "family_name", "dob", *IDENTIFIERS]).to_pylist()
    new_ids = {r["record_id"] for r in rows}
    dobs: set[str] = set()
    identifiers: dict[str, set[str]] = defaultdict(set)
    surnames: dict[str, list[str]] = defaultdict(list)  # written form -> dates of birth of new records
    for row in rows:
        dob = row["dob"] or ""
        if len(dob) == 10:
            dobs.update(_dob_forms(dob))
        for form in _surname_forms(row["family_name"] or ""):
            surnames[form].append(dob)
        for key in IDENTIFIERS:
            if row[key]:
                identifiers[key].add(row[key])
    current = PersonVersion.objects.filter(as_of(None))
    found: set[int] = set(new_ids)
    for values, lookup in ((dobs, "dob__in"), *((v, f"{k}__in") for k, v in identifiers.items())):
        ordered = sorted(values)
        for start in range(0, len(ordered), CHUNK):
            found.update(current.filter(Q(**{lookup: ordered[start:start + CHUNK]})).values_list("record_id", flat=True))
    forms = sorted(surnames)
    for start in range(0, len(forms), CHUNK):
        for rid, family, dob in current.filter(family_name__in=forms[start:start + CHUNK]).values_list(
                "record_id", "family_name", "dob").iterator(chunk_size=5000):
            if any(_compatible(dob or "", d) for d in surnames.get(family, ())):
                found.add(rid)
    found.update(_housemates(new_ids))
    return _closed(found, PersonMembership, "person")


def _housemates(person_ids: set[int]) -> set[int]:
    """Persons at home in the same resolved places as these persons."""
    locations: set[int] = set()
    for chunk in chunks(person_ids):
        locations.update(PersonLocationVersion.objects.filter(as_of(None), role__in=ADDRESS_ROLES, person_id__in=chunk,
                                                              location__isnull=False).values_list("location_id",
                                                                                                  flat=True))
    places = _closed(locations, LocationMembership, "location")
    out: set[int] = set()
    for chunk in chunks(places):
        out.update(_residents(chunk))
    return out
