"""The person-matching model: comparisons, their levels and the blocking rules (untrained).

Each comparison level carries a short key as its chart label (`exact`, `nickname`, `swap`, ...).
`explain` and the hard rules read those keys back from whichever model is loaded, so a model
retrained on a force's own data keeps working as long as it was built from these definitions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from .names import DATA_DIR

MODEL_PATH = DATA_DIR / "person_model.json"

# Identifiers with check characters, issued once per person: two different values mean two people.
HARD_IDENTIFIERS = ("nhs", "pnc", "visor")
IDENTIFIERS: dict[str, str] = {
    "nhs": "NHS number",
    "pnc": "PNC id",
    "cro": "CRO number",
    "upn": "unique pupil number",
    "ni": "National Insurance number",
    "visor": "ViSOR id",
}


@dataclass(frozen=True)
class Level:
    key: str
    sql: str
    m: float | None = None  # a fixed m probability, not trained
    u: float | None = None  # a fixed u probability, not trained


def _comparison(
    name: str, null_sql: str, levels: list[Level], description: str, else_m: float | None = None
) -> cl.CustomComparison:
    creators = [cll.CustomLevel(null_sql, label_for_charts="null").configure(is_null_level=True)]
    for level in [*levels, Level("else", "ELSE", else_m)]:
        creator = cll.ElseLevel() if level.key == "else" else cll.CustomLevel(level.sql)
        creator.configure(label_for_charts=level.key)
        if level.m is not None:
            creator.configure(m_probability=level.m, fix_m_probability=True)
        if level.u is not None:
            creator.configure(u_probability=level.u, fix_u_probability=True)
        creators.append(creator)
    return cl.CustomComparison(creators, output_column_name=name, comparison_description=description)


def _slip(a: str, b: str) -> str:
    """Damerau-Levenshtein distance at most 1 (one letter wrong, missing, extra or two swapped).

    DuckDB's damerau_levenshtein is five times slower than levenshtein, and a projection does
    not short-circuit AND: the CASE runs it only on the few pairs that need it.
    """
    return (
        f"CASE WHEN levenshtein({a}, {b}) <= 1 THEN true "
        f"WHEN levenshtein({a}, {b}) = 2 AND length({a}) = length({b}) THEN damerau_levenshtein({a}, {b}) = 1 "
        "ELSE false END"
    )


# Forename and surname written the wrong way round (allowing a typo after the first letter).
REVERSED = (
    "CASE WHEN left(fn1_l, 1) = left(sn_r, 1) AND left(sn_l, 1) = left(fn1_r, 1) THEN "
    "jaro_winkler_similarity(fn1_l, sn_r) >= 0.9 AND jaro_winkler_similarity(sn_l, fn1_r) >= 0.9 "
    "AND jaro_winkler_similarity(fn1_l, fn1_r) < 0.9 ELSE false END"
)


def _forename() -> cl.CustomComparison:
    # Reversed names are scored once, by the surname comparison.
    return _comparison(
        "fn",
        f"fn1_l IS NULL OR fn1_r IS NULL OR ({REVERSED})",
        [
            Level("exact", "fn1_l = fn1_r"),
            Level("nickname", "list_has_any(fn1_forms_l, fn1_forms_r)"),
            Level("typo", f"least(length(fn1_l), length(fn1_r)) >= 3 AND {_slip('fn1_l', 'fn1_r')}"),
            Level("other_name", "list_has_any(fn1_forms_l, fn_all_r) OR list_has_any(fn_all_l, fn1_forms_r)"),
            Level("initial", "(length(fn1_l) = 1 OR length(fn1_r) = 1) AND left(fn1_l, 1) = left(fn1_r, 1)"),
            Level("fuzzy", "jaro_winkler_similarity(fn1_l, fn1_r) >= 0.8"),
        ],
        "first forename: exact, nickname, typo, middle name or alias, initial, similar",
    )


def _middle() -> cl.CustomComparison:
    return _comparison(
        "mid",
        "mid_l IS NULL OR mid_r IS NULL",
        [Level("exact", "mid_l = mid_r"), Level("initial", "left(mid_l, 1) = left(mid_r, 1)")],
        "middle names when both records hold them",
    )


def _surname() -> cl.CustomComparison:
    return _comparison(
        "sn",
        "sn_l IS NULL OR sn_r IS NULL",
        [
            Level("exact", "sn_l = sn_r"),
            Level("typo", f"least(length(sn_l), length(sn_r)) >= 3 AND {_slip('sn_l', 'sn_r')}"),
            Level("reversed", REVERSED),
            Level("part", "list_has_any(sn_all_l, sn_all_r)"),
            Level("close", "jaro_winkler_similarity(sn_l, sn_r) >= 0.88 OR sn_sdx_l = sn_sdx_r"),
        ],
        "surname: exact, typo, swapped with the forename, shared part of a double-barrelled name or alias, similar",
    )


def _dob() -> cl.CustomComparison:
    full = "dob_s_l IS NOT NULL AND dob_s_r IS NOT NULL"
    return _comparison(
        "dob",
        "dob_y_l IS NULL OR dob_y_r IS NULL",
        [
            Level("exact", "dob_s_l = dob_s_r"),
            Level(
                "swap",
                f"{full} AND dob_y_l = dob_y_r AND dob_d_l = dob_m_r AND dob_m_l = dob_d_r",
            ),
            Level("typo", f"{full} AND {_slip('dob_s_l', 'dob_s_r')}"),
            Level("days", "abs(dob_days_l - dob_days_r) <= 31"),
            Level(
                "partial_ym",
                "dob_y_l = dob_y_r AND dob_m_l = dob_m_r AND (dob_d_l IS NULL OR dob_d_r IS NULL)",
            ),
            Level("partial_y", "dob_y_l = dob_y_r AND (dob_m_l IS NULL OR dob_m_r IS NULL)"),
            Level("near", "abs(dob_y_l - dob_y_r) <= 1"),
        ],
        "date of birth: exact, day and month swapped, one digit off, within a month, partial agreeing, "
        "within a year",
    )


def _sex() -> cl.CustomComparison:
    return _comparison("sex", "sex_l IS NULL OR sex_r IS NULL", [Level("exact", "sex_l = sex_r")], "sex")


def _identifier(col: str) -> cl.CustomComparison:
    # An identifier is near-certain: when both records hold one, the same person's values agree
    # but for a rare keying slip, and two people share a value (or one a slip away) about never.
    # EM cannot learn this from identifiers that are mostly missing, and random pairs that happen
    # to be the same person inflate u, so m and u are fixed. NI numbers, UPNs and CRO numbers are
    # reissued (temporary NI numbers, new UPNs) more often than the others.
    different = 0.005 if col in HARD_IDENTIFIERS else 0.03
    return _comparison(
        col,
        f"{col}_l IS NULL OR {col}_r IS NULL",
        [
            Level("exact", f"{col}_l = {col}_r", m=0.99 - different, u=1e-6),
            Level("typo", _slip(f"{col}_l", f"{col}_r"), m=0.01, u=1e-5),
        ],
        IDENTIFIERS[col],
        else_m=different,
    )


def _local() -> cl.CustomComparison:
    # Duplicates inside one source often carry different local numbers: the same number is strong
    # evidence, a different one is weak evidence against.
    return _comparison(
        "local",
        "local_l IS NULL OR local_r IS NULL OR source_l <> source_r",
        [Level("exact", "local_l = local_r", m=0.5)],
        "a source's own record number, compared within that source only",
        else_m=0.5,
    )


def _location() -> cl.CustomComparison:
    return _comparison(
        "loc",
        "NOT has_loc_l OR NOT has_loc_r",
        [
            Level("same_place", "list_has_any(uprns_l, uprns_r) OR list_has_any(addresses_l, addresses_r)"),
            Level("same_postcode", "list_has_any(postcodes_l, postcodes_r)"),
            Level("same_district", "list_has_any(districts_l, districts_r)"),
        ],
        "the places each record is linked to: same UPRN or address, postcode, postcode district",
    )


def blocking_rules() -> list[BlockingRuleCreator | str]:
    """Equi-joins whose union finds nearly every true pair while keeping candidate sets small.

    Every rule pins a date of birth, an identifier or a place; names alone are paired only with
    records that hold no full date of birth. So candidate pairs grow about linearly with the
    number of records (names alone would grow with its square: a force holds hundreds of John
    Smiths). Places shared by very many records (a hostel, a prison) are left out of blocking
    (the `b_*` columns, see `persons.with_blocking_places`).
    """
    return [
        *(block_on(col) for col in IDENTIFIERS),
        block_on("local", "source"),
        block_on("dob_s", "sn_sdx"),
        block_on("dob_s", "fn1_canon"),
        block_on("dob_s", "initials"),  # also forename and surname the wrong way round
        block_on("dob_ym", "sn_sdx"),  # day wrong or missing
        block_on("dob_yx", "sn_sdx"),  # day and month swapped
        block_on("dob_y", "fn1_canon", "sn"),  # month wrong or missing
        block_on("dob_md", "fn1_canon", "sn_sdx"),  # year wrong
        # no full date of birth on one side: the same names anywhere
        "l.nodob_key = r.name_key",
        "l.name_key = r.nodob_key",
        # the same place: surname changed and date of birth wrong, or names garbled
        block_on("b_uprns", "fn_init", arrays_to_explode=["b_uprns"]),
        block_on("b_addresses", "fn_init", arrays_to_explode=["b_addresses"]),
        block_on("b_postcodes", "dob_s", arrays_to_explode=["b_postcodes"]),
        block_on("b_postcodes", "fn_init", "sn_init", arrays_to_explode=["b_postcodes"]),
    ]


def settings_creator() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            _forename(),
            _middle(),
            _surname(),
            _dob(),
            _sex(),
            *(_identifier(col) for col in IDENTIFIERS),
            _local(),
            _location(),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["given_names", "family_name", "dob", "fn1_known"],
        probability_two_random_records_match=1e-4,
        max_iterations=50,
    )


def load_model(model: dict[str, Any] | str | Path | None = None) -> dict[str, Any]:
    """The shipped model when `model` is None; else the given dict, or the JSON file at a path."""
    if model is None:
        return _shipped_model()
    if isinstance(model, dict):
        return model
    return json.loads(Path(model).read_text(encoding="utf-8"))


def with_current_rules(model: dict[str, Any]) -> dict[str, Any]:
    """The trained comparisons and prior of `model` with this code's blocking rules and output
    columns, so a model trained by an older release still blocks and reports like this one."""
    current = settings_creator().get_settings("duckdb").as_dict()
    keep = ("comparisons", "probability_two_random_records_match")
    return {**current, **{key: model[key] for key in keep}}


@cache
def _shipped_model() -> dict[str, Any]:
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def level_keys(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison name -> gamma value -> level key (`-1` is the null level)."""
    out: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        keys = {len(non_null) - 1 - i: lv["label_for_charts"] for i, lv in enumerate(non_null)}
        keys[-1] = "null"
        out[comparison["output_column_name"]] = keys
    return out


def gamma_of(model: dict[str, Any], comparison: str, key: str) -> int:
    for gamma, k in level_keys(model)[comparison].items():
        if k == key:
            return gamma
    raise KeyError(f"{comparison} has no level {key!r}")
