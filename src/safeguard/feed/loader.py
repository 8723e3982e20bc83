"""Loading feed lines into the record store, in bulk.

Lines are parsed one by one (schema.py) and written in batches, each batch one transaction:
a bad line is reported and skipped, a good line is never half-loaded, and memory stays bounded
whatever the size of the input. Every query works on a whole batch, never one row at a time.

Versions (feed.md): the same (record, recorded_at) with the same content is unchanged, with
other content a conflict; a version later than all held is an update (or a delete), an earlier
one is late: it goes into history, where it answers questions about the moments before the
later version. `valid_to` of each version is the next version's `recorded_at`, kept up to date
here so that "as of T" is a range test.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
import pickle
import traceback
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from django.db import connection, transaction

from safeguard.core.clock import now
from safeguard.records.models import (
    VERSION_MODELS,
    EventReference,
    EventSubject,
    EventVersion,
    FeedLoad,
    Source,
    SourceRecord,
)

from . import indexes
from .schema import FeedError, Ref, identity_of, parse_line

# Lines per batch (one transaction). Large batches mean few queries and commits per line; a
# batch of parsed lines and its rows take some tens of MB, whatever the size of the input.
BATCH_SIZE = 10_000
MAX_ERRORS_KEPT = 10_000
SQLITE_CACHE_KIB = 256 * 1024  # SQLite page cache while loading (see _larger_sqlite_cache)
_INGEST_LOCK = 0x5AFE_F00D  # PostgreSQL advisory lock key: one writer of versions at a time
# A load expected to be at least this many lines is parsed in a second process while this one
# writes (see _parsed_in_child). Below it, starting that process costs more than it saves.
PIPELINE_MIN_LINES = 20_000


@dataclass
class Rejection:
    origin: str
    line: int
    identity: str
    message: str

    def __str__(self) -> str:
        who = f" {self.identity}:" if self.identity else ""
        return f"{self.origin}:{self.line}:{who} {self.message}"


@dataclass
class LoadSummary:
    lines_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    late: int = 0
    deleted: int = 0
    rejected: int = 0
    conflicts: int = 0
    unresolved: int = 0
    errors: list[Rejection] = field(default_factory=list)
    errors_not_kept: int = 0
    touched_record_ids: set[int] = field(default_factory=set)

    def reject(self, rejection: Rejection, *, conflict: bool = False) -> None:
        self.rejected += 1
        self.conflicts += conflict
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(rejection)
        else:
            self.errors_not_kept += 1

    def counts(self) -> dict[str, int]:
        return {
            "lines_read": self.lines_read, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "late": self.late, "deleted": self.deleted,
            "rejected": self.rejected, "conflicts": self.conflicts, "unresolved": self.unresolved,
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.counts(), "errors": [str(e) for e in self.errors], "errors_not_listed": self.errors_not_kept}

    def text(self) -> str:
        c = self.counts()
        return (
            f"lines read {c['lines_read']}, created {c['created']}, updated {c['updated']}, "
            f"unchanged {c['unchanged']}, late {c['late']}, deleted {c['deleted']}, "
            f"rejected {c['rejected']} (conflicts {c['conflicts']}), references unresolved {c['unresolved']}"
        )


Line = tuple[str, int, str]  # origin, line number, text
OnError = Callable[[Rejection], None]


def read_lines(origin: str, stream: IO[bytes]) -> Iterator[Line]:
    """Number the lines of a binary stream, skipping blank ones. Undecodable bytes are kept so
    that the parser can reject that line alone."""
    for number, raw in enumerate(stream, start=1):
        text = raw.decode("utf-8", errors="replace")
        if text.strip():
            yield origin, number, text


@contextmanager
def _fewer_collections():
    """Run the cyclic garbage collector less often while loading. A batch is tens of thousands
    of small dicts and lists that live exactly as long as the batch; at the default thresholds
    the collector walks them again and again (a quarter of the parse time in the benchmark),
    yet loading makes no reference cycles for it to find. Reference counting still frees every
    batch as soon as it is written; the thresholds are put back afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 100_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _larger_sqlite_cache():
    """SQLite keeps 2 MB of pages by default: once the indexes of a large load outgrow that,
    nearly every insert rereads index pages from the OS. A larger page cache for the length of
    the load (on this connection only; put back afterwards) keeps the hot index pages in memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


class Loader:
    """Loads lines for one actor. `allowed_sources` (None: any) limits which sources may be
    written, for partner systems' tokens."""

    def __init__(self, *, origin: str, actor_label: str, allowed_sources: set[str] | None = None,
                 on_error: OnError | None = None, batch_size: int = BATCH_SIZE, expected_lines: int | None = None):
        """`expected_lines`: about how many lines are coming, when the caller knows (a file's
        size): a load large relative to the store sets secondary indexes aside (feed/indexes.py)."""
        self.summary = LoadSummary()
        self.expected_lines = expected_lines
        self.allowed_sources = allowed_sources
        self.on_error = on_error
        self.batch_size = batch_size
        self.load = FeedLoad.objects.create(started_at=now(), origin=origin[:300], actor_label=actor_label[:200])
        self._source_ids: dict[str, int] = dict(Source.objects.values_list("code", "id"))

    # -- public ------------------------------------------------------------------------------

    def load_lines(self, lines: Iterable[Line], progress: Callable[[int], None] | None = None) -> LoadSummary:
        if indexes.worth_deferring(self.expected_lines):
            rebuilt_after = indexes.deferred()
        else:
            indexes.restore_missing()
            rebuilt_after = nullcontext()
        prepare = _Preparer(self.allowed_sources)
        in_child = (self.expected_lines or 0) >= PIPELINE_MIN_LINES and hasattr(os, "fork")
        with _fewer_collections(), _larger_sqlite_cache(), rebuilt_after:
            chunks = (_parsed_in_child(lines, prepare, self.batch_size) if in_child
                      else _parsed_here(lines, prepare, self.batch_size))
            for chunk in chunks:
                batch: list[Prepared] = []
                for item in chunk:
                    if type(item) is Prepared:
                        batch.append(item)
                    else:
                        self._rejected(item)
                self.summary.lines_read += len(chunk)
                if batch:
                    self._write_batch(batch)
                if progress:
                    progress(self.summary.lines_read)
        if progress:
            progress(self.summary.lines_read)
        self.summary.unresolved = SourceRecord.objects.filter(first_recorded_at__isnull=True).count()
        return self.summary

    def finish(self) -> FeedLoad:
        self.load.finished_at = now()
        self.load.summary = self.summary.counts()
        self.load.save(update_fields=["finished_at", "summary"])
        return self.load

    # -- parsing -----------------------------------------------------------------------------

    def _rejected(self, rejection: Rejection, *, conflict: bool = False) -> None:
        self.summary.reject(rejection, conflict=conflict)
        if self.on_error:
            self.on_error(rejection)

    # -- writing -----------------------------------------------------------------------------
    #
    # Speed (issue 3: 20,000 records a second into SQLite and PostgreSQL). The ORM is not used for
    # the writes: building a model instance per row and compiling bulk_create/bulk_update SQL cost
    # far more than the database's own work. Rows go as plain tuples through the connection's
    # cursor: `executemany` on SQLite, `COPY ... FROM STDIN` on PostgreSQL (psycopg 3), and each
    # lookup is one query per batch that joins a JSON array (SQLite) or arrays (PostgreSQL)
    # against the table, instead of many `IN (...)` queries. Values are converted here exactly as
    # Django's fields would convert them (see _Table), so what the ORM reads back is the same.

    def _write_batch(self, batch: list[Prepared]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            db = _Db(cursor)
            if db.postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_INGEST_LOCK])
                if self.expected_lines is not None:
                    # A file load: the commit returns without waiting for its WAL to reach the
                    # disk. A server crash can lose the last batches the load reported written
                    # (at most about three times wal_writer_delay, 0.6 s by default), never
                    # corrupt or half-write one: each is still one transaction, and loading the
                    # file again restores them (loads are idempotent). API loads, which answer
                    # a partner that its lines are stored, keep the synchronous commit.
                    cursor.execute("SET LOCAL synchronous_commit = off")
            record_ids, first_held = self._record_ids(db, batch)
            by_kind: dict[str, list[tuple[Prepared, int]]] = defaultdict(list)
            for item in batch:
                by_kind[item.kind].append((item, record_ids[item.identity]))
            firsts: dict[int, dt.datetime] = {}
            for kind, items in by_kind.items():
                self._write_versions(db, kind, items, record_ids, first_held, firsts)
            self._set_first_recorded(db, firsts, first_held)

    def _source_id(self, code: str) -> int:
        if code not in self._source_ids:
            source, _ = Source.objects.get_or_create(code=code)
            self._source_ids[code] = source.id
        return self._source_ids[code]

    def _record_ids(self, db: _Db, batch: list[Prepared]
                    ) -> tuple[dict[Identity, int], dict[int, dt.datetime | None]]:
        """Ids of every record the batch names or refers to, creating identities as needed; and
        for the records that already existed, their `first_recorded_at` (None: no version held).

        A record created here for a line of the batch gets its `first_recorded_at` (the earliest
        `recorded_at` of its lines here, which is the first version about to be written) in the
        same insert, saving an update per new record; one that is only referred to gets none.
        """
        # dicts as ordered sets: identities are created in the order the batch mentions them.
        earliest: dict[Identity, dt.datetime] = {}
        wanted: dict[Identity, None] = {}
        for item in batch:
            identity = item.identity
            if identity not in earliest or item.recorded_at < earliest[identity]:
                earliest[identity] = item.recorded_at
            wanted[identity] = None
            for _, target in item.refs:
                wanted[target] = None
            for person, _ in item.subjects:
                wanted[person] = None
        source_ids = {code: self._source_id(code) for code in {s for s, _, _ in wanted}}
        codes = {pk: code for code, pk in source_ids.items()}
        found: dict[Identity, int] = {}
        first_held: dict[int, dt.datetime | None] = {}
        for pk, source_id, kind, ext_id, first in db.lookup_identities(
            [(source_ids[s], k, i) for s, k, i in wanted]
        ):
            found[(codes[source_id], kind, ext_id)] = pk
            first_held[pk] = db.datetime_from_db(first)
        missing = [identity for identity in wanted if identity not in found]
        if missing:
            created = db.create_identities(
                [(source_ids[s], k, i, earliest.get((s, k, i))) for s, k, i in missing]
            )
            for pk, source_id, kind, ext_id in created:
                found[(codes[source_id], kind, ext_id)] = pk
        return found, first_held

    def _write_versions(self, db: _Db, kind: str, items: list[tuple[Prepared, int]],
                        record_ids: dict[Identity, int], first_held: dict[int, dt.datetime | None],
                        firsts: dict[int, dt.datetime]) -> None:
        table = _TABLES[kind]
        # Only records that already have a version can hold one: a record created in this batch
        # or never loaded (first_recorded_at null: only referred to so far) cannot, and in a
        # large first load that is nearly every record, so most batches skip this query.
        maybe_held = sorted({rid for _, rid in items if first_held.get(rid) is not None})
        held: dict[int, dict[dt.datetime, tuple[int, str, dt.datetime | None, bool]]] = defaultdict(dict)
        for pk, record_id, recorded_at, digest, valid_to, deleted in db.held_versions(table.name, maybe_held):
            held[record_id][db.datetime_from_db(recorded_at)] = (pk, digest, db.datetime_from_db(valid_to), deleted)

        new_by_record: dict[int, dict[dt.datetime, Prepared]] = defaultdict(dict)
        for item, record_id in items:
            versions = held.get(record_id)
            fresh = new_by_record[record_id]
            moment = item.recorded_at
            if not versions and not fresh:  # the common case: the first version of a record
                if item.deleted:
                    self.summary.deleted += 1
                else:
                    self.summary.created += 1
                fresh[moment] = item
                continue
            versions = versions or {}
            same = versions.get(moment) or (
                (None, fresh[moment].content_hash, None, False) if moment in fresh else None
            )
            if same is not None:
                if same[1] == item.content_hash:
                    self.summary.unchanged += 1
                else:
                    self._rejected(Rejection(
                        item.origin, item.line, item.label,
                        f"conflicts with the version recorded at {moment.isoformat()} already "
                        "held: two different versions cannot be recorded at the same moment"), conflict=True)
                continue
            latest = max([*versions, *fresh], default=None)
            if item.deleted and (latest is None or moment > latest):
                self.summary.deleted += 1
            elif latest is None:
                self.summary.created += 1
            elif moment > latest:
                self.summary.updated += 1
            else:
                self.summary.late += 1
            fresh[moment] = item

        if not any(new_by_record.values()):
            return
        # Version ids are allocated here (the tables have no sequence) so that subjects and
        # references can point at rows before they are written. One writer at a time holds the
        # ids: the advisory lock on PostgreSQL, the write lock of an IMMEDIATE transaction on SQLite.
        next_id = db.max_id(table.name) + 1
        load_id = self.load.id
        rows: list[tuple] = []
        subjects: list[tuple[int, int, str]] = []
        references: list[tuple[int, str, int]] = []
        valid_to_updates: list[tuple[Any, int]] = []
        touched = self.summary.touched_record_ids
        make_row, is_event, ref_columns = table.make_row, table.is_event, table.ref_columns
        for record_id, fresh in new_by_record.items():
            if not fresh:
                continue
            touched.add(record_id)
            versions = held.get(record_id)
            following: dict[dt.datetime, dt.datetime | None] = {}  # empty: nothing follows the version
            if not versions and len(fresh) == 1:  # the common case: one new version, nothing held
                firsts[record_id] = next(iter(fresh))
            else:
                versions = versions or {}
                moments = sorted([*versions, *fresh])
                following = dict(zip(moments, [*moments[1:], None], strict=True))
                firsts[record_id] = moments[0]
                for moment, (pk, _, valid_to, _) in versions.items():
                    if following[moment] != valid_to:
                        valid_to_updates.append((db.datetime_to_db(following[moment]), pk))
            for moment, item in fresh.items():
                version_id = next_id
                next_id += 1
                refs: dict[str, int] = {}
                if not item.deleted:
                    for name, ref in item.refs:
                        target = record_ids[ref]
                        if is_event:
                            references.append((version_id, name, target))
                        if name in ref_columns:
                            refs[name] = target
                    for person, role in item.subjects:
                        subjects.append((version_id, record_ids[person], role))
                rows.append(make_row(db, version_id, record_id, moment, following.get(moment), load_id, item, refs))
        db.insert(table.name, table.columns, rows)
        if subjects:
            db.insert(EventSubject._meta.db_table, _SUBJECT_COLUMNS, subjects)
        if references:
            db.insert(EventReference._meta.db_table, _REFERENCE_COLUMNS, references)
        if valid_to_updates:
            db.update_column(table.name, "valid_to", valid_to_updates)

    def _set_first_recorded(self, db: _Db, firsts: dict[int, dt.datetime],
                            first_held: dict[int, dt.datetime | None]) -> None:
        """A record's first_recorded_at is its earliest version's. Records created in this batch
        got theirs on insert (not in first_held); the others may need it moved earlier."""
        changed = []
        for pk, moment in firsts.items():
            if pk in first_held:
                current = first_held[pk]
                if current is None or moment < current:
                    changed.append((db.datetime_to_db(moment), pk))
        if changed:
            db.update_column(SourceRecord._meta.db_table, "first_recorded_at", changed)


