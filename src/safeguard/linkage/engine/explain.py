"""Plain-English evidence for and against a scored pair, for the review queue."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .model import HARD_IDENTIFIERS, IDENTIFIERS, level_keys, load_model
from .names import name_forms

CONFLICTS = {
    "twins": "likely twins: same surname and date of birth but different forenames",
    "generations": "dates of birth a generation apart: a parent and child?",
    "years_apart": "same surname, dates of birth years apart: brothers or sisters of the same name?",
    **{f"different_{c}": f"two different {IDENTIFIERS[c]}s" for c in HARD_IDENTIFIERS},
}


def _title(value: Any) -> str:
    return str(value).title() if value else "?"


def _dob(y: Any, m: Any, d: Any) -> str:
    return "-".join(f"{int(v):02d}" for v in (y, m, d) if v is not None)


def _forename(key: str, row: Mapping[str, Any]) -> str:
    a, b = row.get("fn1_l"), row.get("fn1_r")
    if key == "nickname" and a and b:
        if b in name_forms(a):
            return f"forename {_title(a)} is a nickname of {_title(b)}"
        if a in name_forms(b):
            return f"forename {_title(b)} is a nickname of {_title(a)}"
        return f"forenames {_title(a)} and {_title(b)} are forms of the same name"
    return {
        "exact": f"same forename {_title(a)}",
        "typo": f"forenames {_title(a)} and {_title(b)} differ by one letter",
        "other_name": f"forename {_title(a)} / {_title(b)} matches a middle name or alias of the other record",
        "initial": f"forename initial agrees ({_title(a)} / {_title(b)})",
        "fuzzy": f"forenames {_title(a)} and {_title(b)} are similar",
        "else": f"different forenames {_title(a)} and {_title(b)}",
    }[key]


def _phrase(comparison: str, key: str, row: Mapping[str, Any]) -> str | None:
    if key == "null":
        return None
    if comparison == "fn":
        return _forename(key, row)
    if comparison in IDENTIFIERS:
        label = IDENTIFIERS[comparison]
        return {"exact": f"same {label}", "typo": f"{label}s differ by one character"}.get(
            key, f"different {label}s"
        )
    l_dob = _dob(row.get("dob_y_l"), row.get("dob_m_l"), row.get("dob_d_l"))
    r_dob = _dob(row.get("dob_y_r"), row.get("dob_m_r"), row.get("dob_d_r"))
    sn_l, sn_r = row.get("sn_l"), row.get("sn_r")
    phrases = {
        "mid": {
            "exact": "same middle names",
            "initial": "middle names share an initial",
            "else": "different middle names",
        },
        "sn": {
            "exact": f"same surname {_title(sn_l)}",
            "typo": f"surnames {_title(sn_l)} and {_title(sn_r)} differ by one letter",
            "reversed": "forename and surname written the wrong way round",
            "part": f"surnames {_title(row.get('family_name_l'))} and {_title(row.get('family_name_r'))} "
            "share a part of a double-barrelled name or an alias",
            "close": f"surnames {_title(sn_l)} and {_title(sn_r)} sound alike",
            "else": f"different surnames {_title(sn_l)} and {_title(sn_r)}",
        },
        "dob": {
            "exact": f"same date of birth {l_dob}",
            "swap": f"date of birth day and month swapped ({l_dob} / {r_dob})",
            "typo": f"dates of birth one digit apart ({l_dob} / {r_dob})",
            "days": f"dates of birth within a month ({l_dob} / {r_dob})",
            "partial_ym": f"dates of birth agree on year and month ({l_dob} / {r_dob})",
            "partial_y": f"dates of birth agree on the year ({l_dob} / {r_dob})",
            "near": f"dates of birth within a year ({l_dob} / {r_dob})",
            "else": f"different dates of birth ({l_dob} / {r_dob})",
        },
        "sex": {"exact": "same sex", "else": f"different sex ({row.get('sex_l')} / {row.get('sex_r')})"},
        "local": {
            "exact": "same local record number in the same source",
            "else": "different local record numbers",
        },
        "loc": {
            "same_place": "linked to the same address",
            "same_postcode": "linked to the same postcode",
            "same_district": "linked to the same postcode district",
            "else": "no address or postcode in common",
        },
    }
    return phrases.get(comparison, {}).get(key, f"{comparison}: {key}")


def _level_weights(model: dict[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for comparison in model["comparisons"]:
        weights = {}
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if m and u:
                weights[level["label_for_charts"]] = math.log2(m / u)
        out[comparison["output_column_name"]] = weights
    return out


def explain(pair_row: Mapping[str, Any], model: dict[str, Any] | str | None = None) -> list[str]:
    """Evidence for and against one scored pair (a row of `predict`'s output as a mapping), strongest
    first: `["For: same NHS number", "For: forename Dan is a nickname of Daniel", "Against: ..."]`."""
    loaded = load_model(model)
    keys = level_keys(loaded)
    weights = _level_weights(loaded)
    items: list[tuple[float, str]] = []
    for comparison, by_gamma in keys.items():
        gamma = pair_row.get(f"gamma_{comparison}")
        if gamma is None:
            continue
        key = by_gamma.get(int(gamma), "null")
        phrase = _phrase(comparison, key, pair_row)
        if phrase is None:
            continue
        bf = pair_row.get(f"bf_{comparison}")
        weight = math.log2(bf) if bf else weights[comparison].get(key, 0.0)
        if abs(weight) < 0.5:
            continue
        items.append((weight, phrase))
    items.sort(key=lambda item: -abs(item[0]))
    out = [f"{'For' if w > 0 else 'Against'}: {p}" for w, p in items]
    conflict = pair_row.get("conflict")
    if conflict:
        out.insert(0, f"Must not link: {CONFLICTS.get(conflict, conflict)}")
    return out
