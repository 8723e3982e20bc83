"""Search for people and places: a name (with typos, nicknames and aliases), a date of birth
(full or partial), an address or postcode, an identifier. Only records the user may see are
searched, and names a restriction hides from the user are not matched.

Names are matched through an in-process index of the surname spellings held (grouped by their
first two letters), refreshed every few minutes, so that a misspelt surname becomes an indexed
`family_name IN (...)` query rather than a scan of every record; forenames, nicknames and
aliases are then scored in Python over the few candidates. (A force-scale deployment wants the
same keys stored at ingest; see the web app's notes.)
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Q

from safeguard.access.masking import masked_fields
from safeguard.access.policy import visible
from safeguard.feed.schema import normalise_postcode
from safeguard.linkage.engine.names import (
    canonical_forename,
    name_tokens,
    soundex,
    surname_key,
    surname_parts,
)
from safeguard.linkage.models import LocationMembership
from safeguard.records.models import LocationVersion, PersonLocationVersion, PersonVersion
from safeguard.records.selectors import as_of

from ..words import HOUSEHOLD_ROLES
from .common import (
    PersonBrief,
    PlaceBrief,
    best_place_label,
    counting,
    display_name,
    dob_text,
    markers_for,
    person_briefs,
    persons_of_records,
    place_briefs,
    records_of_persons,
)

MAX_PEOPLE = 50
MAX_PLACES = 20
MAX_CANDIDATES = 3000
MAX_ADDRESSES = 200
INDEX_SECONDS = 300
logger = logging.getLogger(__name__)
FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$")
POSTCODE_PART = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?([0-9][A-Z]{0,2})?$")


# ---- the surname index -------------------------------------------------------------------------

class _SurnameIndex:
    """The surname spellings held, and the records whose aliases hold each alias surname, grouped
    by their first two letters (a misspelling rarely changes those; it often changes Soundex).

    Within a group the spellings are held by their parts (`surname_parts`: the whole surname and
    each part of a double-barrelled one, as `_surname_score` compares them), the parts by length,
    so that a query compares each distinct part once and only parts of a length that can match
    (`_part_matches`), rather than every spelling ("SMITH", "Smith", "Smith-Jones"...)."""

    def __init__(self, spellings: Iterable[str] | None = None, aliases: Iterable[tuple[int, list]] | None = None) -> None:
        """From every person version held (or the spellings and (record, aliases) given)."""
        # first two letters -> length -> part -> the spellings (of this group) with that part
        self.spellings: dict[str, dict[int, dict[str, list[str]]]] = {}
        # first two letters -> length -> alias surname part -> the records whose aliases hold it
        self.alias_records: dict[str, dict[int, dict[str, set[int]]]] = {}
        if spellings is None:
            spellings = PersonVersion.objects.order_by().values_list("family_name", flat=True).distinct().iterator(
                chunk_size=10_000)
        if aliases is None:
            aliases = PersonVersion.objects.exclude(aliases=[]).values_list("record_id", "aliases").iterator(
                chunk_size=10_000)
        for spelling in spellings:
            parts = surname_parts(spelling)
            for group in {part[:2] for part in parts}:
                by_length = self.spellings.setdefault(group, {})
                for part in parts:
                    by_length.setdefault(len(part), {}).setdefault(part, []).append(spelling)
        for record_id, held in aliases:
            for alias in held or []:
                if isinstance(alias, dict):
                    for part in surname_parts(alias.get("family_name")):
                        self.alias_records.setdefault(part[:2], {}).setdefault(len(part), {}).setdefault(
                            part, set()).add(record_id)
        self.built = time.monotonic()

    def surnames_like(self, surname: str) -> set[str]:
        """The spellings held with a part starting with the surname's first two letters whose
        `_surname_score` against the surname is not 0."""
        q = surname_key(surname)
        return {s for part, spellings in _matching(self.spellings.get(surname[:2], {}), q) for s in spellings}

    def alias_records_like(self, surname: str) -> set[int]:
        q = surname_key(surname)
        return {r for part, records in _matching(self.alias_records.get(surname[:2], {}), q) for r in records}


def _matching(by_length: dict[int, dict[str, object]], q: str):
    """(part, value) for the parts of a group that match q: only lengths within 3 of q's can (the
    edit distance is at least the difference in length; 3 is the most `_part_matches` allows)."""
    for length in range(max(len(q) - 3, 0), len(q) + 4):
        for part, value in by_length.get(length, {}).items():
            if _part_matches(q, part):
                yield part, value


@lru_cache(maxsize=65_536)
def _part_matches(q: str, part: str) -> bool:
    """`_surname_score(q, part) > 0` for one part (`surname_parts(part) == (part,)`) and a key q:
    the same, within 1 edit (5 letters or fewer) or 2 (longer), or sounding the same and
    within 3 (the more generous of the two when both hold)."""
    if part == q:
        return True
    if soundex(part) == soundex(q):
        limit = 3
    else:
        limit = 1 if max(len(part), len(q)) <= 5 else 2
    return abs(len(part) - len(q)) <= limit and edit_distance(part, q, limit + 1) <= limit


# The index in this process, rebuilt every INDEX_SECONDS by a thread of its own while searches
# go on with the one they have. The first is read in a thread at the process's first request
# (production: web.apps), or else in the first search; searches that find none wait for it.
_index: _SurnameIndex | None = None
_index_lock = threading.Lock()  # guards the four names here
_build_lock = threading.Lock()  # one build at a time
_generation = 0  # reset_index() adds one: an index read before is not installed
_refreshing = False
_refresh_after = 0.0  # monotonic time after which the index is read again


def _surname_index() -> _SurnameIndex:
    with _index_lock:
        index = _index
        if index is not None and time.monotonic() >= _refresh_after:
            _start_refresh()
    if index is not None:
        return index
    with _build_lock:
        with _index_lock:
            if _index is not None:
                return _index  # built meanwhile (after any reset: see _install)
            generation = _generation
        index = _SurnameIndex()
        _install(index, generation)
        return index


def warm_index() -> None:
    """Start reading the index in a thread of its own unless there is one already."""
    with _index_lock:
        if _index is None:
            _start_refresh()


def _start_refresh() -> None:
    """(_index_lock held) Read the index again in a thread, unless one is doing so already."""
    global _refreshing
    if not _refreshing:
        _refreshing = True
        threading.Thread(target=_refresh, args=(_generation, time.monotonic()), name="surname-index",
                         daemon=True).start()


def _install(index: _SurnameIndex, generation: int) -> None:
    global _index, _refresh_after
    with _index_lock:
        if generation == _generation:
            _index = index
            _refresh_after = index.built + INDEX_SECONDS


def _refresh(generation: int, asked: float) -> None:
    """Read the index (in its own thread) and put it in place of the one in use, if any."""
    global _refreshing, _refresh_after
    from django.db import connections

    try:
        with _build_lock:
            with _index_lock:
                done = _index is not None and _index.built >= asked  # a search read it meanwhile
            if not done:
                _install(_SurnameIndex(), generation)
    except Exception:
        logger.exception("The surname index could not be read; the one in use (if any) is kept")
        with _index_lock:
            _refresh_after = time.monotonic() + INDEX_SECONDS
    finally:
        with _index_lock:
            _refreshing = False
        connections.close_all()  # this thread's own


def reset_index() -> None:
    """Forget the surname index (tests load new records and search at once; erasure)."""
    global _index, _generation
    with _index_lock:
        _index = None
        _generation += 1


def edit_distance(a: str, b: str, cutoff: int | None = None) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from one to the other. With a
    cutoff, any answer of cutoff or more may be given as the cutoff (the reading stops once it
    cannot come back below it)."""
    if a == b:
        return 0
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        # A cell comes from the row above (+0 or more) or from two rows above (+1): once this row
        # and the one above are both at the cutoff or over, every later row is too.
        if cutoff is not None and min(cur) >= cutoff and min(prev) >= cutoff:
            return cutoff
        prev2, prev = prev, cur
    return prev[-1] if cutoff is None else min(prev[-1], cutoff)


