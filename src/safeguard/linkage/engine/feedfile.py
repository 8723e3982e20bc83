"""Person records for the engine straight from feed lines (`spec/feed.md`), without a database.

For tests, benchmarks and batch runs over a feed file; the linkage app builds the same table from
the records it holds. A record's places are the locations it `resides`, `stays`, is bailed to or
has notified (not schools, workplaces or where a missing child was found, which many unrelated
people share).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from .locations import address_key, normalise_postcode
from .model import IDENTIFIERS

ADDRESS_ROLES = frozenset({"resides", "stays", "bail_address", "notified_address"})
SHARED_PLACE_TYPES = frozenset({"school", "business", "public_place"})

Key = tuple[str, str]


def _ref(source: str, ref: Any) -> Key:
    if isinstance(ref, Mapping):
        return str(ref["source"]), str(ref["id"])
    return source, str(ref)


def read_lines(path: str | Path) -> Iterable[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def person_records(lines: Iterable[Mapping[str, Any]], first_id: int = 1) -> tuple[pa.Table, dict[Key, int]]:
    """(person records as `persons.prepare` takes them, (source, id) -> record_id).

    The last line of a record wins (later lines are newer versions).
    """
    people: dict[Key, Mapping[str, Any]] = {}
    places: dict[Key, Mapping[str, Any]] = {}
    links: dict[Key, Mapping[str, Any]] = {}
    for line in lines:
        key = (str(line["source"]), str(line["id"]))
        kind = line.get("kind")
        if kind == "person":
            people[key] = line
        elif kind == "location":
            places[key] = line
        elif kind == "person_location":
            links[key] = line
    record_ids = {key: first_id + i for i, key in enumerate(sorted(people))}
    postcodes: dict[Key, list[str]] = {k: [] for k in people}
    uprns: dict[Key, list[str]] = {k: [] for k in people}
    addresses: dict[Key, list[str]] = {k: [] for k in people}
    for link in links.values():
        source = str(link["source"])
        person, place = _ref(source, link["person"]), places.get(_ref(source, link["location"]))
        if person not in people or place is None or link.get("role") not in ADDRESS_ROLES:
            continue
        if place.get("location_type") in SHARED_PLACE_TYPES:
            continue
        if place.get("postcode"):
            postcodes[person].append(normalise_postcode(place["postcode"]))
        if place.get("uprn"):
            uprns[person].append(str(place["uprn"]))
        if key := address_key(place.get("address"), place.get("postcode")):
            addresses[person].append(key)
    rows = []
    for key, line in people.items():
        identifiers = line.get("identifiers") or {}
        rows.append(
            {
                "record_id": record_ids[key],
                "source": key[0],
                "given_names": line.get("given_names"),
                "family_name": line.get("family_name"),
                "aliases": [
                    {"given_names": a.get("given_names"), "family_name": a.get("family_name")}
                    for a in line.get("aliases") or ()
                ],
                "dob": line.get("dob"),
                "sex": line.get("sex") or "unknown",
                **{col: identifiers.get(col) for col in (*IDENTIFIERS, "local")},
                "postcodes": postcodes[key],
                "uprns": uprns[key],
                "addresses": addresses[key],
            }
        )
    return pa.Table.from_pylist(rows, schema=RECORD_SCHEMA), record_ids


RECORD_SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("source", pa.string()),
        ("given_names", pa.string()),
        ("family_name", pa.string()),
        ("aliases", pa.list_(pa.struct([("given_names", pa.string()), ("family_name", pa.string())]))),
        ("dob", pa.string()),
        ("sex", pa.string()),
        *((col, pa.string()) for col in (*IDENTIFIERS, "local")),
        ("postcodes", pa.list_(pa.string())),
        ("uprns", pa.list_(pa.string())),
        ("addresses", pa.list_(pa.string())),
    ]
)
