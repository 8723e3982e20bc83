"""The engine's input tables, built from the current record versions in a few set-based queries."""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa

from safeguard.records.models import LocationVersion, PersonLocationVersion, PersonVersion
from safeguard.records.selectors import as_of

from .engine.feedfile import ADDRESS_ROLES, SHARED_PLACE_TYPES
from .engine.locations import address_key

IDENTIFIERS = ("nhs", "pnc", "cro", "upn", "ni", "visor", "local")


def location_table(record_ids: set[int] | None = None) -> pa.Table:
    """Current location versions (all, or those of `record_ids`)."""
    rows = LocationVersion.objects.filter(as_of(None))
    if record_ids is not None:
        rows = rows.filter(record_id__in=record_ids)
    rows = rows.values_list("record_id", "address", "postcode", "uprn")
    ids, addresses, postcodes, uprns = [], [], [], []
    for record_id, address, postcode, uprn in rows.iterator(chunk_size=5000):
        ids.append(record_id)
        addresses.append(address)
        postcodes.append(postcode or None)
        uprns.append(uprn or None)
    return pa.table({"record_id": pa.array(ids, pa.int64()), "address": addresses, "postcode": postcodes, "uprn": uprns})


def _places(person_ids: set[int] | None) -> tuple[dict[int, set[str]], dict[int, set[str]], dict[int, set[str]]]:
    """person record -> postcodes, UPRNs and address keys of the places it lives or stays at (any
    time: a past address is evidence too). Schools, workplaces and public places are left out,
    and so are roles such as "found at": many unrelated people share them (as `feedfile`)."""
    links = PersonLocationVersion.objects.filter(as_of(None), role__in=ADDRESS_ROLES)
    if person_ids is not None:
        links = links.filter(person_id__in=person_ids)
    linked: dict[int, set[int]] = defaultdict(set)
    for person_id, location_id in links.values_list("person_id", "location_id").iterator(chunk_size=5000):
        linked[location_id].add(person_id)
    places = LocationVersion.objects.filter(as_of(None)).exclude(location_type__in=SHARED_PLACE_TYPES)
    if person_ids is not None:
        places = places.filter(record_id__in=list(linked))
    postcodes: dict[int, set[str]] = defaultdict(set)
    uprns: dict[int, set[str]] = defaultdict(set)
    addresses: dict[int, set[str]] = defaultdict(set)
    for location_id, address, postcode, uprn in places.values_list("record_id", "address", "postcode", "uprn").iterator(
            chunk_size=5000):
        key = address_key(address, postcode)
        for person_id in linked.get(location_id, ()):
            if postcode:
                postcodes[person_id].add(postcode)
            if uprn:
                uprns[person_id].add(uprn)
            if key:
                addresses[person_id].add(key)
    return postcodes, uprns, addresses


# Ids per query when reading some records (SQLite allows 32,766 parameters in a statement).
CHUNK = 5000


def person_table(record_ids: set[int] | None = None) -> pa.Table:
    """Current person versions (all, or those of `record_ids`) with the places they are linked to."""
    if record_ids is not None and len(record_ids) > CHUNK:
        ordered = sorted(record_ids)
        return pa.concat_tables([person_table(set(ordered[i:i + CHUNK])) for i in range(0, len(ordered), CHUNK)])
    postcodes, uprns, addresses = _places(record_ids)
    persons = PersonVersion.objects.filter(as_of(None))
    if record_ids is not None:
        persons = persons.filter(record_id__in=record_ids)
    columns: dict[str, list] = defaultdict(list)
    fields = ("record_id", "record__source__code", "given_names", "family_name", "aliases", "dob", "sex", *IDENTIFIERS)
    for row in persons.values_list(*fields).iterator(chunk_size=5000):
        record = dict(zip(fields, row, strict=True))
        rid = record["record_id"]
        columns["record_id"].append(rid)
        columns["source"].append(record["record__source__code"])
        columns["given_names"].append(record["given_names"] or None)
        columns["family_name"].append(record["family_name"] or None)
        columns["aliases"].append([{"given_names": a.get("given_names"), "family_name": a.get("family_name")}
                                   for a in record["aliases"] or []])
        columns["dob"].append(record["dob"] or None)
        columns["sex"].append(record["sex"])
        for key in IDENTIFIERS:
            columns[key].append(record[key] or None)
        columns["postcodes"].append(sorted(postcodes.get(rid, ())))
        columns["uprns"].append(sorted(uprns.get(rid, ())))
        columns["addresses"].append(sorted(addresses.get(rid, ())))
    alias_type = pa.list_(pa.struct([("given_names", pa.string()), ("family_name", pa.string())]))
    schema = pa.schema([("record_id", pa.int64()), ("source", pa.string()), ("given_names", pa.string()),
                        ("family_name", pa.string()), ("aliases", alias_type), ("dob", pa.string()), ("sex", pa.string()),
                        *[(k, pa.string()) for k in IDENTIFIERS], ("postcodes", pa.list_(pa.string())),
                        ("uprns", pa.list_(pa.string())), ("addresses", pa.list_(pa.string()))])
    return pa.table({name: columns.get(name, []) for name in schema.names}, schema=schema)
