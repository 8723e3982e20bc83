"""Location matching: the same UPRN is the same place; else the same normalised address and postcode.

A non-specific record (`Kettering area`, `NFA`, a street without a number) never merges with another
record: it is its own place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import pyarrow as pa

_FULL_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2})$")
_FLAT_SLASH = re.compile(r"\b(\d+[a-z]?)\s*/\s*(\d+[a-z]?)\b")
_NUMBER_RANGE = re.compile(r"\b(\d+[a-z]?)\s*-\s*(\d+[a-z]?)\b")
_PUNCTUATION = re.compile(r"[^a-z0-9\s-]")
_HAS_DIGIT = re.compile(r"\d")

ABBREVIATIONS: dict[str, str] = {
    "rd": "road",
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "cl": "close",
    "ct": "court",
    "crt": "court",
    "cres": "crescent",
    "cresc": "crescent",
    "cr": "crescent",
    "dr": "drive",
    "drv": "drive",
    "gr": "grove",
    "gro": "grove",
    "gv": "grove",
    "hse": "house",
    "ho": "house",
    "ln": "lane",
    "pl": "place",
    "sq": "square",
    "gdns": "gardens",
    "gdn": "gardens",
    "terr": "terrace",
    "ter": "terrace",
    "tce": "terrace",
    "pk": "park",
    "pde": "parade",
    "wk": "walk",
    "wlk": "walk",
    "wy": "way",
    "hts": "heights",
    "mdw": "meadow",
    "mdws": "meadows",
    "grn": "green",
    "cotts": "cottages",
    "bldgs": "buildings",
    "ests": "estate",
    "est": "estate",
    "blvd": "boulevard",
    "bvd": "boulevard",
    "cir": "circus",
    "clo": "close",
    "mt": "mount",
    "nth": "north",
    "sth": "south",
    "upr": "upper",
    "lwr": "lower",
    "apt": "flat",
    "apartment": "flat",
    "unit": "flat",
    "fl": "flat",
}
STREET_TYPES = frozenset(
    {
        "road", "street", "avenue", "close", "court", "crescent", "drive", "grove", "lane", "place",
        "square", "gardens", "terrace", "park", "parade", "walk", "way", "heights", "meadow", "meadows",
        "green", "row", "hill", "rise", "mews", "view", "boulevard", "circus", "mount", "wharf", "yard",
    }
)  # fmt: skip


def normalise_postcode(postcode: str | None) -> str:
    """Upper case, spaces and punctuation removed: `" nn16 8ab"` -> `"NN168AB"`."""
    return re.sub(r"[^A-Z0-9]", "", (postcode or "").upper())


def is_full_postcode(postcode: str | None) -> bool:
    return bool(_FULL_POSTCODE.match(normalise_postcode(postcode)))


def postcode_district(postcode: str | None) -> str:
    """The outward code of a full postcode (`NN168AB` -> `NN16`), else empty."""
    pc = normalise_postcode(postcode)
    return pc[:-3] if _FULL_POSTCODE.match(pc) else ""


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for i, written in enumerate(tokens):
        word = ABBREVIATIONS.get(written, written)
        # "St" before a name is Saint ("10 St Johns Road"); after one it is Street ("10 Mill St").
        if written == "st" and (i == 0 or _HAS_DIGIT.search(tokens[i - 1])) and i + 1 < len(tokens):
            word = "saint"
        # "La" after a name is Lane ("6 Mill La"); first in a name it is a word ("10 La Rosa Close").
        if written == "la" and i > 0 and not _HAS_DIGIT.search(tokens[i - 1]):
            word = "lane"
        out.append(word)
    return out


def _drop_postcodes(tokens: list[str]) -> list[str]:
    """Remove a postcode written into the address line, with or without its space."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if _FULL_POSTCODE.match(tokens[i].upper()):
            i += 1
        elif i + 1 < len(tokens) and _FULL_POSTCODE.match((tokens[i] + tokens[i + 1]).upper()):
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


@cache
def normalise_address(address: str | None, postcode: str | None = None) -> str:
    """A comparison key for an address line: case, punctuation and spacing ignored, abbreviations
    expanded, `2/10` read as `flat 2 10`, a postcode in the line and anything after the street name
    dropped (`"14 Maple Rd, Kettering"` and `"14 Maple Road"` give `"14 maple road"`).

    `postcode` is accepted for symmetry with `is_specific`; the key itself does not include it.
    """
    text = _FLAT_SLASH.sub(r"flat \1 \2", (address or "").lower())
    text = _NUMBER_RANGE.sub(r"\1-\2", text)
    tokens = _expand(_drop_postcodes(_PUNCTUATION.sub(" ", text).split()))
    numbered = [i for i, t in enumerate(tokens) if _HAS_DIGIT.search(t)]
    if numbered:
        # keep up to the first street word after the last number; what follows is town and county
        for j in range(numbered[-1] + 2, len(tokens)):
            if tokens[j] in STREET_TYPES:
                tokens = tokens[: j + 1]
                break
    return " ".join(tokens)


def is_specific(address: str | None, postcode: str | None = None, uprn: str | None = None) -> bool:
    """A UPRN, or a number in the address and a full postcode."""
    if uprn and str(uprn).strip():
        return True
    return bool(_HAS_DIGIT.search(normalise_address(address, postcode))) and is_full_postcode(postcode)


def address_key(address: str | None, postcode: str | None) -> str | None:
    """`normalised address|POSTCODE` for a specific address, else None (it must not match anything)."""
    if not is_specific(address, postcode):
        return None
    return f"{normalise_address(address, postcode)}|{normalise_postcode(postcode)}"


def _rows(table: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(table, pa.Table):
        return table.select(["record_id", "address", "postcode", "uprn"]).to_pylist()
    return table.to_dict("records")  # pandas


def match_locations(table: Any) -> dict[int, int]:
    """record_id -> cluster key (the smallest record_id of the place).

    `table` (pyarrow or pandas) has `record_id`, `address`, `postcode`, `uprn`. Records join on UPRN;
    records with the same address key join each other and the one UPRN place among them; two
    different UPRNs never join, and an address shared by several UPRN places joins none of them.
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_uprn: dict[str, int] = {}
    by_address: dict[str, list[int]] = {}
    uprn_of: dict[int, str] = {}
    for row in _rows(table):
        rid = int(row["record_id"])
        parent[rid] = rid
        uprn = str(row["uprn"]).strip() if row.get("uprn") not in (None, "") else ""
        if uprn:
            uprn_of[rid] = uprn
            union(rid, by_uprn.setdefault(uprn, rid))
        key = address_key(row.get("address"), row.get("postcode"))
        if key:
            by_address.setdefault(key, []).append(rid)
    for members in by_address.values():
        uprns = {uprn_of[m] for m in members if m in uprn_of}
        joinable = members if len(uprns) <= 1 else [m for m in members if m not in uprn_of]
        for m in joinable[1:]:
            union(joinable[0], m)
    return {rid: find(rid) for rid in parent}
