"""Which held records a few new or changed records could change: the candidate search of
incremental linkage, in a handful of set-based queries on the database.

Persons: the database keeps the blocking keys of every current person record (`BlockingKey`):
for each of the model's blocking rules, the values a record brings to it, hashed. An arriving
record's candidates are the held records holding one of the keys it looks for (the "new form":
an asymmetric rule such as `l.nodob_key = r.name_key` looks up the other side's column), exactly
the records a batch run's blocking would pair it with. Keys are made set-based in DuckDB from
the prepared records (`engine.incremental.keys_sql`); a batch run rewrites them all, an
incremental run replaces those of the records it touched.

Busy places: a batch run leaves places held by more than BUSY_PLACE records out of blocking
(`persons.with_blocking_places`), but whether a place is busy changes as records arrive and go.
The stored keys therefore hold every place, busy or not: the candidates are a superset of what
the batch blocks on (a hostel brings its residents of the same initial into the scope), which
costs scoring time only, never a pair the batch would score.

Missing or stale keys: `BlockingKeyIndex` records the digest of the key recipes (this code's
blocking rules, and KEYS_FORMAT for what `prepare` puts in the columns). With no row (a database
linked before the keys were kept) or another digest, an incremental run first rebuilds every
key (`ensure_keys`, logged as a warning): at force scale that is a batch run's reading and
preparing of a million records, so after an upgrade run `safeguard link` once. Keys are written
in the same transaction as the memberships, so they stay in step with what linkage has seen.

The scope is closed over resolved ids: every record of a resolved person (or place) in it is in
it, so re-clustering sees whole components.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection
from django.db.models import Count

from safeguard.core.clock import now
from safeguard.core.db import among, bulk_insert
from safeguard.records.models import LocationVersion, PersonLocationVersion, SourceRecord
from safeguard.records.selectors import as_of

from .engine.feedfile import ADDRESS_ROLES
from .engine.incremental import Recipe, key_recipes, keys_digest, keys_sql
from .engine.persons import BLOCKING_PLACES, BUSY_PLACE, engine, prepare
from .inputs import CHUNK, person_table
from .models import BlockingKey, BlockingKeyIndex, LocationMembership, PersonMembership

log = logging.getLogger(__name__)


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
    for part in among(membership.objects.all(), "record_id", record_ids):
        resolved.update(part.values_list(f"{field}_id", flat=True))
    out = set(record_ids)
    for part in among(membership.objects.all(), f"{field}_id", resolved):
        out.update(part.values_list("record_id", flat=True))
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


# ---- persons: the stored blocking keys ------------------------------------------------------

def recipes(model=None) -> list[Recipe]:
    """The key recipes of the blocking rules the engine uses (this code's rules: a retrained
    model keeps them, `model.with_current_rules`, so `link --train` leaves the keys valid)."""
    return key_recipes(engine(model).settings)


def make_keys(persons: pa.Table, held_form: bool, model=None) -> pa.Table:
    """(key, record_id) of `persons` (a `person_table`, prepared or not), sorted by key. Places
    are used whole, busy or not (see the module's note)."""
    whole = prepare(persons)
    rules = recipes(model)
    columns = sorted({c for r in rules for c in (*r[1], *r[2]) if c not in BLOCKING_PLACES and c != "record_id"})
    prepared = whole.select(["record_id", *columns])
    for blocking, column in BLOCKING_PLACES.items():
        prepared = prepared.append_column(blocking, whole[column])
    scorer = engine(model)  # its DuckDB connection (a new one costs ~0.1 s)
    with scorer.lock:
        con = scorer.db_api.duckdb_con
        con.register("sg_key_source", prepared)
        try:
            return con.sql(f"SELECT key, record_id FROM ({keys_sql('sg_key_source', rules, held_form)}) "  # noqa: S608
                           "ORDER BY key, record_id").to_arrow_table()
        finally:
            con.unregister("sg_key_source")


def _index_row(lock: bool) -> BlockingKeyIndex | None:
    rows = BlockingKeyIndex.objects.order_by("pk")
    return (rows.select_for_update() if lock else rows).first()


def keys_are_current(model=None) -> bool:
    row = _index_row(lock=False)
    return row is not None and row.digest == keys_digest(recipes(model))


def write_all_keys(keys: pa.Table, *, records: int, run=None, model=None) -> None:
    """Replace every stored key by `keys` (`make_keys(..., held_form=True)` of all current person
    records) and record what made them. Call in a transaction. The table's indexes are dropped
    for the load and made again after it (a sorted build instead of millions of inserts into
    them)."""
    row = _index_row(lock=True) or BlockingKeyIndex()  # first: incremental runs wait for this one
    table = BlockingKey._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        primary = None
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {quote(table)}")
            constraints = connection.introspection.get_constraints(cursor, table)
            primary = next(name for name, c in constraints.items() if c["primary_key"])
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(primary)}")
        else:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - the model's own table
        cursor.execute(f"DROP INDEX IF EXISTS {quote('blockingkey_record')}")
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            for batch in keys.to_batches(max_chunksize=500_000):
                buffer.seek(0)
                buffer.truncate()
                pacsv.write_csv(pa.Table.from_batches([batch]), buffer,
                                pacsv.WriteOptions(include_header=False))
                with cursor.cursor.copy(f"COPY {quote(table)} (key, record_id) FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(buffer.getvalue())
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(primary)} PRIMARY KEY (key, record_id)")
        else:
            for batch in keys.to_batches(max_chunksize=200_000):
                cursor.executemany(f"INSERT INTO {quote(table)} (key, record_id) VALUES (%s, %s)",  # noqa: S608
                                   list(zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True)))
        cursor.execute(f"CREATE INDEX {quote('blockingkey_record')} ON {quote(table)} (record_id)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quote(table)}")
    row.digest, row.built_at, row.run, row.records, row.keys = (keys_digest(recipes(model)), now(), run, records,
                                                                 keys.num_rows)
    row.save()
    BlockingKeyIndex.objects.exclude(pk=row.pk).delete()


