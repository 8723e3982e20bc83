"""Small database helpers shared by the applications."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

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


def _field_of(model, name: str):
    """The model field a values_list name reads (`record_id`, `version__record_id`, `pk`); None
    for an annotation."""
    from django.core.exceptions import FieldDoesNotExist

    *path, last = name.split("__")
    try:
        for part in path:
            model = model._meta.get_field(part).related_model
        return model._meta.pk if last == "pk" else model._meta.get_field(last)
    except FieldDoesNotExist:
        return None


@contextmanager
def _logged(logged: bool, sql: str, params, started: float) -> Iterator[None]:
    """Record a raw cursor's query where Django records its own (DEBUG, CaptureQueriesContext), so
    that query counts and logs still see it."""
    try:
        yield
    finally:
        if logged:
            connection.queries_log.append({"sql": f"{sql} -- params: {params!r}"[:20000],
                                           "time": f"{time.perf_counter() - started:.3f}"})


def plain_rows(queryset, fields: tuple[str, ...], *, size: int = 50_000, many: bool = True) -> Iterator[tuple]:
    """`queryset.values_list(*fields)` as plain tuples, without Django's per-value work where the
    driver gives the same values itself (the World reads millions of date-times this way).

    The query runs on a raw cursor. PostgreSQL: server-side, fetched `size` rows at a time (when
    `many`), with psycopg's own C loader for `timestamptz`: Django wraps it in a Python loader that
    calls `datetime.replace` per value; with the session in UTC, as Django sets it, both give the
    same aware UTC date-time (a session in another zone: Django's iterator instead). SQLite: the
    driver's converters give naive UTC date-times, made aware here with one `replace` (Django's
    converters check and convert each value in three Python calls). JSON fields come as text and
    are parsed here. Other values are as the driver gives them (ints, text, dates, booleans).
    """
    from django.db.models import DateTimeField, JSONField
    from django.utils.dateparse import parse_datetime

    values = queryset.values_list(*fields)
    if connection.vendor not in ("postgresql", "sqlite"):
        yield from values.iterator(chunk_size=size)
        return
    connection.ensure_connection()
    postgres = connection.vendor == "postgresql"
    if postgres and connection.connection.info.timezone is not dt.UTC:
        yield from values.iterator(chunk_size=size)
        return
    kinds = [_field_of(queryset.model, name) for name in fields]
    json_at = [i for i, f in enumerate(kinds) if isinstance(f, JSONField)]
    decoders = {i: kinds[i].decoder for i in json_at}
    times_at = [] if postgres else [i for i, f in enumerate(kinds) if isinstance(f, DateTimeField)]
    sql, params = values.query.sql_with_params()
    loads, utc = json.loads, dt.UTC
    server_side = many and postgres and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    wrapper = connection.chunked_cursor() if server_side else connection.cursor()
    logged, started = connection.queries_logged, time.perf_counter()
    with wrapper as cursor, _logged(logged, sql, params, started):
        raw = cursor.cursor
        if postgres:
            from django.db.backends.postgresql.psycopg_any import orig_tz_loader_cls

            raw.adapters.register_loader("timestamptz", orig_tz_loader_cls)
        raw.execute(sql, params)  # (on SQLite Django's cursor class: it turns %s into ?)
        while True:
            rows = raw.fetchmany(size)
            if not rows:
                return
            if not json_at and not times_at:
                yield from rows
                continue
            for row in rows:
                row = list(row)
                for i in json_at:
                    if isinstance(row[i], str):
                        row[i] = loads(row[i], cls=decoders[i])
                for i in times_at:
                    value = row[i]
                    if isinstance(value, str):  # (not a plain column: no converter ran)
                        value = parse_datetime(value)
                    if value is not None and value.tzinfo is None:
                        value = value.replace(tzinfo=utc)
                    row[i] = value
                yield tuple(row)
