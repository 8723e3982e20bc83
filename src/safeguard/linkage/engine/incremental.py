# ruff: noqa: S608 - the SQL here is built from names this module makes, the model's own SQL and quoted keys.
"""Scoring newly arrived person records against a large held set in milliseconds.

`HeldIndex` prepares the held records once and keeps them in DuckDB with a table of blocking
keys: for each of the model's blocking rules (all conjunctions of equalities), the values a
record brings to that rule, as one string, sorted so that DuckDB skips all but a few row groups
when looking keys up. For each arrival the candidate pairs are the held records sharing a key
(plus pairs among the arrivals), and exactly those pairs are scored with Splink's comparison SQL,
generated once per model. The pairs and weights are those a batch `predict` over held + new
gives for the new records.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from hashlib import md5, sha256
from typing import Any

import pyarrow as pa
from splink.internals.realtime import compare_records

from .persons import _LIST_COLUMNS, PREPARED_SCHEMA, Model, engine, prepare, with_blocking_places

_EQUALITY = re.compile(r'l\."?(\w+)"?\s*=\s*r\."?(\w+)"?')
_PAIR = "sg_pair"
_names = itertools.count()


class _Rule:
    """One blocking rule as key recipes. An asymmetric rule (`l.nodob_key = r.name_key`) has two:
    a held record keyed by its left columns meets a new record keyed by its right ones, and the
    other way round; the model always holds the mirror rule too, so pairs are unordered."""

    def __init__(self, number: int, rule: dict[str, Any]):
        sql = rule["blocking_rule"]
        pairs = _EQUALITY.findall(sql)
        assert pairs and sql.count("=") == len(pairs) and " OR " not in sql.upper(), f"not a conjunction: {sql}"
        self.left = [a for a, _ in pairs]
        self.right = [b for _, b in pairs]
        self.explode = list(rule.get("arrays_to_explode") or [])
        self.recipes = [(f"{number}", self.left, self.left)] if self.left == self.right else [
            (f"{number}a", self.left, self.right), (f"{number}b", self.right, self.left)]

    def held_sql(self, table: str) -> list[str]:
        source = table
        if self.explode:
            unnest = ", ".join(f"unnest({c}) AS {c}" for c in self.explode)
            source = f"(SELECT * REPLACE ({unnest}) FROM {table})"
        return [f"SELECT '{tag}|' || " + " || '|' || ".join(f"CAST({c} AS VARCHAR)" for c in held)
                + f" AS key, record_id FROM {source}" for tag, held, _ in self.recipes]

    def keys(self, row: dict[str, Any], held_form: bool) -> list[str]:
        out = []
        for tag, held, new in self.recipes:
            columns = held if held_form else new
            choices = [row[c] if c in self.explode else [row[c]] for c in columns]
            for values in itertools.product(*choices):
                if all(v is not None for v in values):
                    out.append(f"{tag}|" + "|".join(str(v) for v in values))
        return out


# ---- the same keys kept in the application's database (linkage.candidates, `BlockingKey`)

# Bump when `prepare` changes what a blocking column holds: the stored keys are then rebuilt.
KEYS_FORMAT = 1
# A key is stored as a 60-bit integer: the first 15 hex digits of the MD5 of its text. The same
# in Python (`key_hash`) and in DuckDB (`KEY_HASH_SQL`), so keys made either way meet.
KEY_HASH_SQL = "('0x' || substr(md5({}), 1, 15))::BIGINT"


def key_hash(text: str) -> int:
    return int(md5(text.encode("utf-8")).hexdigest()[:15], 16)  # noqa: S324 - a hash for lookups, not security


Recipe = tuple[str, list[str], list[str], list[str]]


def key_recipes(settings: dict[str, Any]) -> list[Recipe]:
    """The blocking rules of an engine's settings as key recipes, (tag, held columns, new columns,
    columns to explode), each recipe once: the model holds an asymmetric rule and its mirror,
    which give the same two recipes. The tag names the columns, so it is the same whatever the
    order of the rules."""
    out: dict[str, Recipe] = {}
    for number, rule in enumerate(settings["blocking_rules_to_generate_predictions"]):
        parsed = _Rule(number, rule)
        for _, held, new in parsed.recipes:
            tag = ",".join(held) if held == new else ",".join(held) + ">" + ",".join(new)
            out.setdefault(tag, (tag, held, new, [c for c in parsed.explode if c in held or c in new]))
    return list(out.values())


def keys_digest(recipes: list[Recipe]) -> str:
    """What stored keys were made by: the recipes and KEYS_FORMAT."""
    return sha256(json.dumps([KEYS_FORMAT, recipes]).encode()).hexdigest()[:32]


def keys_sql(table: str, recipes: list[Recipe], held_form: bool) -> str:
    """(key, record_id) of every record of `table` (prepared, with the `b_*` place columns), one
    row per key, set-based: the held form (what a record offers to records arriving later) or
    the new form (what an arriving record looks for)."""
    selects = []
    for tag, held, new, explode in recipes:
        columns = held if held_form else new
        source = table
        unnest = [c for c in explode if c in columns]
        if unnest:
            source = f"(SELECT * REPLACE ({', '.join(f'unnest({c}) AS {c}' for c in unnest)}) FROM {table})"
        text = f"'{tag}|' || " + " || '|' || ".join(f"CAST({c} AS VARCHAR)" for c in columns)
        selects.append(f"SELECT {text} AS key_text, record_id FROM {source}")
    return (f"SELECT DISTINCT {KEY_HASH_SQL.format('key_text')} AS key, record_id FROM ("
            + " UNION ALL ".join(selects) + ") WHERE key_text IS NOT NULL")


def recipe_keys(row: dict[str, Any], recipes: list[Recipe], held_form: bool) -> list[str]:
    """The key texts of one prepared row, as `keys_sql` makes them (for tests and single records)."""
    out = []
    for tag, held, new, explode in recipes:
        columns = held if held_form else new
        choices = [row[c] if c in explode else [row[c]] for c in columns]
        for values in itertools.product(*choices):
            if all(v is not None for v in values):
                out.append(f"{tag}|" + "|".join(str(v) for v in values))
    return out


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Up to this many values, a lookup is one query of equalities joined by UNION ALL, each of which
# can skip to the row groups its value can be in (the tables are sorted on the looked-up column).
# With one `col IN (...)` list DuckDB scanned the table (EXPLAIN: sequential scan): fetching 3
# held records from 252k took 146 ms of CPU, 17 ms as equalities; the key lookup 42 -> 19 ms
# (benchmarks/RESULTS.md, Linkage, session 3). More values than this (a batch of arrivals) are
# looked up with one IN list: one scan for all of them, as before.
POINT_LOOKUPS = 300


def _lookup_sql(select: str, table: str, column: str, values: list[str]) -> str:
    if len(values) <= POINT_LOOKUPS:
        return " UNION ALL ".join(f"SELECT {select} FROM {table} WHERE {column} = {v}" for v in values)
    return f"SELECT {select} FROM {table} WHERE {column} IN ({', '.join(values)})"


class HeldIndex:
    def __init__(self, held: Any, model: Model = None):
        self.engine = engine(model)
        self.con = self.engine.db_api.duckdb_con
        self.name = f"sg_held_{next(_names)}"
        self.rules = [_Rule(i, r) for i, r in enumerate(self.engine.settings["blocking_rules_to_generate_predictions"])]
        with self.engine.lock:
            self.con.register(f"{self.name}_arrow", with_blocking_places(prepare(held)))
            # Sorted by id and by key: lookups of a few ids or keys read a few row groups.
            self.con.execute(f"CREATE TABLE {self.name} AS SELECT * FROM {self.name}_arrow ORDER BY record_id")
            self.con.unregister(f"{self.name}_arrow")
            selects = " UNION ALL ".join(s for rule in self.rules for s in rule.held_sql(self.name))
            self.con.execute(f"CREATE TABLE {self.name}_keys AS SELECT key, record_id FROM ({selects}) "
                             "WHERE key IS NOT NULL ORDER BY key")
            self._scoring_sql = self._pairs_sql()

    def _pairs_sql(self) -> str:
        template = with_blocking_places(PREPARED_SCHEMA.empty_table())
        template = template.append_column(_PAIR, pa.array([], pa.int64()))
        scored = compare_records(template, template, self.engine.settings, self.engine.db_api,
                                 join_condition=f"l.{_PAIR} = r.{_PAIR}")
        sql = scored.sql_used_to_create
        uid = re.search(r"__splink__compare_records_left_(\w+)", sql)
        assert uid is not None, "Splink's compare_records SQL changed shape"
        for side in ("left", "right"):
            name = f"__splink__compare_records_{side}_{uid.group(1)}"
            sql = sql.replace(name, f"__{side}__")
            self.con.unregister(name)
        scored.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        return sql

    def _candidate_pairs(self, rows: list[dict[str, Any]]) -> list[tuple[int, int]]:
        """(held or new record, new record) pairs sharing a blocking key, each pair once."""
        wanted: dict[str, list[int]] = defaultdict(list)
        offered: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            for rule in self.rules:
                for key in rule.keys(row, held_form=False):
                    wanted[key].append(row["record_id"])
                for key in rule.keys(row, held_form=True):
                    offered[key].append(row["record_id"])
        found: set[tuple[int, int]] = set()
        for key, new_ids in wanted.items():
            for other in offered.get(key, ()):
                for rid in new_ids:
                    if rid != other:
                        found.add((min(rid, other), max(rid, other)))
        if wanted:
            held = self.con.sql(_lookup_sql("key, record_id", f"{self.name}_keys", "key",
                                            [_quoted(k) for k in sorted(wanted)])).fetchall()
            new_ids_of = set(itertools.chain.from_iterable(wanted.values()))
            for key, held_id in held:
                if held_id in new_ids_of:
                    continue
                found.update((held_id, rid) for rid in wanted[key])
        return sorted(found)

    def score(self, new: Any) -> pa.Table:
        """Scored pairs of each new record with held records and with the other new records,
        as `persons.predict` gives them (columns record_id_l, record_id_r, match_weight, ...)."""
        arrivals = with_blocking_places(prepare(new))
        rows = arrivals.to_pylist()
        with self.engine.lock:
            pairs = self._candidate_pairs(rows)
            new_ids = {row["record_id"] for row in rows}
            held_ids = sorted({a for a, _ in pairs if a not in new_ids})
            held = self.con.sql(_lookup_sql("*", self.name, "record_id", [str(i) for i in held_ids])
                                ).to_arrow_table() if held_ids else arrivals.schema.empty_table()
            both = pa.concat_tables([held.cast(arrivals.schema), arrivals])
            position = {rid: i for i, rid in enumerate(both["record_id"].to_pylist())}
            numbers = pa.array(range(len(pairs)), pa.int64())
            left = both.take(pa.array([position[a] for a, _ in pairs], pa.int64())).append_column(_PAIR, numbers)
            right = both.take(pa.array([position[b] for _, b in pairs], pa.int64())).append_column(_PAIR, numbers)
            n = next(_names)
            names = {"__left__": f"sg_left_{n}", "__right__": f"sg_right_{n}"}
            self.con.register(names["__left__"], left)
            self.con.register(names["__right__"], right)
            try:
                sql = self._scoring_sql
                for placeholder, name in names.items():
                    sql = sql.replace(placeholder, name)
                return self.con.sql(f"SELECT * EXCLUDE ({_LIST_COLUMNS}), {self.engine.conflict} AS conflict "
                                    f"FROM ({sql})").to_arrow_table()
            finally:
                for name in names.values():
                    self.con.unregister(name)

    def close(self) -> None:
        with self.engine.lock:
            self.con.execute(f"DROP TABLE IF EXISTS {self.name}")
            self.con.execute(f"DROP TABLE IF EXISTS {self.name}_keys")
