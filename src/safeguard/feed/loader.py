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
BATCH_SIZE = 25_000
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


class RecordIds:
    """The ids of the records a load touched, as a bitmap: one bit per id up to the highest.

    Record ids are allocated densely from 1, so this takes an eighth of a byte per record held,
    where a set of ints took about 60 bytes per record touched (420 MB for the 7 million records
    of the force-scale feed, most of the growth of a large load's memory). Iterates in ascending
    order; `set(ids)` gives a plain set; compares equal to a set of the same ids."""

    __slots__ = ("_bits", "_count")

    def __init__(self, ids: Iterable[int] = ()):
        self._bits = bytearray()
        self._count = 0
        self.update(ids)

    def update(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        bits = self._bits
        needed = (max(ids) >> 3) + 1
        if needed > len(bits):
            bits.extend(bytes(max(needed - len(bits), len(bits) // 4)))  # grow by a quarter at least
        added = 0
        for pk in ids:
            byte, mask = pk >> 3, 1 << (pk & 7)
            if not bits[byte] & mask:
                bits[byte] |= mask
                added += 1
        self._count += added

    def add(self, pk: int) -> None:
        self.update((pk,))

    def __contains__(self, pk: object) -> bool:
        return type(pk) is int and 0 <= pk < len(self._bits) * 8 and bool(self._bits[pk >> 3] & (1 << (pk & 7)))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        for index, byte in enumerate(self._bits):
            if byte:
                base = index << 3
                for bit in range(8):
                    if byte >> bit & 1:
                        yield base + bit

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordIds):
            return self._count == other._count and self._bits.rstrip(b"\0") == other._bits.rstrip(b"\0")
        if isinstance(other, set | frozenset):
            return self._count == len(other) and all(pk in self for pk in other)
        return NotImplemented

    __hash__ = None  # mutable, like a set

    def __repr__(self) -> str:
        return f"RecordIds({len(self)} ids)"


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
    touched_record_ids: RecordIds = field(default_factory=RecordIds)

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
                for rejection in chunk.rejections:
                    self._rejected(rejection)
                self.summary.lines_read += chunk.lines
                if chunk.by_kind:
                    self._write_batch(chunk)
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
    # against the table, instead of many `IN (...)` queries. Values are converted for the
    # database by the parsing side (_Preparer), exactly as Django's fields would convert them, so
    # what the ORM reads back is the same; moments (recorded_at, valid_to, first_recorded_at) are
    # handled here in that same form, which orders as the moments do (see _Db), so this process
    # never converts a date-time.

    def _write_batch(self, chunk: Chunk) -> None:
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
            record_ids, first_held = self._record_ids(db, chunk.wanted)
            firsts: dict[int, Any] = {}
            for kind, items in chunk.by_kind.items():
                self._write_versions(db, kind, items, record_ids, first_held, firsts)
            self._set_first_recorded(db, firsts, first_held)

    def _source_id(self, code: str) -> int:
        if code not in self._source_ids:
            source, _ = Source.objects.get_or_create(code=code)
            self._source_ids[code] = source.id
        return self._source_ids[code]

    def _record_ids(self, db: _Db, wanted: dict[Identity, Any]) -> tuple[dict[Identity, int], dict[int, Any]]:
        """Ids of every record the batch names or refers to (`wanted`, in the order the batch
        mentions them), creating identities as needed; and for the records that already existed,
        their `first_recorded_at` (None: no version held).

        A record created here for a line of the batch gets its `first_recorded_at` (the earliest
        `recorded_at` of its lines here, the value in `wanted`, which is the first version about
        to be written) in the same insert, saving an update per new record; one that is only
        referred to gets none.
        """
        identities = list(wanted)
        source_ids = {code: self._source_id(code) for code in {identity[0] for identity in identities}}
        found: dict[Identity, int] = {}
        first_held: dict[int, Any] = {}
        for position, pk, first in db.lookup_identities([(source_ids[s], k, i) for s, k, i in identities]):
            found[identities[position]] = pk
            first_held[pk] = first
        if len(found) < len(identities):
            missing = [identity for identity in identities if identity not in found]
            ids = db.create_identities(
                [(source_ids[identity[0]], identity[1], identity[2], wanted[identity]) for identity in missing]
            )
            found.update(zip(missing, ids, strict=True))
        return found, first_held

    def _write_versions(self, db: _Db, kind: str, items: list[Prepared], record_ids: dict[Identity, int],
                        first_held: dict[int, Any], firsts: dict[int, Any]) -> None:
        table = _TABLES[kind]
        summary = self.summary
        rids = [record_ids[item[_IDENTITY]] for item in items]
        # Only records that already have a version can hold one: a record created in this batch
        # or never loaded (first_recorded_at null: only referred to so far) cannot, and in a
        # large first load that is nearly every record, so most batches skip this query.
        maybe_held = sorted({rid for rid in rids if first_held.get(rid) is not None})
        held: dict[int, dict[Any, tuple[int, str, Any, bool]]] = defaultdict(dict)
        for pk, record_id, recorded_at, digest, valid_to, deleted in db.held_versions(table.name, maybe_held):
            held[record_id][recorded_at] = (pk, digest, valid_to, deleted)

        # record id -> {moment: line} of the versions to write (None: only lines that wrote nothing)
        new_by_record: dict[int, dict[Any, Prepared] | None] = {}
        created = deleted_count = 0
        for record_id, item in zip(rids, items, strict=True):
            fresh = new_by_record.get(record_id)
            moment = item[_MOMENT]
            versions = held.get(record_id) if held else None
            if fresh is None and not versions:  # the common case: the first version of a record
                if item[_DELETED]:
                    deleted_count += 1
                else:
                    created += 1
                new_by_record[record_id] = {moment: item}
                continue
            versions = versions or {}
            if fresh is None:
                fresh = new_by_record[record_id] = {}
            same = versions.get(moment) or (
                (None, fresh[moment][_HASH], None, False) if moment in fresh else None
            )
            if same is not None:
                if same[1] == item[_HASH]:
                    summary.unchanged += 1
                else:
                    self._rejected(Rejection(
                        item[_ORIGIN], item[_LINE], f"{kind} {item[_IDENTITY][0]}/{item[_IDENTITY][2]}",
                        f"conflicts with the version recorded at {db.moment_isoformat(moment)} already "
                        "held: two different versions cannot be recorded at the same moment"), conflict=True)
                continue
            latest = max([*versions, *fresh], default=None)
            if item[_DELETED] and (latest is None or moment > latest):
                deleted_count += 1
            elif latest is None:
                created += 1
            elif moment > latest:
                summary.updated += 1
            else:
                summary.late += 1
            fresh[moment] = item
        summary.created += created
        summary.deleted += deleted_count

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
        touched: list[int] = []
        is_event, has_ref_columns = table.is_event, bool(table.ref_order)

        def add(version_id: int, record_id: int, item: Prepared, valid_to: Any) -> None:
            (_, line, text, _, _, moment, deleted, digest, values, column_refs, refs, persons) = item
            if has_ref_columns:  # a delete's are all None
                values = (*values, *[None if target is None else record_ids[target] for target in column_refs])
            if not deleted:
                if is_event:
                    for name, target in refs:
                        references.append((version_id, name, record_ids[target]))
                    for person, role in persons:
                        subjects.append((version_id, record_ids[person], role))
            rows.append((version_id, record_id, moment, valid_to, deleted, digest, load_id, line, text, *values))

        for record_id, fresh in new_by_record.items():
            if not fresh:
                continue
            touched.append(record_id)
            versions = held.get(record_id)
            if not versions and len(fresh) == 1:  # the common case: one new version, nothing held
                for moment, item in fresh.items():
                    firsts[record_id] = moment
                    add(next_id, record_id, item, None)
                    next_id += 1
                continue
            versions = versions or {}
            moments = sorted([*versions, *fresh])
            following = dict(zip(moments, [*moments[1:], None], strict=True))
            firsts[record_id] = moments[0]
            for moment, (pk, _, valid_to, _) in versions.items():
                if following[moment] != valid_to:
                    valid_to_updates.append((following[moment], pk))
            for moment, item in fresh.items():
                add(next_id, record_id, item, following[moment])
                next_id += 1
        summary.touched_record_ids.update(touched)
        db.insert(table.name, table.columns, rows)
        if subjects:
            db.insert(EventSubject._meta.db_table, _SUBJECT_COLUMNS, subjects)
        if references:
            db.insert(EventReference._meta.db_table, _REFERENCE_COLUMNS, references)
        if valid_to_updates:
            db.update_column(table.name, "valid_to", valid_to_updates)

    def _set_first_recorded(self, db: _Db, firsts: dict[int, Any], first_held: dict[int, Any]) -> None:
        """A record's first_recorded_at is its earliest version's. Records created in this batch
        got theirs on insert (not in first_held); the others may need it moved earlier."""
        changed = []
        for pk, moment in firsts.items():
            if pk in first_held:
                current = first_held[pk]
                if current is None or moment < current:
                    changed.append((moment, pk))
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

    A moment (recorded_at, valid_to, first_recorded_at) is handled in the form the database
    stores it: on SQLite that text, read back as stored (CAST AS TEXT: Django's converter would
    make a datetime of every one), which sorts as the moments do, all being UTC in one format (a
    whole second has no fraction, and sorts before the same second with one); on PostgreSQL an
    aware datetime.

    Table and column names in the SQL are the models' own (S608 is silenced for that reason);
    every value is a parameter or goes through COPY.
    """

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"

    def moment_isoformat(self, moment: Any) -> str:
        if isinstance(moment, str):
            moment = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        return moment.isoformat()

    def lookup_identities(self, identities: list[tuple[int, str, str]]) -> list[tuple]:
        """(position in `identities`, id, first_recorded_at) of those that exist."""
        if not identities:
            return []
        table = SourceRecord._meta.db_table
        if self.postgres:
            source_ids, kinds, ext_ids = zip(*identities, strict=True)
            self.cursor.execute(
                f"SELECT w.position - 1, r.id, r.first_recorded_at "  # noqa: S608
                f"FROM unnest(%s::bigint[], %s::text[], %s::text[]) WITH ORDINALITY AS w(source_id, kind, ext_id, position) "
                f"JOIN {table} r ON r.source_id = w.source_id AND r.kind = w.kind AND r.ext_id = w.ext_id",
                [list(source_ids), list(kinds), list(ext_ids)],
            )
        else:
            # One JSON array parameter, walked by json_each; each element probes the unique index.
            self.cursor.execute(
                f"SELECT w.key, r.id, CAST(r.first_recorded_at AS TEXT) FROM json_each(%s) AS w "  # noqa: S608
                f"JOIN {table} r ON r.source_id = w.value ->> 0 AND r.kind = w.value ->> 1 AND r.ext_id = w.value ->> 2",
                [json.dumps(identities)],
            )
        return self.cursor.fetchall()

    def create_identities(self, rows: list[tuple[int, str, str, Any]]) -> list[int]:
        """Insert (source_id, kind, ext_id, first_recorded_at); returns their ids, in order.
        Under the ingest lock nobody else creates identities. PostgreSQL: ids from the table's
        sequence, the rows by COPY; SQLite: ids after the highest given (AUTOINCREMENT: never one
        given before), the rows by executemany."""
        table = SourceRecord._meta.db_table
        columns = ("id", "source_id", "kind", "ext_id", "first_recorded_at")
        if self.postgres:
            # The sequence is looked up once (pg_get_serial_sequence per row would cost a catalog
            # query each); nextval of a known sequence costs next to nothing.
            self.cursor.execute("SELECT nextval(s.seq) FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) s, "
                                "generate_series(1, %s)", [table, len(rows)])
            ids = [row[0] for row in self.cursor.fetchall()]
        else:
            self.cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 0))", [table])
            first = self.cursor.fetchone()[0] + 1
            ids = list(range(first, first + len(rows)))
        self.insert(table, columns, [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids

    def held_versions(self, table: str, record_ids: list[int]) -> list[tuple]:
        """(id, record_id, recorded_at, content_hash, valid_to, deleted) of the records' versions."""
        if not record_ids:
            return []
        if self.postgres:
            columns = "id, record_id, recorded_at, content_hash, valid_to, deleted"
            self.cursor.execute(f"SELECT {columns} FROM {table} WHERE record_id = ANY(%s::bigint[])", [record_ids])  # noqa: S608
        else:
            columns = "id, record_id, CAST(recorded_at AS TEXT), content_hash, CAST(valid_to AS TEXT), deleted"
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
        self.ref_order = tuple(sorted(self.ref_columns))

    def converter(self, to_dt: Callable, to_date: Callable) -> Callable[[dict[str, Any]], tuple]:
        """fields -> the typed columns of a version, converted for the database (see _Db): one
        function per table, built once, that does only the conversions its columns need."""
        plain = {"DateTimeField": to_dt, "DateField": to_date}
        plan = [(name, default, kind == "JSONField", plain.get(kind)) for name, default, kind in self.data]

        def values(fields: dict[str, Any]) -> tuple:
            row = []
            for name, default, is_json, convert in plan:
                value = fields.get(name, default)
                if is_json:
                    value = json.dumps(value)
                elif convert is not None and value is not None:
                    value = convert(value)
                row.append(value)
            return tuple(row)

        return values

    def values(self, fields: dict[str, Any], to_dt: Callable, to_date: Callable) -> tuple:
        """The typed columns of a version, converted for the database (see _Db)."""
        return self.converter(to_dt, to_date)(fields)


_TABLES = {kind: _Table(model) for kind, model in VERSION_MODELS.items()}

# A checked line, ready to write, as the parsing process sends it: a plain tuple, which pickle
# writes and reads in C (a NamedTuple costs a Python call per line each way), holding what the
# writer needs and nothing more, converted for the database already:
#   origin, line number, text (the line as sent, stripped: stored as the version's payload),
#   kind, identity (source, kind, id), moment (recorded_at, in the database's form: see _Db),
#   deleted, content hash, values (the kind's typed columns in _Table.data order), column refs
#   (the target identity, or None, of each reference column in _Table.ref_order), refs
#   ((name, identity) of every reference: an event's are stored as EventReference rows),
#   subjects ((identity, role) of an event's subjects).
Prepared = tuple
_ORIGIN, _LINE, _TEXT, _KIND, _IDENTITY, _MOMENT, _DELETED, _HASH = range(8)


class Chunk(NamedTuple):
    """Up to `batch_size` lines, parsed: what the writer needs for one batch.

    `by_kind`: the good lines by kind, each list in line order (kinds in the order they first
    appear); `wanted`: every identity the good lines name or refer to, in the order they first
    mention it, with the earliest moment among its own lines (None: only referred to)."""

    lines: int
    rejections: list[Rejection]
    by_kind: dict[str, list[Prepared]]
    wanted: dict[Identity, Any]


class _Preparer:
    """Line -> Prepared, or the Rejection saying what is wrong with it. Needs no database
    connection, so it can run in the parsing process."""

    def __init__(self, allowed_sources: set[str] | None):
        self.allowed_sources = allowed_sources
        if connection.vendor == "postgresql":
            self.to_dt, self.to_date = _identity, _identity
        else:
            self.to_dt, self.to_date = _sqlite_datetime, _sqlite_date
        self.values = {kind: table.converter(self.to_dt, self.to_date) for kind, table in _TABLES.items()}
        self.deleted_values = {kind: self.values[kind]({}) for kind in _TABLES}
        self.no_refs = {kind: (None,) * len(table.ref_order) for kind, table in _TABLES.items()}
        self.ref_order = {kind: table.ref_order for kind, table in _TABLES.items()}
        self.kinds = {kind: kind for kind in _TABLES}  # one str object per kind: pickled once per chunk

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
        kind = self.kinds[parsed.kind]
        if parsed.deleted:
            values, column_refs, refs, subjects = self.deleted_values[kind], self.no_refs[kind], (), ()
        else:
            values = self.values[kind](parsed.fields)
            refs = tuple([(name, (r.source, r.kind, r.id)) for name, r in parsed.refs])
            subjects = tuple([((r.source, r.kind, r.id), role) for r, role in parsed.subjects])
            order = self.ref_order[kind]
            if order:
                named = dict(refs)
                column_refs = tuple([named.get(name) for name in order])
            else:
                column_refs = ()
        return (origin, number, text.strip(), kind, (parsed.source, kind, parsed.id), self.to_dt(parsed.recorded_at),
                parsed.deleted, parsed.content_hash, values, column_refs, refs, subjects)


def _parsed_here(lines: Iterable[Line], prepare: _Preparer, size: int) -> Iterator[Chunk]:
    """The lines parsed and checked in this process, `size` at a time."""
    count = 0
    rejections: list[Rejection] = []
    by_kind: dict[str, list[Prepared]] = {}
    wanted: dict[Identity, Any] = {}
    for line in lines:
        item = prepare(line)
        count += 1
        if type(item) is tuple:
            kind, identity, moment = item[_KIND], item[_IDENTITY], item[_MOMENT]
            group = by_kind.get(kind)
            if group is None:
                group = by_kind[kind] = []
            group.append(item)
            earliest = wanted.get(identity)
            if earliest is None or moment < earliest:
                wanted[identity] = moment  # an identity already mentioned keeps its place
            for _, target in item[10]:
                if target not in wanted:
                    wanted[target] = None
            for person, _ in item[11]:
                if person not in wanted:
                    wanted[person] = None
        else:
            rejections.append(item)
        if count >= size:
            yield Chunk(count, rejections, by_kind, wanted)
            count, rejections, by_kind, wanted = 0, [], {}, {}
    if count:
        yield Chunk(count, rejections, by_kind, wanted)


def _parsed_in_child(lines: Iterable[Line], prepare: _Preparer, size: int) -> Iterator[Chunk]:
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
                yield Chunk(*content)
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
            # As a plain tuple: pickle would rebuild a NamedTuple through a Python call.
            writer.send_bytes(pickle.dumps(("chunk", tuple(chunk)), protocol=pickle.HIGHEST_PROTOCOL))
        writer.send_bytes(pickle.dumps(("end", None)))
    except BrokenPipeError:  # the writer stopped: nothing to tell it
        pass
    except BaseException:  # noqa: BLE001 - every failure goes back to the writer, which raises it
        writer.send_bytes(pickle.dumps(("error", traceback.format_exc())))


__all__ = ["Chunk", "Loader", "LoadSummary", "Prepared", "RecordIds", "Rejection", "Ref", "read_lines"]