Identity = tuple[str, str, str]  # source code, kind, id in the source


class _Db:
    """The few statements the loader needs, for the database in use, on one cursor inside the
    batch's transaction. Values are converted as Django's own fields convert them:

    - SQLite: aware date-times are stored as naive UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]",
      dates as "YYYY-MM-DD", JSON as `json.dumps` text, booleans as 0/1.
    - PostgreSQL: date-times and dates are passed as they are (the connection is in UTC), JSON
      as `json.dumps` text that COPY parses into jsonb.

    Table and column names in the SQL are the models' own (S608 is silenced for that reason);
    every value is a parameter or goes through COPY.
    """

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            self.datetime_to_db = _identity
            self.datetime_from_db = _identity
            self.date_to_db = _identity
        else:
            self.datetime_to_db = _sqlite_datetime
            self.datetime_from_db = _sqlite_datetime_from_db
            self.date_to_db = _sqlite_date

    def lookup_identities(self, identities: list[tuple[int, str, str]]) -> list[tuple]:
        """(id, source_id, kind, ext_id, first_recorded_at) of those that exist."""
        if not identities:
            return []
        table = SourceRecord._meta.db_table
        if self.postgres:
            source_ids, kinds, ext_ids = zip(*identities, strict=True)
            self.cursor.execute(
                f"SELECT r.id, r.source_id, r.kind, r.ext_id, r.first_recorded_at "  # noqa: S608
                f"FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS w(source_id, kind, ext_id) "
                f"JOIN {table} r ON r.source_id = w.source_id AND r.kind = w.kind AND r.ext_id = w.ext_id",
                [list(source_ids), list(kinds), list(ext_ids)],
            )
        else:
            # One JSON array parameter, walked by json_each; each element probes the unique index.
            self.cursor.execute(
                f"SELECT r.id, r.source_id, r.kind, r.ext_id, r.first_recorded_at FROM json_each(%s) AS w "  # noqa: S608
                f"JOIN {table} r ON r.source_id = w.value ->> 0 AND r.kind = w.value ->> 1 AND r.ext_id = w.value ->> 2",
                [json.dumps(identities)],
            )
        return self.cursor.fetchall()

    def create_identities(self, rows: list[tuple[int, str, str, dt.datetime | None]]) -> list[tuple]:
        """Insert (source_id, kind, ext_id, first_recorded_at); returns (id, source_id, kind, ext_id).
        Under the ingest lock nobody else creates identities, so each row is inserted."""
        table = SourceRecord._meta.db_table
        if self.postgres:
            source_ids, kinds, ext_ids, firsts = zip(*rows, strict=True)
            self.cursor.execute(
                f"INSERT INTO {table} (source_id, kind, ext_id, first_recorded_at) "  # noqa: S608
                f"SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[]) "
                f"RETURNING id, source_id, kind, ext_id",
                [list(source_ids), list(kinds), list(ext_ids), list(firsts)],
            )
        else:
            self.cursor.execute(
                f"INSERT INTO {table} (source_id, kind, ext_id, first_recorded_at) "  # noqa: S608
                f"SELECT w.value ->> 0, w.value ->> 1, w.value ->> 2, w.value ->> 3 FROM json_each(%s) AS w "
                f"RETURNING id, source_id, kind, ext_id",
                [json.dumps([(s, k, i, _sqlite_datetime(f)) for s, k, i, f in rows])],
            )
        return self.cursor.fetchall()

    def held_versions(self, table: str, record_ids: list[int]) -> list[tuple]:
        if not record_ids:
            return []
        columns = "id, record_id, recorded_at, content_hash, valid_to, deleted"
        if self.postgres:
            self.cursor.execute(f"SELECT {columns} FROM {table} WHERE record_id = ANY(%s::bigint[])", [record_ids])  # noqa: S608
        else:
            self.cursor.execute(f"SELECT {columns} FROM {table} WHERE record_id IN (SELECT value FROM json_each(%s))",  # noqa: S608
                                [json.dumps(record_ids)])
        return self.cursor.fetchall()

    def max_id(self, table: str) -> int:
        self.cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - table names are the models'
        return self.cursor.fetchone()[0] or 0

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if self.postgres:
            # COPY is PostgreSQL's bulk path: one stream, no per-row statement or parse.
            with self.cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            self.cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)  # noqa: S608

    def update_column(self, table: str, column: str, pairs: list[tuple[Any, int]]) -> None:
        """Set `column` to value for each (value, id)."""
        if self.postgres:
            values, ids = zip(*pairs, strict=True)
            cast = "timestamptz"  # the only columns updated are date-times
            self.cursor.execute(
                f"UPDATE {table} t SET {column} = u.value FROM unnest(%s::{cast}[], %s::bigint[]) AS u(value, id) "  # noqa: S608
                f"WHERE t.id = u.id",
                [list(values), list(ids)],
            )
        else:
            self.cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", pairs)  # noqa: S608