def _close(a: str, b: str) -> bool:
    limit = 1 if max(len(a), len(b)) <= 5 else 2
    return edit_distance(a, b) <= limit


def _surname_score(query: str, family: str) -> int:
    """3 the same, 2 a likely misspelling (a letter or two out, or sounding the same), 0 no
    match; by the whole surname or any part of a double-barrelled one."""
    q = surname_key(query)
    parts = surname_parts(family)
    if q in parts:
        return 3
    return 2 if any(_part_matches(q, part) for part in parts) else 0


def _forename_score(query_tokens: tuple[str, ...], given: str) -> int:
    """How well the first forename typed matches any forename held: 3 the same, 2 a nickname or
    the start of it, 1 a likely misspelling, 0 none."""
    if not query_tokens:
        return 0
    q = query_tokens[0]
    best = 0
    for token in name_tokens(given):
        if token == q:
            return 3
        if canonical_forename(token) == canonical_forename(q) or (len(q) >= 2 and token.startswith(q)):
            best = max(best, 2)
        elif len(q) >= 3 and (_close(token, q) or soundex(token) == soundex(q) and token[:2] == q[:2]):
            best = max(best, 1)
    return best


# ---- results -----------------------------------------------------------------------------------

@dataclass
class PersonResult:
    brief: PersonBrief
    names: list[str] = field(default_factory=list)
    dobs: list[str] = field(default_factory=list)
    addresses: list[PlaceBrief] = field(default_factory=list)
    score: int = 0

    @property
    def id(self) -> int:
        return self.brief.id


