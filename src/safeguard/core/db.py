"""Small database helpers shared by the applications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import connection
from django.db.models import Field, ForeignObject, Lookup


def refresh_statistics(*models) -> None:
    """After a bulk write, bring the planner's statistics of these tables up to date.

    PostgreSQL only: its planner chooses by them, and autovacuum (off on some installations, and
    always some minutes behind) may not have seen a load or a full evaluation yet; a stale count
    of zero rows makes it scan where it should use an index (the queue's page query: 2-5 s before,
    0.1 s after, at 660,000 alerts). SQLite plans without them, so nothing is done there.
    """
    if connection.vendor != "postgresql" or not models:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(model._meta.db_table for model in models))


def bulk_insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many plain rows into a model's table, without building a model instance or an SQL
    statement per batch (Django's bulk_create spent most of a full evaluation doing both).

    `columns` are the model's column names; values are ints, text, or aware date-times. No
    signals, no defaults, no returned ids: for detail rows that nothing refers to. PostgreSQL:
    COPY; SQLite: executemany of one INSERT, date-times stored as Django stores them.
    """
    if not rows:
        return
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        timed = [i for i, value in enumerate(rows[0]) if isinstance(value, dt.datetime)]
        if timed:
            rows = [tuple(adapt(v) if i in timed else v for i, v in enumerate(row)) for row in rows]
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608 - the model's own names


def bulk_update(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Set `columns` of many rows, each row `(pk, *values)`, without Django's bulk_update (which
    builds one `CASE WHEN id = ...` per column per row and spent minutes on 670,000 alerts).
    PostgreSQL: the rows are copied into a temporary table and applied by one `UPDATE ... FROM`;
    SQLite: executemany of one `UPDATE ... WHERE pk = ?`. Values as for `bulk_insert`."""
    if not rows:
        return
    table = model._meta.db_table
    pk = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(quote(c) for c in (pk, *columns))
            cursor.execute(f"CREATE TEMPORARY TABLE _sg_update AS SELECT {names} FROM {table} WITH NO DATA")  # noqa: S608
            try:
                with cursor.cursor.copy(f"COPY _sg_update ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                sets = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in columns)
                cursor.execute(f"UPDATE {table} t SET {sets} FROM _sg_update u WHERE t.{quote(pk)} = u.{quote(pk)}")  # noqa: S608
            finally:
                cursor.execute("DROP TABLE IF EXISTS _sg_update")
            return
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(*(adapt(v) if isinstance(v, dt.datetime) else v for v in row[1:]), row[0]) for row in rows]
        sets = ", ".join(f"{quote(c)} = %s" for c in columns)
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {quote(pk)} = %s", rows)  # noqa: S608 - the model's own names


def id_chunk() -> int:
    """How many ids one `IN (...)` query takes: SQLite counts bound parameters against a limit
    (Django keeps below 999 on older builds); PostgreSQL has no such limit, and every query is a
    round trip with its own planning, so it takes ten times as many."""
    return 9000 if connection.vendor == "postgresql" else 900


def id_chunks(ids: list) -> Iterator[list]:
    """`ids` in slices of `id_chunk()`, for `IN (...)` queries."""
    size = id_chunk()
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class AnyOf(Lookup):
    """`field = ANY(%s)` with the values as one array parameter (PostgreSQL): one short statement
    whatever the number of values, where `IN (...)` binds, sends, parses and plans one parameter
    per value (9,000 ids: 142 ms as IN, 65 ms as ANY on a 2M-row table, measured)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def process_rhs(self, compiler, connection):
        return "%s", [list(self.rhs)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # foreign keys keep their own lookups


def among(queryset, field_name: str, ids) -> Iterator:
    """Querysets that together select the rows of `queryset` whose `field_name` is one of `ids`:
    on PostgreSQL one query (`= ANY(array)`), on SQLite `IN (...)` chunks of `id_chunk()`.
    Rows come in no particular order."""
    ordered = sorted(set(ids))
    if not ordered:
        return
    if connection.vendor == "postgresql":
        yield queryset.filter(**{f"{field_name}__any_of": ordered})
        return
    for chunk in id_chunks(ordered):
        yield queryset.filter(**{f"{field_name}__in": chunk})