def _identity(value):
    return value


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """As Django's SQLite backend stores an aware date-time: naive UTC, str() of it."""
    if value is None:
        return None
    if value.tzinfo is not dt.UTC:  # schema.parse_datetime gives UTC already
        value = value.astimezone(dt.UTC)
    return str(value.replace(tzinfo=None))


def _sqlite_datetime_from_db(value: dt.datetime | str | None) -> dt.datetime | None:
    """Django's SQLite connection converts declared `datetime` columns to naive (UTC) values;
    an expression's result (no declared type) comes back as the stored text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC)


def _sqlite_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


_SUBJECT_COLUMNS = ("version_id", "person_id", "role")
_REFERENCE_COLUMNS = ("version_id", "name", "target_id")
_VERSION_BASE = ("id", "record_id", "recorded_at", "valid_to", "deleted", "content_hash", "load_id", "line", "payload")


class _Table:
    """A version table as rows of plain values: its columns, and how a parsed line fills them
    (Parsed.fields by field name; references into `<name>_id` columns; the model's defaults for
    what a line leaves out, and for every typed column of a delete)."""

    def __init__(self, model):
        self.name = model._meta.db_table
        self.is_event = model is EventVersion
        fields = [f for f in model._meta.concrete_fields if f.column not in _VERSION_BASE]
        self.ref_columns = {f.name for f in fields if f.is_relation}
        self.data = [(f.name, f.get_default(), f.get_internal_type()) for f in fields if not f.is_relation]
        self.columns = (*_VERSION_BASE, *(name for name, _, _ in self.data),
                        *(f"{name}_id" for name in sorted(self.ref_columns)))
        self.ref_order = sorted(self.ref_columns)

    def values(self, fields: dict[str, Any], to_dt: Callable, to_date: Callable) -> tuple:
        """The typed columns of a version, converted for the database (see _Db)."""
        row = []
        for name, default, kind in self.data:
            value = fields.get(name, default)
            if kind == "JSONField":
                value = json.dumps(value)
            elif value is None:
                pass
            elif kind == "DateTimeField":
                value = to_dt(value)
            elif kind == "DateField":
                value = to_date(value)
            row.append(value)
        return tuple(row)

    def make_row(self, db: _Db, version_id: int, record_id: int, moment: dt.datetime, valid_to: dt.datetime | None,
                 load_id: int, item: Prepared, refs: dict[str, int]) -> tuple:
        # The payload is the line as sent: its JSON text, which the database stores as JSON and
        # Django reads back as the same object json.dumps(payload) would give, without
        # serialising every record a second time (the content hash already did once).
        to_dt = db.datetime_to_db
        return (version_id, record_id, to_dt(moment), to_dt(valid_to), item.deleted, item.content_hash,
                load_id, item.line, item.text, *item.values, *[refs.get(name) for name in self.ref_order])


_TABLES = {kind: _Table(model) for kind, model in VERSION_MODELS.items()}


class Prepared(NamedTuple):
    """A checked line, ready to write: what the writer needs and nothing more, so that it is
    cheap to send from the parsing process. References are (source, kind, id) tuples."""

    origin: str
    line: int
    text: str  # the line as sent, stripped: stored as the version's payload
    kind: str
    identity: Identity
    recorded_at: dt.datetime
    deleted: bool
    content_hash: str
    values: tuple  # the kind's typed columns, in _Table.data order, converted for the database
    refs: tuple[tuple[str, Identity], ...]
    subjects: tuple[tuple[Identity, str], ...]

    @property
    def label(self) -> str:
        return f"{self.kind} {self.identity[0]}/{self.identity[2]}"


class _Preparer:
    """Line -> Prepared, or the Rejection saying what is wrong with it. Needs no database
    connection, so it can run in the parsing process."""

    def __init__(self, allowed_sources: set[str] | None):
        self.allowed_sources = allowed_sources
        if connection.vendor == "postgresql":
            self.to_dt, self.to_date = _identity, _identity
        else:
            self.to_dt, self.to_date = _sqlite_datetime, _sqlite_date
        self.deleted_values = {kind: table.values({}, self.to_dt, self.to_date) for kind, table in _TABLES.items()}

    def __call__(self, line: Line) -> Prepared | Rejection:
        origin, number, text = line
        try:
            parsed = parse_line(text)
        except FeedError as exc:
            identity = ""
            try:
                identity = identity_of(json.loads(text))
            except ValueError:
                pass
            return Rejection(origin, number, identity, str(exc))
        if self.allowed_sources is not None and parsed.source not in self.allowed_sources:
            return Rejection(origin, number, identity_of(parsed.payload),
                             f"this sender may not write records of source {parsed.source!r}")
        kind = parsed.kind
        if parsed.deleted:
            values, refs, subjects = self.deleted_values[kind], (), ()
        else:
            values = _TABLES[kind].values(parsed.fields, self.to_dt, self.to_date)
            refs = tuple((name, (r.source, r.kind, r.id)) for name, r in parsed.refs)
            subjects = tuple(((r.source, r.kind, r.id), role) for r, role in parsed.subjects)
        return Prepared(origin, number, text.strip(), kind, parsed.identity, parsed.recorded_at, parsed.deleted,
                        parsed.content_hash, values, refs, subjects)


def _parsed_here(lines: Iterable[Line], prepare: _Preparer, size: int) -> Iterator[list[Prepared | Rejection]]:
    """The lines parsed and checked in this process, `size` at a time."""
    chunk: list[Prepared | Rejection] = []
    for line in lines:
        chunk.append(prepare(line))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parsed_in_child(lines: Iterable[Line], prepare: _Preparer, size: int) -> Iterator[list[Prepared | Rejection]]:
    """The same chunks as _parsed_here, parsed by a forked process while this one writes.

    Parsing and checking a line costs about as much CPU as writing it, so on two cores a large
    load overlaps the two. The child inherits `lines` (its file, at its position) and reads it;
    this process never touches it. Chunks come back pickled through a pipe, one at a time: the
    child waits while the pipe is full, so at most about two chunks are in flight whatever the
    size of the input. The child never uses the database connection it inherits and leaves
    with os._exit (multiprocessing's fork start), so nothing of the parent's is closed twice.
    If the child fails, the load stops with its traceback; if this process fails, the child
    is ended.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_parse_and_send, args=(lines, prepare, size, writer), daemon=True,
                            name="safeguard-feed-parser")
    with warnings.catch_warnings():
        # Python warns that forking a process with threads may deadlock the child: the child
        # here takes no lock another thread could hold (it parses and writes to its own pipe).
        warnings.simplefilter("ignore", DeprecationWarning)
        child.start()
    writer.close()
    try:
        while True:
            try:
                # Bytes from our own forked child over its private pipe, never from outside.
                message, content = pickle.loads(reader.recv_bytes())  # noqa: S301
            except EOFError:
                child.join()
                raise RuntimeError(f"the feed-parsing process stopped unexpectedly (exit code {child.exitcode})"
                                   ) from None
            if message == "chunk":
                yield content
            elif message == "error":
                raise RuntimeError(f"parsing the feed failed in the parsing process:\n{content}")
            else:
                return
    finally:
        reader.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _parse_and_send(lines: Iterable[Line], prepare: _Preparer, size: int, writer) -> None:
    try:
        for chunk in _parsed_here(lines, prepare, size):
            writer.send_bytes(pickle.dumps(("chunk", chunk), protocol=pickle.HIGHEST_PROTOCOL))
        writer.send_bytes(pickle.dumps(("end", None)))
    except BrokenPipeError:  # the writer stopped: nothing to tell it
        pass
    except BaseException:  # noqa: BLE001 - every failure goes back to the writer, which raises it
        writer.send_bytes(pickle.dumps(("error", traceback.format_exc())))


__all__ = ["Loader", "LoadSummary", "Prepared", "Rejection", "Ref", "read_lines"]