@dataclass
class PlaceResult:
    id: int
    place: PlaceBrief
    people_now: int


@dataclass
class SearchResults:
    people: list[PersonResult]
    places: list[PlaceResult]
    more: bool


def _split_name(name: str) -> tuple[tuple[str, ...], str]:
    tokens = name_tokens(name)
    if not tokens:
        return (), ""
    if "," in name:  # "HARPER, Lily"
        family, _, given = name.partition(",")
        return name_tokens(given), surname_key(family)
    return tokens[:-1], tokens[-1]


def _by_name(user, name: str) -> dict[int, int]:
    """Person record -> score, for records the user may see whose name or alias matches."""
    forenames, surname = _split_name(name)
    index = _surname_index()
    spellings = index.surnames_like(surname)
    typed = name.partition(",")[0].strip() if "," in name else name.split()[-1]
    spellings |= {typed, typed.upper(), typed.capitalize(), typed.lower()}  # spellings newer than the index
    condition = Q(family_name__in=spellings)
    alias_records = index.alias_records_like(surname)
    if alias_records:
        condition |= Q(record_id__in=list(alias_records)[:MAX_CANDIDATES])
    fields = ("record_id", "given_names", "family_name", "aliases")
    rows = list(visible(user, counting(PersonVersion, None, condition)).values_list(*fields)[:MAX_CANDIDATES])
    if not rows and not forenames:
        # One word that is no surname held: try it as a forename.
        rows = list(visible(user, PersonVersion.objects.filter(as_of(None), given_names__istartswith=surname))
                    .values_list(*fields)[:MAX_CANDIDATES])
        forenames, surname = (surname,), ""
    hidden = masked_fields(user, "person", [r[0] for r in rows])
    scores: dict[int, int] = {}
    for record_id, given, family, aliases in rows:
        if {"given_names", "family_name"} & hidden.get(record_id, set()):
            continue  # a restricted name is not matched for users who may not see it
        held = [(given, family)] + [(a.get("given_names", ""), a.get("family_name", "")) for a in aliases or []
                                    if isinstance(a, dict) and "aliases" not in hidden.get(record_id, set())]
        best = 0
        for g, f in held:
            s_score = _surname_score(surname, f) if surname else 3
            if not s_score:
                continue
            f_score = _forename_score(forenames, g) if forenames else 2
            if forenames and not f_score:
                continue
            best = max(best, s_score + f_score)
        if best:
            scores[record_id] = best
    return scores