def ensure_keys(run=None, model=None) -> bool:
    """Make sure the stored keys are those of this code's blocking rules (call in a transaction:
    it locks the index row, so incremental runs wait for one another here). A database linked
    before the keys were kept, or keys made by other rules, are rebuilt from every current person
    record first (one `person_table` of everything: a batch run's reading and preparing, without
    its scoring). Returns whether it rebuilt."""
    row = _index_row(lock=True)
    if row is not None and row.digest == keys_digest(recipes(model)):
        return False
    log.warning("linkage: the stored blocking keys are %s: rebuilding them from every person record",
                "missing" if row is None or not row.digest else "for other blocking rules")
    persons = person_table()
    write_all_keys(make_keys(persons, held_form=True, model=model), records=persons.num_rows, run=run, model=model)
    return True


def replace_keys(record_ids: set[int], persons: pa.Table | None, model=None) -> int:
    """After an incremental run: the stored keys of `record_ids` (the person records it touched)
    become those of their current versions in `persons` (a `person_table` of them: a deleted
    record is not in it and keeps no key). Returns the number of keys written."""
    for part in among(BlockingKey.objects.all(), "record_id", record_ids):
        part.delete()
    if persons is None or persons.num_rows == 0:
        return 0
    keys = make_keys(persons, held_form=True, model=model)
    bulk_insert(BlockingKey, ("key", "record_id"), list(zip(keys.column(0).to_pylist(), keys.column(1).to_pylist(),
                                                            strict=True)))
    return keys.num_rows


def person_scope(new: pa.Table, model=None) -> set[int]:
    """Held person records the records of `new` (a `person_table`) could link to, closed over
    resolved persons, with `new`'s own records: the records holding a key `new` looks for."""
    found = set(new["record_id"].to_pylist())
    wanted = make_keys(new, held_form=False, model=model)["key"].to_pylist()
    for part in among(BlockingKey.objects.all(), "key", wanted):
        found.update(part.values_list("record_id", flat=True))
    return _closed(found, PersonMembership, "person")
