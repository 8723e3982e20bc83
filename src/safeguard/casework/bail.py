"""Pre-charge bail clocks under PACE 1984 as amended by the Police, Crime, Sentencing and
Courts Act 2022 (ss 45-46, in force 28 October 2022):

- the initial period is 3 months from the "relevant time" (broadly, the day of arrest),
  authorised by a custody officer (PACE s 47ZA as amended);
- an inspector may extend it to 6 months from the relevant time (s 47ZD);
- a superintendent may extend it to 9 months (s 47ZE);
- beyond 9 months only a magistrates' court may extend it (ss 47ZF-47ZG).

A chain of periods (each extension a row whose `extends` points at the one before) is counted
from the start of its first period. Released under investigation (RUI) has no expiry and no
authority. A residence condition is only enforceable at a specific, verified address.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from safeguard.core.calendar import add_months

from .models import Bail

#: the furthest each authority may set the expiry, in months from the start of the first period
LIMIT_MONTHS = {
    Bail.Authority.CUSTODY_OFFICER: 3,
    Bail.Authority.INSPECTOR: 6,
    Bail.Authority.SUPERINTENDENT: 9,
}
ORDER = [Bail.Authority.CUSTODY_OFFICER, Bail.Authority.INSPECTOR, Bail.Authority.SUPERINTENDENT, Bail.Authority.COURT]

NEXT_LABEL = {
    Bail.Authority.INSPECTOR: "an inspector",
    Bail.Authority.SUPERINTENDENT: "a superintendent",
    Bail.Authority.COURT: "a magistrates' court",
}

POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
HOUSE_NUMBER = re.compile(r"(^|[\s,/])(flat\s+)?\d+[a-z]?\b", re.IGNORECASE)
HOUSE_NAME = re.compile(r"^[^,\d]*\b(cottage|house|farm|lodge|barn|hall|manor|mill|villa|bungalow)\b", re.IGNORECASE)
VAGUE = re.compile(r"\b(area|nfa|no fixed abode|various|tbc|unknown|to be confirmed)\b", re.IGNORECASE)


def required_authority(first_starts_on: dt.date, expires_on: dt.date) -> Bail.Authority:
    """The lowest authority that may set this expiry."""
    for authority in ORDER[:-1]:
        if expires_on <= add_months(first_starts_on, LIMIT_MONTHS[authority]):
            return authority
    return Bail.Authority.COURT


def authority_allows(authority: str, first_starts_on: dt.date, expires_on: dt.date) -> bool:
    return ORDER.index(Bail.Authority(authority)) >= ORDER.index(required_authority(first_starts_on, expires_on))


def address_problem(address: str) -> str:
    """Why a residence address is not a specific address ("" when it is one)."""
    text = address.strip()
    if not text:
        return "No address is recorded for the residence condition."
    if VAGUE.search(text):
        return f"“{text}” is an area or a placeholder, not an address."
    if not POSTCODE.search(text):
        return f"“{text}” has no full postcode."
    before_postcode = text[:POSTCODE.search(text).start()]
    if not HOUSE_NUMBER.search(before_postcode) and not HOUSE_NAME.search(before_postcode):
        return f"“{text}” has no house number or name: it names only a street, area or town."
    return ""


@dataclass
class BailClock:
    bail: Bail
    first_starts_on: dt.date
    days_left: int | None
    expired: bool
    current_authority: str
    next_authority: str  # who must authorise the next extension ("" for RUI)
    next_limit: dt.date | None  # how far that authority may extend it
    address_warning: str

    @property
    def days_expired(self) -> int:
        return -self.days_left if self.expired and self.days_left is not None else 0

    @property
    def next_authority_label(self) -> str:
        """e.g. "an inspector": who must authorise the next extension."""
        return NEXT_LABEL.get(self.next_authority, "")

    @property
    def warn_expiry(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= 14


def first_start(bail: Bail, chain: dict[int, Bail]) -> dt.date:
    """The start of the first period of the chain this one extends (ids to rows in `chain`)."""
    seen = set()
    current = bail
    while current.extends_id and current.extends_id in chain and current.pk not in seen:
        seen.add(current.pk)
        current = chain[current.extends_id]
    return current.starts_on


def clock(bail: Bail, chain: dict[int, Bail], today: dt.date) -> BailClock:
    start = first_start(bail, chain)
    if bail.kind == Bail.Kind.RUI or bail.expires_on is None:
        return BailClock(bail, start, None, False, "", "", None, _residence_warning(bail))
    current = required_authority(start, bail.expires_on)
    index = ORDER.index(current)
    following = ORDER[min(index + 1, len(ORDER) - 1)]
    limit = add_months(start, LIMIT_MONTHS[following]) if following in LIMIT_MONTHS else None
    days_left = (bail.expires_on - today).days
    return BailClock(bail, start, days_left, days_left < 0, current, following, limit, _residence_warning(bail))


def _residence_warning(bail: Bail) -> str:
    if not bail.residence_address and "resid" not in bail.conditions.lower():
        return ""
    problem = address_problem(bail.residence_address)
    if problem:
        return problem
    if bail.residence_verified_at is None:
        return "The residence address has not been verified: visit or check it before relying on the condition."
    return ""
