"""Secondary indexes (and, on PostgreSQL, foreign keys) of the record store, set aside during a
large load and rebuilt after it.

Every row a load inserts also goes into each secondary index of its table, one B-tree descent
per index per row, in the order the rows arrive. Building an index once over the loaded table
sorts it in one pass, which is much cheaper when the load is large relative to what the table
held. Only indexes the loader itself never reads are set aside: the primary keys and the unique
(source, kind, id) and (record, recorded_at) indexes, which it looks records and versions up
by, always stay.

The indexes are exactly those the migrations made (Django's schema editor gives their SQL), and
they are rebuilt in a `finally`. If the process is killed part way, the next load puts back any
that are missing before it starts (`restore_missing`), so a crash costs speed, never answers.

Foreign keys (PostgreSQL). Each row a load inserts queues a check per foreign key (Django makes
them DEFERRABLE INITIALLY DEFERRED), run at the batch's commit as one `SELECT ... FOR KEY SHARE`
of the referenced row: about five per feed line, which row-lock, and so dirty and WAL-log, the
source records they point at. That was the largest part of the server's work in a large load
(benchmarks/RESULTS.md, "Ingest"). A large load drops them with the indexes and adds them back
after it, each checked over the whole table by one join instead of row by row: first `NOT VALID`
(enforced for every later write from then on), then `VALIDATE CONSTRAINT`. The loader writes
only ids it has just read or created under its lock, and nothing in the application deletes
source records, versions or loads, so the check finds nothing; if it ever did, the load fails
with PostgreSQL's message and the constraint stays in place, enforced for new rows, until the
offending rows are dealt with. SQLite checks a foreign key by one primary-key probe and cannot
drop one without rebuilding the table: its foreign keys stay.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.db import connection

from safeguard.core.db import refresh_statistics
from safeguard.records.models import VERSION_MODELS, EventReference, EventSubject, SourceRecord

# Set aside only when the load is expected to be at least this many lines and at least as many
# as the versions already held: below that, rebuilding would cost more than it saves.
DEFER_MIN_LINES = 50_000
_MODELS = [*VERSION_MODELS.values(), EventSubject, EventReference, SourceRecord]


def _statements() -> list[tuple[str, str]]:
    """(quoted name, CREATE INDEX sql) of every non-unique index of the record store's tables."""
    editor = connection.schema_editor()
    # _model_indexes_sql is how the schema editor itself creates a model's indexes (field
    # db_index and Meta.indexes, with the same names), so a rebuilt index is the migrated one.
    return [(str(statement.parts["name"]), str(statement))
            for model in _MODELS for statement in editor._model_indexes_sql(model)]


def _foreign_keys() -> list[tuple[str, str, str]]:
    """(table, quoted name, ADD CONSTRAINT sql) of every foreign key of the record store's tables,
    as the migrations made them (PostgreSQL; none on SQLite, whose foreign keys stay)."""
    if connection.vendor != "postgresql":
        return []
    editor = connection.schema_editor()
    # The suffix is the one Django's schema editor uses when it creates a table's foreign keys,
    # so the names (and the SQL) are those of the migrated constraints.
    return [(model._meta.db_table, str(statement.parts["name"]), str(statement))
            for model in _MODELS for field in model._meta.local_fields
            if field.remote_field and field.db_constraint
            for statement in [editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")]]


def _existing_foreign_keys() -> set[str]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                       [[model._meta.db_table for model in _MODELS]])
        return {row[0] for row in cursor.fetchall()}


def _existing() -> set[str]:
    tables = [model._meta.db_table for model in _MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name IN (SELECT value FROM json_each(%s))", [json.dumps(tables)])
        return {row[0] for row in cursor.fetchall()}


def _unquoted(name: str) -> str:
    return name.strip('"')


# PostgreSQL's memory for each index build after a large load (`maintenance_work_mem`).
BUILD_MEMORY = "512MB"


def _create(cursor, statements: list[str], foreign_keys: list[tuple[str, str, str]] = ()) -> None:
    """Create indexes, and add foreign keys back (NOT VALID, then validated: see the module's
    docstring).

    PostgreSQL refuses CREATE INDEX and ALTER TABLE on a table with foreign-key checks still
    pending in the transaction (Django's are deferred to the commit). A load's batches commit on
    their own, so this only arises when the caller holds a transaction open around the load: the
    pending checks are made now, and deferred again afterwards."""
    postgres = connection.vendor == "postgresql"
    pending = postgres and connection.in_atomic_block
    if pending:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    if postgres:
        # Sorting millions of keys for each index in memory rather than in 64 MB runs on disk
        # (the server's default), for this session's builds only.
        cursor.execute("SET maintenance_work_mem = %s", [BUILD_MEMORY])
    try:
        for sql in statements:
            cursor.execute(sql)
        for _, _, sql in foreign_keys:
            cursor.execute(f"{sql} NOT VALID")
        for table, name, _ in foreign_keys:
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} VALIDATE CONSTRAINT {name}")
    finally:
        if postgres:
            cursor.execute("RESET maintenance_work_mem")
    if pending:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _drop(cursor, statements: list[tuple[str, str]], foreign_keys: list[tuple[str, str, str]]) -> None:
    pending = connection.vendor == "postgresql" and connection.in_atomic_block
    if pending:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, name, _ in foreign_keys:
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DROP CONSTRAINT IF EXISTS {name}")
    for name, _ in statements:
        cursor.execute(f"DROP INDEX IF EXISTS {name}")
    if pending:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def restore_missing() -> list[str]:
    """Create any record-store index, and add any foreign key, a killed load left out; returns
    their names."""
    existing = _existing()
    missing = [(name, sql) for name, sql in _statements() if _unquoted(name) not in existing]
    existing_keys = _existing_foreign_keys()
    missing_keys = [key for key in _foreign_keys() if _unquoted(key[1]) not in existing_keys]
    if missing or missing_keys:
        with connection.cursor() as cursor:
            _create(cursor, [sql for _, sql in missing], missing_keys)
    return [_unquoted(name) for name, _ in missing] + [_unquoted(name) for _, name, _ in missing_keys]


def versions_held() -> int:
    """About how many versions the store holds: version ids are allocated in order, so the
    highest id of each table is its count (or more, after deletes), read from the primary key
    without counting."""
    with connection.cursor() as cursor:
        total = 0
        for model in VERSION_MODELS.values():
            cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")  # noqa: S608 - the models' tables
            total += cursor.fetchone()[0] or 0
        return total


def worth_deferring(expected_lines: int | None) -> bool:
    return expected_lines is not None and expected_lines >= DEFER_MIN_LINES and expected_lines >= versions_held()


@contextmanager
def deferred():
    """Drop the secondary indexes (and on PostgreSQL the foreign keys) for the body, and build
    them again afterwards, whatever happens. On PostgreSQL the tables' statistics are refreshed
    too, so that the queries run right after a first load (linkage, rules) are planned on what
    was loaded."""
    statements = _statements()
    foreign_keys = _foreign_keys()
    with connection.cursor() as cursor:
        _drop(cursor, statements, foreign_keys)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            _create(cursor, [sql for _, sql in statements], foreign_keys)
        refresh_statistics(*_MODELS)