def _by_dob(user, dob, within: set[int] | None) -> set[int]:
    earliest, latest = dob
    qs = visible(user, PersonVersion.objects.filter(as_of(None), dob_earliest__lte=latest, dob_latest__gte=earliest))
    if within is not None:
        qs = qs.filter(record_id__in=list(within))
    hidden = masked_fields(user, "person", list(qs.values_list("record_id", flat=True)[:MAX_CANDIDATES]))
    return {r for r in qs.values_list("record_id", flat=True)[:MAX_CANDIDATES] if "dob" not in hidden.get(r, set())}


def _identifier_variants(text: str) -> set[str]:
    raw = text.strip()
    compact = re.sub(r"\s+", "", raw)
    return {raw, compact, compact.upper(), compact.lower()}


def _by_identifier(user, identifier: str) -> set[int]:
    values = list(_identifier_variants(identifier))
    condition = Q()
    for name in ("nhs", "pnc", "cro", "upn", "ni", "visor", "local"):
        condition |= Q(**{f"{name}__in": values})
    rows = visible(user, PersonVersion.objects.filter(as_of(None)).filter(condition)).values_list("record_id", flat=True)
    ids = list(rows[:MAX_CANDIDATES])
    hidden = masked_fields(user, "person", ids)
    return {r for r in ids if "identifiers" not in hidden.get(r, set())}


def _places_by_address(user, address: str) -> list[int]:
    """Location records the user may see whose postcode or address matches."""
    text = address.strip()
    compact = normalise_postcode(text)
    qs = visible(user, LocationVersion.objects.filter(as_of(None)))
    if FULL_POSTCODE.match(compact):
        qs = visible(user, counting(LocationVersion, None, Q(postcode=compact)))
    elif POSTCODE_PART.match(compact):
        qs = qs.filter(postcode__startswith=compact)
    else:
        for token in re.findall(r"[A-Za-z0-9]+", text)[:6]:
            qs = qs.filter(address__icontains=token)
    ids = list(qs.values_list("record_id", flat=True)[:MAX_ADDRESSES])
    hidden = masked_fields(user, "location", ids)
    return [r for r in ids if not {"address", "postcode"} & hidden.get(r, set())]


def search(user, *, name: str = "", dob=None, address: str = "", identifier: str = "") -> SearchResults:
    person_sets: list[set[int]] = []
    scores: dict[int, int] = {}
    person_of: dict[int, int] = {}
    if name.strip():
        scores = _by_name(user, name)
        person_of = persons_of_records(scores)
        person_sets.append(set(person_of.values()))
    if identifier.strip():
        person_sets.append(set(persons_of_records(_by_identifier(user, identifier)).values()))
    if dob:
        within = None
        if person_sets:  # the date of birth may be held by another record of the same person
            within = {r for rs in records_of_persons(set.intersection(*person_sets)).values() for r in rs}
        person_sets.append(set(persons_of_records(_by_dob(user, dob, within)).values()))
    places: list[PlaceResult] = []
    if address.strip():
        location_records = _places_by_address(user, address)
        places, at_places = _place_results(user, location_records)
        person_sets.append(at_places)
    people_ids = set.intersection(*person_sets) if person_sets else set()
    person_score: dict[int, int] = defaultdict(int)
    for record, score in scores.items():
        person_score[person_of[record]] = max(person_score[person_of[record]], score)
    # The best matches first; only those shown are read in full.
    top = sorted(people_ids, key=lambda p: (-person_score.get(p, 0), p))[:MAX_PEOPLE]
    records = records_of_persons(top)
    briefs = person_briefs(user, top, None, records=records)
    shown = sorted(briefs.values(), key=lambda b: (-person_score.get(b.id, 0), b.name, b.id))
    more = len(people_ids) > MAX_PEOPLE
    return SearchResults(people=_details(user, shown, person_score, {b.id: records[b.id] for b in shown}),
                         places=places[:MAX_PLACES], more=more)


