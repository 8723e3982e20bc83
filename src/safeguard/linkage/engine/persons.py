"""Person matching: prepare records, score candidate pairs with Splink (DuckDB), cluster, explain.

Input records (pyarrow Table or pandas DataFrame), one row per source person record:
`record_id` int64 unique, `source`, `given_names`, `family_name`, `aliases`
(list<struct<given_names, family_name>>), `dob` ("YYYY-MM-DD", "YYYY-MM", "YYYY" or null), `sex`,
identifiers `nhs`, `pnc`, `cro`, `upn`, `ni`, `visor`, `local`, and the places the record is linked
to: `postcodes`, `uprns` and optionally `addresses` (keys from `locations.address_key`). Missing
columns count as empty.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from hashlib import sha256
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker
from splink.internals.realtime import compare_records
from splink.internals.splink_dataframe import SplinkDataFrame

from .clustering import cluster
from .explain import explain
from .locations import normalise_postcode, postcode_district
from .model import HARD_IDENTIFIERS, IDENTIFIERS, gamma_of, load_model, with_current_rules
from .names import (
    canonical_forename,
    is_known_forename,
    name_forms,
    name_tokens,
    soundex,
    surname_key,
    surname_parts,
)

__all__ = ["prepare", "model_version", "predict", "predict_within", "predict_between", "score", "Scored", "cluster",
           "explain", "conflict_sql"]

Model = dict[str, Any] | str | None

_DOB = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")
# Dates systems put in when the real one is unknown.
_PLACEHOLDER_DOBS = frozenset({"1900-01-01", "1901-01-01", "1800-01-01", "1899-12-31"})
_SEXES = {"male": "male", "m": "male", "female": "female", "f": "female"}
_PNC = re.compile(r"^(\d{2}|\d{4})/?(\d{1,7})([A-Z])$")
_STRING_LIST = pa.list_(pa.string())

PREPARED_SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("source", pa.string()),
        ("given_names", pa.string()),
        ("family_name", pa.string()),
        ("dob", pa.string()),
        ("fn1", pa.string()),
        ("fn1_canon", pa.string()),
        ("fn_init", pa.string()),
        ("fn1_known", pa.bool_()),
        ("fn1_forms", _STRING_LIST),
        ("fn_all", _STRING_LIST),
        ("mid", pa.string()),
        ("sn", pa.string()),
        ("sn_all", _STRING_LIST),
        ("sn_sdx", pa.string()),
        ("sn3", pa.string()),
        ("sn_init", pa.string()),
        ("initials", pa.string()),
        ("dob_y", pa.int32()),
        ("dob_m", pa.int32()),
        ("dob_d", pa.int32()),
        ("dob_s", pa.string()),
        ("dob_days", pa.int32()),
        ("dob_ym", pa.string()),
        ("dob_yx", pa.string()),
        ("sex", pa.string()),
        *((col, pa.string()) for col in IDENTIFIERS),
        ("local", pa.string()),
        ("postcodes", _STRING_LIST),
        ("districts", _STRING_LIST),
        ("uprns", _STRING_LIST),
        ("addresses", _STRING_LIST),
        ("has_loc", pa.bool_()),
        ("name_key", pa.string()),
        ("nodob_key", pa.string()),
        ("dob_md", pa.string()),
    ]
)
BLOCKING_PLACES = {"b_postcodes": "postcodes", "b_uprns": "uprns", "b_addresses": "addresses"}
# A place held by more records than this (a hostel, a prison, a big block) is no use for finding
# candidate pairs: it would pair everyone there with everyone else.
BUSY_PLACE = 100
# The compared lists (forms of names, places) are left out of the scored pairs: they are most of
# the memory and say nothing the gamma columns and the scalar values do not.
_LIST_COLUMNS = ", ".join(
    f"{f.name}_{side}"
    for f in PREPARED_SCHEMA
    if pa.types.is_list(f.type)
    and f.name in ("fn1_forms", "fn_all", "sn_all", "postcodes", "districts", "uprns", "addresses")
    for side in ("l", "r")
)
# Below this many pairs a job is scored pair by pair (no blocking): faster, and finds every pair.
SMALL_JOB_PAIRS = 20_000
# What clustering needs of every scored pair (`score`): the rest is fetched for the review band only.
SLIM_COLUMNS = ("record_id_l", "record_id_r", "match_weight", "conflict")


@dataclass
class Scored:
    """Scored pairs as clustering needs them, and the review band in full.

    `pairs`: every scored pair, columns SLIM_COLUMNS. `review`: the pairs with a match weight in
    the review band [low, high) that break no hard rule, with every column `predict` gives (the
    compared values and the weights `explain` puts into words)."""

    pairs: pa.Table
    review: pa.Table


# ---------------------------------------------------------------- preparing records


def _as_arrow(table: Any) -> pa.Table:
    if isinstance(table, pa.Table):
        return table
    return pa.Table.from_pandas(table, preserve_index=False)


def _column(table: pa.Table, name: str) -> list[Any]:
    if name in table.column_names:
        return table.column(name).to_pylist()
    return [None] * table.num_rows


def _per_value[T](values: list[Any], fn: Callable[[Any], T]) -> list[T]:
    """Apply `fn` once per distinct value (names and dates repeat a great deal)."""
    memo: dict[Any, T] = {}
    out = []
    for v in values:
        if v not in memo:
            memo[v] = fn(v)
        out.append(memo[v])
    return out


@cache
def _forenames(
    given: str | None,
) -> tuple[str | None, str | None, tuple[str, ...], tuple[str, ...], str | None]:
    """given names -> (first, canonical first, forms of first, forms of all, middle names)."""
    tokens = name_tokens(given)
    if not tokens:
        return None, None, (), (), None
    first = tokens[0]
    all_forms = sorted({f for t in tokens for f in name_forms(t)})
    return (
        first,
        canonical_forename(first),
        tuple(sorted(name_forms(first))),
        tuple(all_forms),
        (" ".join(tokens[1:]) or None),
    )


def _days(y: int, m: int, d: int) -> int | None:
    try:
        return (date(y, m, d) - date(1970, 1, 1)).days
    except ValueError:
        return None


@cache
def _dob(value: str | None) -> tuple[int | None, int | None, int | None, str | None]:
    match = _DOB.match(value or "")
    if not match or value in _PLACEHOLDER_DOBS:
        return None, None, None, None
    y, m, d = (int(g) if g else None for g in match.groups())
    if m is not None and not 1 <= m <= 12:
        m, d = None, None
    if d is not None and not 1 <= d <= 31:
        d = None
    full = f"{y:04d}{m:02d}{d:02d}" if m is not None and d is not None else None
    return y, m, d, full


def normalise_identifier(kind: str, value: Any) -> str | None:
    """Upper case, letters and digits only; PNC ids as `YYYY/NNNNNNNL` whatever the source wrote."""
    if value is None:
        return None
    text = re.sub(r"[^A-Z0-9/]", "", str(value).upper())
    if kind == "pnc" and (match := _PNC.match(text)):
        year, serial, letter = match.groups()
        if len(year) == 2:
            year = ("20" if int(year) <= 30 else "19") + year
        return f"{year}{int(serial):07d}{letter}"
    text = text.replace("/", "")
    if kind == "uprn":
        text = text.lstrip("0")
    return text or None


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def prepare(table: Any) -> pa.Table:
    """Derived matching columns (see PREPARED_SCHEMA); a table already prepared is returned as is."""
    t = _as_arrow(table)
    if "fn1" in t.column_names:
        return t
    n = t.num_rows
    given = _column(t, "given_names")
    family = _column(t, "family_name")
    aliases = _column(t, "aliases")
    fore = _per_value(given, _forenames)
    dobs = _per_value(_column(t, "dob"), _dob)
    sn = _per_value(family, lambda v: surname_key(v) or None)
    sn_parts = _per_value(family, surname_parts)

    name_keys = [f"{f[1]}|{s}" if f[1] and s else None for f, s in zip(fore, sn, strict=True)]
    fn_all = [list(f[3]) for f in fore]
    sn_all = [list(p) for p in sn_parts]
    for i in range(n):
        if aliases[i]:  # rare: most records hold no alias
            for alias in aliases[i]:
                fn_all[i] += _forenames(alias.get("given_names"))[3]
                sn_all[i] += surname_parts(alias.get("family_name"))
            fn_all[i], sn_all[i] = _unique(fn_all[i]), _unique(sn_all[i])

    postcodes = [_unique([normalise_postcode(p) for p in v]) if v else [] for v in _column(t, "postcodes")]
    uprns = [
        _unique([normalise_identifier("uprn", u) or "" for u in v]) if v else [] for v in _column(t, "uprns")
    ]
    addresses = [_unique(v) if v else [] for v in _column(t, "addresses")]
    ids = {
        col: [normalise_identifier(col, v) if v is not None else None for v in _column(t, col)]
        for col in (*IDENTIFIERS, "local")
    }

    data: dict[str, list[Any]] = {
        "record_id": _column(t, "record_id"),
        "source": _column(t, "source"),
        "given_names": given,
        "family_name": family,
        "dob": _column(t, "dob"),
        "fn1": [f[0] for f in fore],
        "fn1_canon": [f[1] for f in fore],
        "fn_init": [f[0][0] if f[0] else None for f in fore],
        "fn1_known": [is_known_forename(f[0]) if f[0] else None for f in fore],
        "fn1_forms": [list(f[2]) for f in fore],
        "fn_all": fn_all,
        "mid": [f[4] for f in fore],
        "sn": sn,
        "sn_all": sn_all,
        "sn_sdx": [soundex(s) if s else None for s in sn],
        "sn3": [s[:3] if s else None for s in sn],
        "sn_init": [s[0] if s else None for s in sn],
        # both initials in order, so names written the wrong way round block together
        "initials": [
            "".join(sorted((f[0] or " ")[0] + (s or " ")[0])) for f, s in zip(fore, sn, strict=True)
        ],
        "dob_y": [d[0] for d in dobs],
        "dob_m": [d[1] for d in dobs],
        "dob_d": [d[2] for d in dobs],
        "dob_s": [d[3] for d in dobs],
        "dob_days": [_days(d[0], d[1], d[2]) if d[3] else None for d in dobs],
        "dob_ym": [f"{d[0]:04d}{d[1]:02d}" if d[1] is not None else None for d in dobs],
        # year with day and month in order, so a swapped day and month block together
        "dob_yx": [f"{d[0]:04d}{min(d[1], d[2]):02d}{max(d[1], d[2]):02d}" if d[3] else None for d in dobs],
        "sex": [_SEXES.get(str(s or "").strip().lower()) for s in _column(t, "sex")],
        **ids,
        "postcodes": postcodes,
        "districts": [_unique([postcode_district(p) for p in v]) if v else [] for v in postcodes],
        "uprns": uprns,
        "addresses": addresses,
        "has_loc": [bool(a or b or c) for a, b, c in zip(postcodes, uprns, addresses, strict=True)],
        "name_key": name_keys,
        "nodob_key": [k if d[3] is None else None for k, d in zip(name_keys, dobs, strict=True)],
        "dob_md": [f"{d[1]:02d}{d[2]:02d}" if d[3] else None for d in dobs],
    }
    return pa.Table.from_pydict(data, schema=PREPARED_SCHEMA)


# ---------------------------------------------------------------- scoring pairs


def conflict_sql(model: dict[str, Any]) -> str:
    """A SQL CASE naming the hard rule a scored pair breaks, or NULL.

    - dates of birth a generation apart (a father and son of the same name), unless an identifier
      agrees (or is one keying slip away): then the date is the slip. But the same NHS number
      with wholly different forenames stays apart: a baby's record carrying its mother's NHS
      number is a known slip.
    - years apart: the same surname, years of birth two to eleven apart, both with a readable
      month, and the month or day differing too (a year alone out is a keying slip), and no
      identifier agreeing: brothers and sisters of the same name at one address (Alexander David
      and Alexander Lee Williams, born 2007 and 2012). A record with a wholly wrong date and no
      identifier stays apart; one with an identifier agreeing still links.
    - twins: the same surname and full date of birth (or one digit off, day and month swapped, or
      within a month), forenames that are two different names (neither the same, nicknames,
      typos, middle names, nor similar where one is not a known forename), no middle name in
      common and no identifier agreeing;
    - two different NHS numbers (or PNC ids, ViSOR ids) and no other identifier agreeing.
    """
    names = {c["output_column_name"] for c in model["comparisons"]}
    idents = [c for c in [*IDENTIFIERS, "local"] if c in names]
    shared = " OR ".join(f"gamma_{c} = {gamma_of(model, c, 'exact')}" for c in idents) or "FALSE"
    near = " OR ".join(f"gamma_{c} = {gamma_of(model, c, 'typo')}" for c in idents if c != "local") or "FALSE"
    surname_same = ", ".join(str(gamma_of(model, "sn", k)) for k in ("exact", "typo", "part"))
    dob_same = ", ".join(str(gamma_of(model, "dob", k)) for k in ("exact", "swap", "typo", "days"))
    # Similar forenames are two names only when both are real names (Jack and Jake), not a typo.
    forename_differs = (
        f"(gamma_fn = {gamma_of(model, 'fn', 'else')} OR "
        f"(gamma_fn = {gamma_of(model, 'fn', 'fuzzy')} AND fn1_known_l AND fn1_known_r))"
    )
    nhs_agrees = f"gamma_nhs IN ({gamma_of(model, 'nhs', 'exact')}, {gamma_of(model, 'nhs', 'typo')})"
    whens = [
        f"WHEN gamma_dob = {gamma_of(model, 'dob', 'else')} AND abs(dob_y_l - dob_y_r) >= 12 AND (NOT ({shared} OR {near}) "
        f"OR (gamma_fn = {gamma_of(model, 'fn', 'else')} AND {nhs_agrees})) THEN 'generations'",
        f"WHEN gamma_dob = {gamma_of(model, 'dob', 'else')} AND abs(dob_y_l - dob_y_r) >= 2 "
        "AND dob_m_l IS NOT NULL AND dob_m_r IS NOT NULL "
        "AND NOT (dob_m_l = dob_m_r AND coalesce(dob_d_l = dob_d_r, TRUE)) "
        f"AND gamma_sn IN ({surname_same}) AND NOT ({shared} OR {near}) THEN 'years_apart'",
        f"WHEN gamma_dob IN ({dob_same}) AND gamma_sn IN ({surname_same}) AND {forename_differs} "
        f"AND gamma_mid <> {gamma_of(model, 'mid', 'exact')} AND NOT ({shared} OR {near}) THEN 'twins'",
        f"WHEN {shared} THEN NULL",
        *(
            f"WHEN gamma_{c} = {gamma_of(model, c, 'else')} THEN 'different_{c}'"
            for c in HARD_IDENTIFIERS
            if c in names
        ),
    ]
    return f"CASE {' '.join(whens)} END"


def with_blocking_places(prepared: pa.Table) -> pa.Table:
    """The prepared columns plus `b_postcodes`, `b_uprns`, `b_addresses`: the places minus busy ones."""
    out = prepared.select(PREPARED_SCHEMA.names)
    for blocking, column in BLOCKING_PLACES.items():
        values = out[column]
        counts = pc.value_counts(pc.list_flatten(values))
        busy = {
            v.as_py()
            for v, n in zip(counts.field("values"), counts.field("counts"), strict=True)
            if n.as_py() > BUSY_PLACE
        }
        kept = (
            values
            if not busy
            else pa.array([[x for x in v if x not in busy] for v in values.to_pylist()], _STRING_LIST)
        )
        out = out.append_column(blocking, kept)
    return out


def configure_duckdb(con) -> None:
    """DuckDB's memory bound and where it spills beyond it. Without a bound DuckDB takes up to 80%
    of the machine's memory: a million-record batch link then peaked at 10.5 GiB. The bound
    (`SAFEGUARD_LINKAGE_MEMORY`, default 3GB) covers DuckDB's own buffers; work larger than it
    spills to `SAFEGUARD_LINKAGE_TEMP` (default: a folder in the system's temporary directory)."""
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = ?", [os.environ.get("SAFEGUARD_LINKAGE_MEMORY", "3GB")])
    spill = os.environ.get("SAFEGUARD_LINKAGE_TEMP") or os.path.join(tempfile.gettempdir(), "safeguard-linkage-spill")
    con.execute("SET temp_directory = ?", [spill])


class _Engine:
    """One DuckDB connection and one Linker per model, reused for every call (building one costs
    ~0.3 s, and Splink spends ~1 s generating SQL per call).

    Small jobs (a few new records against their candidates) skip Splink's blocking and score every
    pair with SQL generated once and cached: ~20 ms instead of ~1 s.
    """

    def __init__(self, model: dict[str, Any]):
        self.model = model
        self.settings = with_current_rules(copy.deepcopy(model))
        self.db_api = DuckDBAPI()
        configure_duckdb(self.db_api.duckdb_con)
        empty = self.db_api.register(with_blocking_places(PREPARED_SCHEMA.empty_table()))
        self.linker = Linker(empty, copy.deepcopy(self.settings), log_level=logging.WARNING)
        self.conflict = conflict_sql(model)
        self.lock = threading.Lock()
        self._cross: dict[bool, str] = {}
        self._names = itertools.count()

    def _register(self, table: Any) -> SplinkDataFrame:
        return self.db_api.register(with_blocking_places(prepare(table)))

    def _finish(self, predictions: SplinkDataFrame, inputs: list[SplinkDataFrame],
                review: tuple[float, float] | None = None) -> pa.Table | Scored:
        """The scored pairs out of DuckDB: all columns (`review` None), else a `Scored`: the few
        columns clustering needs for every pair, all columns for the review band only (most of
        the memory of a big run was the ~80 columns of millions of pairs nobody reads)."""
        try:
            name = predictions.physical_name
            con = self.db_api.duckdb_con
            if review is None:
                sql = f"SELECT * EXCLUDE ({_LIST_COLUMNS}), {self.conflict} AS conflict FROM {name}"  # noqa: S608
                return con.sql(sql).to_arrow_table()
            slim = con.sql(f"SELECT record_id_l, record_id_r, match_weight, {self.conflict} AS conflict "  # noqa: S608
                           f"FROM {name}").to_arrow_table()
            low, high = (float(x) for x in review)
            band = con.sql(f"SELECT * FROM (SELECT * EXCLUDE ({_LIST_COLUMNS}), {self.conflict} AS conflict "  # noqa: S608
                           f"FROM {name} WHERE match_weight >= {low!r} AND match_weight < {high!r}) "
                           "WHERE conflict IS NULL").to_arrow_table()
            return Scored(slim, band)
        finally:
            predictions.drop_table_from_database_and_remove_from_cache()
            for sdf in inputs:
                self.db_api.duckdb_con.unregister(sdf.physical_name)

    def _cross_sql(self, within: bool) -> str:
        """Splink's scoring SQL for every pair of two tables, with `__left__` and `__right__` for names."""
        if within not in self._cross:
            empty = with_blocking_places(PREPARED_SCHEMA.empty_table())
            join = "l.record_id < r.record_id" if within else "1=1"
            scored = compare_records(empty, empty, self.settings, self.db_api, join_condition=join)
            sql = scored.sql_used_to_create
            uid = re.search(r"__splink__compare_records_left_(\w+)", sql)
            assert uid is not None, "Splink's compare_records SQL changed shape"
            for side in ("left", "right"):
                name = f"__splink__compare_records_{side}_{uid.group(1)}"
                sql = sql.replace(name, f"__{side}__")
                self.db_api.duckdb_con.unregister(name)
            scored.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
            self._cross[within] = sql
        return self._cross[within]

    def _score_every_pair(self, left: Any, right: Any | None) -> pa.Table:
        con = self.db_api.duckdb_con
        n = next(self._names)
        names = {"left": f"sg_left_{n}", "right": f"sg_right_{n}"}
        left_table = with_blocking_places(prepare(left))
        con.register(names["left"], left_table)
        con.register(names["right"], left_table if right is None else with_blocking_places(prepare(right)))
        try:
            sql = self._cross_sql(right is None)
            for side, name in names.items():
                sql = sql.replace(f"__{side}__", name)
            query = f"SELECT * EXCLUDE ({_LIST_COLUMNS}), {self.conflict} AS conflict FROM ({sql})"  # noqa: S608
            return con.sql(query).to_arrow_table()
        finally:
            con.unregister(names["left"])
            con.unregister(names["right"])

    def within(self, table: Any, review: tuple[float, float] | None = None) -> pa.Table | Scored:
        with self.lock:
            if _rows(table) ** 2 // 2 <= SMALL_JOB_PAIRS:
                pairs = self._score_every_pair(table, None)
                return pairs if review is None else _split(pairs, review)
            sdf = self._register(table)
            preds = self.linker.inference.predict_within(sdf, warning_mode="never")
            return self._finish(preds, [sdf], review)

    def between(self, existing: Any, new: Any) -> pa.Table:
        with self.lock:
            if _rows(existing) * _rows(new) <= SMALL_JOB_PAIRS:
                return self._score_every_pair(existing, new)
            left, right = self._register(existing), self._register(new)
            preds = self.linker.inference.predict_between(left, right, warning_mode="never")
            return self._finish(preds, [left, right])


def _split(pairs: pa.Table, review: tuple[float, float]) -> Scored:
    """A small job's pairs (all columns) as `Scored`."""
    low, high = review
    band = pc.and_(pc.and_(pc.greater_equal(pairs["match_weight"], low), pc.less(pairs["match_weight"], high)),
                   pc.is_null(pairs["conflict"]))
    return Scored(pairs.select(list(SLIM_COLUMNS)), pairs.filter(band))


def _rows(table: Any) -> int:
    return table.num_rows if isinstance(table, pa.Table) else len(table)


_engines: dict[str, _Engine] = {}
_engines_lock = threading.Lock()


def engine(model: Model = None) -> _Engine:
    loaded = load_model(model)
    key = sha256(json.dumps(loaded, sort_keys=True).encode()).hexdigest()
    with _engines_lock:
        if key not in _engines:
            _engines[key] = _Engine(loaded)
        return _engines[key]


def model_version(model: Model = None) -> str:
    """A model's version: the id `link --train` gave it, else `shipped-` and a digest of it."""
    loaded = load_model(model)
    given = (loaded.get("safeguard_model") or {}).get("version")
    return given or f"shipped-{sha256(json.dumps(loaded, sort_keys=True).encode()).hexdigest()[:12]}"


def predict(table: Any, model: Model = None) -> pa.Table:
    """Every candidate pair among `table`'s records, scored with Splink (DuckDB).

    Candidates come from the blocking rules (`model.blocking_rules`); a small table (up to about
    200 records) has every pair scored instead. Columns: record_id_l, record_id_r, match_weight, match_probability, gamma_<comparison> and
    bf_<comparison> for each comparison, the compared values (`fn1_l`, `fn1_r`, ...) and
    `conflict` (a hard rule the pair breaks: `twins`, `generations`, `different_nhs`, ... or null).
    """
    return engine(model).within(table)


def score(table: Any, model: Model = None, *, review: tuple[float, float]) -> Scored:
    """`predict` for clustering and review: every candidate pair with only SLIM_COLUMNS, and
    the pairs in the review band [review[0], review[1]) that break no rule with every column.
    Far less memory than `predict` on a big table (a million records give millions of pairs)."""
    return engine(model).within(table, review)


def predict_within(new: Any, model: Model = None) -> pa.Table:
    """Pairs among newly arrived records (the same as `predict`)."""
    return engine(model).within(new)


def predict_between(existing: Any, new: Any, model: Model = None) -> pa.Table:
    """Pairs of an existing record (`_l`) and a new one (`_r`); never two existing records."""
    return engine(model).between(existing, new)


def links(pairs: pa.Table, threshold: float) -> pa.Table:
    """The pairs at or above a match weight that break no hard rule."""
    keep = pc.and_(pc.greater_equal(pairs["match_weight"], threshold), pc.is_null(pairs["conflict"]))
    return pairs.filter(keep)
