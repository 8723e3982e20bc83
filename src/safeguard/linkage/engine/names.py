"""Name normalisation, the nickname table and phonetic keys.

Everything here is a pure function of one value and cached, because names repeat a lot: a force's
million records hold a few tens of thousands of distinct names.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

# Particles that are not a surname on their own ("de la Cruz" must not match "la Rue" on "la").
_PARTICLES = frozenset(
    {"de", "la", "le", "van", "von", "der", "den", "da", "di", "del", "du", "st", "al", "el"}
)
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_NOT_LETTER = re.compile(r"[^a-z\s-]")
_SEPARATORS = re.compile(r"[\s-]+")


def ascii_lower(value: str | None) -> str:
    """Lower case, accents dropped, apostrophes and full stops removed, other punctuation as spaces."""
    if not value:
        return ""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("'", "").replace("`", "").replace(".", " ")
    return _NOT_LETTER.sub(" ", text).strip()


@cache
def name_tokens(value: str | None) -> tuple[str, ...]:
    """`"Mary-Jane  O'Neil"` -> `("mary", "jane", "oneil")`."""
    return tuple(t for t in _SEPARATORS.split(ascii_lower(value)) if t)


@cache
def _nickname_edges() -> dict[str, tuple[str, ...]]:
    """nickname or variant spelling -> the fuller names it stands for."""
    edges: dict[str, list[str]] = {}
    with (DATA_DIR / "nicknames.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            nick, name = row["nickname"].strip().lower(), row["name"].strip().lower()
            if nick and name and nick != name:
                edges.setdefault(nick, []).append(name)
    return {nick: tuple(names) for nick, names in edges.items()}


@cache
def _known_forenames() -> frozenset[str]:
    lines = (DATA_DIR / "forenames.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_known_forename(name: str) -> bool:
    """A real forename (common in UK records, or in the nickname table), so likely not a typo."""
    return name in _known_forenames() or name in _nickname_edges()


def nicknames() -> list[str]:
    """Every nickname and variant spelling in the table."""
    return list(_nickname_edges())


@cache
def name_forms(name: str) -> frozenset[str]:
    """The name and every name it may be short for, following chains (`mo` -> `mohammed` -> `muhammad`)."""
    edges = _nickname_edges()
    seen = {name}
    todo = [name]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


@cache
def canonical_forename(name: str) -> str:
    """One key per formal name, for blocking: `dan`, `danny`, `daniel` -> `daniel`.

    The key is the smallest name among the most formal names reachable (those whose own forms all
    lead back to them); a name with several formal readings (`alex`) takes the first one.
    """
    if not name:
        return ""
    forms = name_forms(name)
    sinks = [m for m in forms if all(m in name_forms(x) for x in name_forms(m))]
    return min(sinks) if sinks else min(forms)


def are_nicknames(a: str, b: str) -> bool:
    """True when the two forenames may be the same name (`dan`/`daniel`, `danny`/`dan`, `shaun`/`sean`)."""
    return a != b and bool(name_forms(a) & name_forms(b))


@cache
def surname_key(value: str | None) -> str:
    """Surname letters only: `"Smith-Jones"` -> `"smithjones"`, `"O'Brien"` -> `"obrien"`."""
    return "".join(name_tokens(value))


@cache
def surname_parts(value: str | None) -> tuple[str, ...]:
    """The whole surname and each part of a double-barrelled or spaced one, particles left out."""
    parts = [t for t in name_tokens(value) if t not in _PARTICLES and len(t) > 1]
    whole = surname_key(value)
    return tuple(dict.fromkeys([whole, *parts])) if whole else ()


_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@cache
def soundex(value: str) -> str:
    """American Soundex of a lower-case letters-only string (`"robert"` -> `"r163"`); empty stays empty."""
    letters = [c for c in value if "a" <= c <= "z"]
    if not letters:
        return ""
    first = letters[0]
    out = [first]
    last = _SOUNDEX_CODES.get(first, "")
    for ch in letters[1:]:
        code = _SOUNDEX_CODES.get(ch, "")
        if code and code != last:
            out.append(code)
        if ch not in "hw":  # h and w do not separate letters with the same code
            last = code
    return ("".join(out) + "000")[:4]