def _place_results(user, location_records: list[int]) -> tuple[list[PlaceResult], set[int]]:
    resolved = dict(LocationMembership.objects.filter(record_id__in=location_records).values_list("record_id", "location_id"))
    all_records: dict[int, list[int]] = defaultdict(list)
    for record, place in LocationMembership.objects.filter(location_id__in=set(resolved.values())).values_list(
            "record_id", "location_id"):
        all_records[place].append(record)
    links = visible(user, counting(PersonLocationVersion, None, Q(
        location_id__in=[r for rs in all_records.values() for r in rs]))).values_list("person_id", "location_id", "to_date")
    place_of = {r: p for p, rs in all_records.items() for r in rs}
    people_at: dict[int, set[int]] = defaultdict(set)
    person_records = set()
    for person, location, to_date in links:
        if person and to_date is None:
            people_at[place_of[location]].add(person)
            person_records.add(person)
    person_of = persons_of_records(person_records)
    briefs = place_briefs(user, [r for rs in all_records.values() for r in rs])
    results = []
    for place, recs in all_records.items():
        best = best_place_label(briefs[r] for r in recs if r in briefs)
        if best:
            results.append(PlaceResult(place, best, len({person_of[p] for p in people_at[place]})))
    results.sort(key=lambda p: p.place.text)
    return results, {person_of[p] for p in person_records}


def _details(user, shown: list[PersonBrief], person_score: dict[int, int],
             records: dict[int, list[int]]) -> list[PersonResult]:
    """Enough to tell people apart: every name and date of birth held, current addresses, sources.
    `records`: each shown person's person records."""
    person_of = {r: p for p, rs in records.items() for r in rs}
    versions = visible(user, counting(PersonVersion, None, Q(record_id__in=list(person_of)))).values_list(
        "record_id", "given_names", "family_name", "aliases", "dob")
    hidden = masked_fields(user, "person", list(person_of))
    names: dict[int, list[str]] = defaultdict(list)
    dobs: dict[int, list[str]] = defaultdict(list)
    for record, given, family, aliases, dob in versions:
        masked = hidden.get(record, set())
        pid = person_of[record]
        if not {"given_names", "family_name"} & masked:
            names[pid].append(display_name(given, family))
        if "aliases" not in masked:
            names[pid] += [display_name(a.get("given_names", ""), a.get("family_name", "")) for a in aliases or []
                           if isinstance(a, dict)]
        if dob and "dob" not in masked:
            dobs[pid].append(dob_text(dob))
    links = visible(user, counting(PersonLocationVersion, None, Q(person_id__in=list(person_of))).filter(
        role__in=HOUSEHOLD_ROLES, to_date__isnull=True)).values_list("person_id", "location_id")
    homes: dict[int, set[int]] = defaultdict(set)
    for person, location in links:
        if location:
            homes[person_of[person]].add(location)
    addresses = place_briefs(user, {r for rs in homes.values() for r in rs})
    markers = markers_for(user, records)
    out = []
    for brief in shown:
        brief.markers = markers.get(brief.id, [])
        by_place: dict[int, PlaceBrief] = {}
        for record in homes.get(brief.id, ()):
            place = addresses[record]
            if place.shared:
                key = place.place_id or -record
                if key not in by_place or len(place.address) > len(by_place[key].address):
                    by_place[key] = place
        out.append(PersonResult(
            brief=brief, names=sorted(set(names[brief.id]) - {brief.name}),
            dobs=sorted(set(dobs[brief.id])), addresses=list(by_place.values()), score=person_score.get(brief.id, 0)))
    return out
