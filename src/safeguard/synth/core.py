"""The chunk recorder: true people and places, the source records that describe them (with the
errors each agency makes), and the indexes the ground truth is derived from.

A chunk is a few thousand true people. Everything in a chunk is generated from one
``random.Random`` seeded from (seed, chunk number), so chunks can be made in any order or in
parallel and the output is the same.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field

from . import names as N
from . import places as PL
from . import timeutil as T

SOURCES = ("police", "csc", "health", "education", "probation", "visor")
KIND_ORDER = {"location": 0, "person": 1, "person_location": 2, "relationship": 3, "event": 4}
# how each source writes date-times
SOURCE_CLOCK = {
    "police": T.fmt_london,
    "csc": T.fmt_utc,
    "health": T.fmt_z,
    "education": T.fmt_london,
    "probation": T.fmt_utc,
    "visor": T.fmt_london,
}
ADDRESS_STYLE = {
    "police": "messy",
    "csc": "clerk",
    "health": "clerk",
    "education": "clean",
    "probation": "clerk",
    "visor": "clean",
}
UPRN_RATE = {"police": 0.25, "csc": 0.6, "health": 0.0, "education": 0.3, "probation": 0.15, "visor": 0.5}
ID_PREFIX = {
    ("police", "person"): "P",
    ("police", "location"): "PL",
    ("police", "person_location"): "PPL",
    ("police", "relationship"): "PR",
    ("csc", "person"): "C",
    ("csc", "location"): "CL",
    ("csc", "person_location"): "CPL",
    ("csc", "relationship"): "CR",
    ("health", "person"): "H",
    ("health", "location"): "HL",
    ("health", "person_location"): "HPL",
    ("health", "relationship"): "HR",
    ("education", "person"): "E",
    ("education", "location"): "EL",
    ("education", "person_location"): "EPL",
    ("education", "relationship"): "ER",
    ("probation", "person"): "X",
    ("probation", "location"): "XL",
    ("probation", "person_location"): "XPL",
    ("probation", "relationship"): "XR",
    ("visor", "person"): "V",
    ("visor", "location"): "VL",
    ("visor", "person_location"): "VPL",
    ("visor", "relationship"): "VR",
}
EVENT_PREFIX = {
    "offence": "CRM",
    "arrest": "ARR",
    "bail": "BL",
    "released_under_investigation": "RUI",
    "order": "ORD",
    "breach": "BR",
    "risk_assessment": "RA",
    "rso_registration": "REG",
    "rso_notification": "NOT",
    "rso_visit": "VIS",
    "missing_episode": "MP",
    "return_home_interview": "RHI",
    "domestic_abuse_incident": "DA",
    "encompass_notification": "ENC",
    "marac_referral": "MRC",
    "referral": "REF",
    "assessment": "ASMT",
    "strategy_discussion": "SD",
    "s47_enquiry": "S47",
    "child_protection_conference": "CPC",
    "child_protection_plan": "CPP",
    "statutory_visit": "SV",
    "police_protection": "PP",
    "online_csea_referral": "OCSEA",
}

_FULL_POSTCODE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}$")


def is_specific(loc: dict) -> bool:
    """feed.md: a location with a UPRN, or a number in its address and a full postcode."""
    if loc.get("uprn"):
        return True
    pc = (loc.get("postcode") or "").strip()
    return any(c.isdigit() for c in loc.get("address", "")) and bool(_FULL_POSTCODE.match(pc))


_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class Person:
    __slots__ = (
        "tid",
        "sex",
        "first",
        "middles",
        "surnames",
        "dob",
        "nhs",
        "pnc",
        "cro",
        "upn",
        "visor",
        "res",
        "traps",
        "nick",
        "hh",
        "recs",
        "flags",
        "partner_of",
        "children",
        "parents",
        "offender",
        "dead",
    )

    def __init__(self, tid: str, sex: str, first: str, middles: list[str], surname: str, dob: int):
        self.tid = tid
        self.sex = sex
        self.first = first
        self.middles = middles
        self.surnames: list[tuple[int, str]] = [(-T.INF, surname)]  # (from moment, surname)
        self.dob = dob
        self.nhs: str | None = None
        self.pnc: str | None = None
        self.cro: str | None = None
        self.upn: str | None = None
        self.visor: str | None = None
        self.res: list[list] = []  # [place, from_day, to_day | None, role]
        self.traps: list[str] = []
        self.nick: str | None = None
        self.hh = None
        self.recs: dict[str, list[str]] = {}  # source -> record ids (first is the main one)
        self.flags: set[str] = set()
        self.partner_of: list[tuple[Person, int, int | None]] = []
        self.children: list[Person] = []
        self.parents: list[Person] = []
        self.offender = 0
        self.dead = None

    def surname_at(self, ts: int) -> str:
        name = self.surnames[0][1]
        for t, s in self.surnames:
            if t <= ts:
                name = s
        return name

    def age_days(self, day: int) -> int:
        return day - self.dob

    def is_child_on(self, day: int) -> bool:
        return day < T.add_months_day(self.dob, 216) and day >= self.dob

    def eighteen_ts(self) -> int:
        return T.london_midnight(T.add_months_day(self.dob, 216))

    def place_on(self, day: int):
        for place, f, t, _role in self.res:
            if f <= day and (t is None or day <= t):
                return place
        return None

    def res_on(self, day: int):
        for r in self.res:
            if r[1] <= day and (r[2] is None or day <= r[2]):
                return r
        return None


@dataclass(slots=True)
class Place:
    pid: str
    kind: str  # dwelling, school, care_home, hostel, hotel, public_place, vague
    addr: PL.Address | None = None
    name: str = ""  # non-dwelling name line
    town: int = 0
    postcode: str | None = None
    uprn: str | None = None
    recs: dict = field(default_factory=dict)  # source -> location record id


@dataclass(slots=True)
class LinkRec:
    """A person_location record, indexed by true person and place, for the ground truth."""

    tid: str
    pid: str
    role: str
    source: str
    id: str
    from_day: int | None
    to_day: int | None
    first_rec: int
    closed_rec: int | None = None  # recorded_at of the version that set `to`

    @property
    def start(self) -> int:
        s = self.first_rec
        if self.from_day is not None:
            s = max(s, T.london_midnight(self.from_day))
        return s

    @property
    def end(self) -> int:
        if self.to_day is None:
            return T.INF
        to_end = T.end_of_day(self.to_day)
        if self.closed_rec is None:
            return to_end
        return max(self.closed_rec, to_end)


class Event:
    """An event record being built; ``emit`` writes the current state as a version."""

    __slots__ = ("source", "id", "type", "at", "ends_at", "subjects", "location", "attrs", "versions")

    def __init__(self, source, id_, type_, at, subjects, location=None, attrs=None, ends_at=False):
        self.source = source
        self.id = id_
        self.type = type_
        self.at = at
        self.ends_at = ends_at  # False: field absent; None: null
        self.subjects = subjects  # [(ref, role)]
        self.location = location
        self.attrs = attrs or {}
        self.versions: list[int] = []


class Chunk:
    def __init__(
        self, seed: int, index: int, people: int, start_day: int, end_day: int, cfg: dict, shared: dict
    ):
        self.seed = seed
        self.index = index
        self.target = people
        self.rng = random.Random(seed * 1_000_003 + index * 7919 + 17)
        self.start_day = start_day
        self.end_day = end_day
        self.start_ts = T.london_midnight(start_day)
        self.end_ts = T.london_time(end_day, 23 * 3600 + 59 * 60)  # nothing is recorded after this
        self.cfg = cfg
        self.shared = shared
        self.base = index * 1_000_000
        self.counters: dict[tuple[str, str], int] = {}
        self.n_lines: Counter = Counter()
        self.n_distinct: Counter = Counter()
        self.n_types: Counter = Counter()
        self.ids_seen: set[tuple[str, str, str]] = set()
        self.lines: list[tuple[int, int, int, str]] = []  # (kind order, recorded ts, seq, json)
        self.seq = 0
        self.people: list[Person] = []
        self.pcount = 0
        self.places: dict[str, Place] = {}
        self.dwelling_pool: list[int] = []
        self.person_recs: dict[tuple[str, str], dict] = {}  # (source, id) -> pending person record
        self.truth_rows: list[tuple[str, str, str, str, str]] = []
        self.situations: list[dict] = []
        # indexes for the ground truth
        self.links: list[LinkRec] = []
        self.links_by_pid: dict[str, list[LinkRec]] = {}
        self.links_by_tid: dict[str, list[LinkRec]] = {}
        self.markers: dict[str, list[tuple[int, int, str, tuple]]] = {}  # tid -> (start, end, kind, evidence)
        self.ra_times: dict[str, list[int]] = {}  # tid -> recorded moments of risk assessments of them
        self.sd_times: dict[str, list[int]] = {}  # child tid -> recorded moments of strategy discussions
        self.active_cj: dict[
            str, list[tuple[int, int, int, tuple]]
        ] = {}  # tid -> (from, to, recorded, evidence) orders/bail
        self.cj_triggers: dict[
            str, list[tuple[int, int, tuple]]
        ] = {}  # tid -> (at, recorded, evidence) offences/breaches
        self.partner_links: list[
            tuple[str, str, int, int, tuple]
        ] = []  # (adult tid, parent tid, start, end, evidence)
        self.notified: dict[
            tuple[str, str], list[tuple[int, str]]
        ] = {}  # (tid, pid) -> [(recorded, notification_type)]
        self.registrations: dict[str, list[tuple[int, int, tuple]]] = {}  # tid -> (start, end, evidence)
        self.plans: dict[str, list[tuple[int, int, tuple]]] = {}  # child tid -> (start, end, evidence)
        self.da_incidents: list[dict] = []
        self.found: list[dict] = []  # missing episodes with a found location
        self.referral_queue: list[dict] = []
        self.rsos: list[Person] = []
        self.exploiters: list[Person] = []
        self._link_objs: dict[str, dict] = {}
        self._rel_objs: dict[str, dict] = {}
        self.loc_recs: dict[str, list] = {}  # location id -> [first use, record]
        self.shared_men: list[Person] = []
        self.new_partners: list[tuple] = []
        self.care: list[tuple] = []
        self.care_ends: dict[str, int] = {}
        self.cur_link: dict[tuple[str, str], LinkRec] = {}
        self.offence_plans: dict[str, list] = {}
        self.encompass: dict[tuple[str, str], int] = {}
        self.school_of: dict[str, list] = {}
        self.probation_known: set[str] = set()
        self.victim_incidents: dict[str, list[int]] = {}
        self.related: set[tuple[str, str]] = set()
        self.rso_nfa: dict[str, tuple[int, int]] = {}
        self.rso_notes: dict[str, list[int]] = {}
        self.residents: dict[str, list[Person]] = {}
        self.care_spans: dict[str, tuple[int, int]] = {}
        self.repeat_open: dict[str, dict] = {}
        self.risky_pids: set[str] = set()
        self.bails: dict[str, list[dict]] = {}

    # --- ids and output ------------------------------------------------------------------

    def new_id(self, source: str, kind: str, prefix: str | None = None) -> str:
        key = (source, kind)
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        if prefix is None:
            prefix = ID_PREFIX[key]
        return f"{prefix}{self.base + n}"

    def new_tid(self) -> str:
        self.pcount += 1
        return f"T{self.index:04d}-{self.pcount:05d}"

    def out(self, kind: str, rec_ts: int, obj: dict) -> None:
        if rec_ts > self.end_ts:
            raise ValueError(f"recorded after the end: {obj}")
        self.seq += 1
        self.lines.append((KIND_ORDER[kind], rec_ts, self.seq, _dumps(obj)))
        self.n_lines[kind] += 1
        key = (obj["source"], kind, obj["id"])
        if key not in self.ids_seen:
            self.ids_seen.add(key)
            self.n_distinct[f"{key[0]}/{kind}"] += 1
            if kind == "event":
                self.n_types[obj["type"]] += 1

    def fmt(self, source: str, ts: int) -> str:
        return SOURCE_CLOCK[source](ts)

    @staticmethod
    def ref(from_source: str, target: tuple[str, str]):
        src, rid = target
        return rid if src == from_source else {"source": src, "id": rid}

    def clamp(self, ts: int) -> int:
        return min(ts, self.end_ts)

    def when(self, ts: int) -> bool:
        """Whether a moment is inside the recorded history (at or before the end)."""
        return ts <= self.end_ts

    # --- random helpers ------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def hours(self, lo: float, hi: float) -> int:
        return int(self.rng.uniform(lo, hi) * 3600)

    def daytime(self, day: int, lo: int = 9, hi: int = 17) -> int:
        return T.london_time(day, self.rng.randrange(lo * 3600, hi * 3600, 60))

    def workday_time(self, day: int, lo: int = 9, hi: int = 17) -> int:
        return self.daytime(T.working_day_on_or_after(day), lo, hi)

    def index_residents(self) -> None:
        self.residents = {}
        for p in self.people:
            seen = set()
            for r in p.res:
                if r[0].pid not in seen:
                    seen.add(r[0].pid)
                    self.residents.setdefault(r[0].pid, []).append(p)

    def people_at(self, place: Place, day: int) -> list[Person]:
        return [
            p
            for p in self.residents.get(place.pid, ())
            if any(r[0] is place and r[1] <= day and (r[2] is None or day <= r[2]) for r in p.res)
        ]

    # --- places --------------------------------------------------------------------------

    def new_dwelling(self) -> Place:
        if not self.dwelling_pool:
            per = self.cfg["dwellings_per_chunk"]
            pool = list(range(self.index * per, (self.index + 1) * per))
            self.rng.shuffle(pool)
            self.dwelling_pool = pool
        d = self.dwelling_pool.pop()
        addr = PL.dwelling_address(d)
        place = Place(
            f"D{d}", "dwelling", addr, town=addr.street.town, postcode=addr.postcode, uprn=addr.uprn
        )
        self.places[place.pid] = place
        return place

    def special_place(self, pid: str, kind: str, name: str, town: int) -> Place:
        p = self.places.get(pid)
        if p is None:
            addr = self.new_dwelling().addr  # borrow a street address for it
            del self.places[f"D{addr.dwelling}"]
            p = Place(pid, kind, addr, name=name, town=town, postcode=addr.postcode, uprn=addr.uprn)
            self.places[pid] = p
        return p

    def vague_place(self, source: str, town: int) -> Place:
        text = self.rng.choice(PL.VAGUE_AREAS).format(town=PL.TOWNS[town][0])
        pid = f"NS-{source}-{self.base + self.seq}"
        p = Place(pid, "vague", None, name=text, town=town)
        self.places[pid] = p
        return p

    def loc(self, source: str, place: Place, ts: int, careful: bool = False) -> str:
        """The source's location record for a place, known from the earliest ``ts`` it is used at
        (written by ``flush_locations``). ``careful``: a second record written with care (full
        address, postcode and UPRN), as when an address is checked."""
        key = source + "#checked" if careful else source
        rid = place.recs.get(key)
        if rid is not None:
            pending = self.loc_recs[rid]
            if ts < pending[0]:
                pending[0] = ts
            return rid
        rid = self.new_id(source, "location")
        rng = self.rng
        obj = {"kind": "location", "source": source, "id": rid, "recorded_at": ""}
        if place.kind == "vague":
            obj["address"] = place.name
            obj["location_type"] = "other" if rng.random() < 0.5 else "dwelling"
            if "NFA" not in place.name and "fixed" not in place.name and rng.random() < 0.3:
                obj["postcode"] = PL.TOWNS[place.town][1][0]  # a district only: not a full postcode
        else:
            line, pc = PL.format_address(place.addr, rng, "clean" if careful else ADDRESS_STYLE[source])
            if place.kind != "dwelling":
                line = f"{place.name}, {line}"
                obj["location_type"] = place.kind
            elif rng.random() < 0.3:
                obj["location_type"] = "dwelling"
            obj["address"] = line
            if pc:
                obj["postcode"] = pc
            if (
                careful
                or rng.random() < UPRN_RATE[source]
                or (place.kind != "dwelling" and source == "education")
            ):
                obj["uprn"] = place.uprn
        self.loc_recs[rid] = [ts, obj]
        place.recs[key] = rid
        self.truth_rows.append((source, "location", rid, place.pid, ""))
        return rid

    def checked_loc(self, source: str, place: Place, ts: int) -> str:
        """A location record fit for a verified address: the source's own if it is specific
        (feed.md: a UPRN, or a number and a full postcode), else one written with care."""
        rid = self.loc(source, place, ts)
        if is_specific(self.loc_recs[rid][1]):
            return rid
        return self.loc(source, place, ts, careful=True)

    def flush_locations(self) -> None:
        for ts, obj in self.loc_recs.values():
            obj["recorded_at"] = self.fmt(obj["source"], ts)
            self.out("location", ts, obj)
        self.loc_recs = {}

    # --- persons -------------------------------------------------------------------------

    def know(self, p: Person, source: str, ts: int, hint: str = "", dup: float = 0.0) -> str:
        """The id of ``source``'s record of person ``p``, creating it (known from ``ts``) if new.

        ``hint``: ``partner`` (recorded second-hand: nickname, partial date of birth, no ids).
        ``dup``: chance that this contact creates a second record of the same person in the source.
        """
        ids = p.recs.get(source)
        if ids:
            if dup and self.rng.random() < dup:
                rid = self._new_person_rec(p, source, ts, hint, duplicate=True)
                ids.append(rid)
                return rid
            rid = ids[-1] if len(ids) > 1 and self.rng.random() < 0.5 else ids[0]
            rec = self.person_recs[(source, rid)]
            if ts < rec["_ts"]:
                rec["_ts"] = ts
            return rid
        rid = self._new_person_rec(p, source, ts, hint)
        p.recs[source] = [rid]
        return rid

    def rec_of(self, p: Person, source: str) -> tuple[str, str] | None:
        ids = p.recs.get(source)
        return (source, ids[0]) if ids else None

    def _new_person_rec(self, p: Person, source: str, ts: int, hint: str, duplicate: bool = False) -> str:
        rid = self.new_id(source, "person")
        rec = {"_p": p, "_ts": ts, "_hint": hint, "_src": source, "_id": rid}
        self.person_recs[(source, rid)] = rec
        traps = list(p.traps)
        if duplicate:
            traps.append("duplicate_in_source")
        self.truth_rows.append((source, "person", rid, p.tid, ";".join(traps)))
        return rid

    def _name_variant(self, p: Person, source: str, hint: str, ts: int) -> dict:
        rng = self.rng
        r = rng.random
        first = p.first
        child = p.is_child_on(T.london_day(ts))
        nick_rate = {
            "health": 0.08,
            "csc": 0.07,
            "education": 0.06,
            "police": 0.02,
            "probation": 0.01,
            "visor": 0.0,
        }[source]
        if hint == "partner":
            nick_rate = 0.6
        if p.nick and r() < nick_rate:
            first = p.nick
        elif first in N.NICKNAMES and r() < nick_rate * 0.5:
            first = rng.choice(N.NICKNAMES[first])
        if first in N.SPELLINGS and r() < (0.06 if child else 0.03):
            first = rng.choice(N.SPELLINGS[first])
        if r() < 0.012:
            first = typo(rng, first)
        mid_rate = {
            "police": 0.85,
            "probation": 0.8,
            "visor": 0.9,
            "csc": 0.45,
            "health": 0.4,
            "education": 0.7,
        }[source]
        if hint == "partner":
            mid_rate = 0.05
        given = first
        if p.middles and r() < mid_rate:
            mids = p.middles if r() < 0.85 else p.middles[:1]
            if r() < 0.05:
                mids = [m[0] for m in mids]  # initials
            given = " ".join([first, *mids])
        surname = p.surname_at(ts)
        if "-" in surname:
            x = r()
            if x < 0.15:
                surname = surname.replace("-", " ")
            elif x < 0.3:
                surname = surname.split("-")[rng.randrange(2)]
        if r() < 0.012:
            surname = typo(rng, surname)
        if source == "police" and r() < 0.75:
            surname = surname.upper()
        elif r() < 0.03:
            surname = surname.upper()
        obj = {"given_names": given, "family_name": surname}
        if r() < 0.004:
            del obj["given_names"]  # only a surname known
        return obj

    def _dob_variant(self, p: Person, source: str, hint: str) -> str | None:
        rng = self.rng
        x = rng.random()
        d = T.fmt_day(p.dob)
        if hint == "partner":
            if x < 0.18:
                return None
            if x < 0.38:
                return d[:4]
            if x < 0.48:
                return d[:7]
            x = (x - 0.48) / 0.52
        if x < 0.004:
            return None
        if x < 0.012:
            return d[:4]
        if x < 0.018:
            return d[:7]
        y, m, dd = d.split("-")
        if x < 0.032 and int(dd) <= 12 and dd != m:
            return f"{y}-{dd}-{m}"  # day and month swapped
        if x < 0.040:
            day = int(dd) + rng.choice([-1, 1])
            if 1 <= day <= 28:
                return f"{y}-{m}-{day:02d}"
        if x < 0.045 and (m, dd) != ("02", "29"):
            return f"{int(y) + rng.choice([-1, 1])}-{m}-{dd}"  # a year out
        return d

    def _person_obj(self, rec: dict, ts: int, version_name_ts: int | None = None) -> dict:
        p: Person = rec["_p"]
        source = rec["_src"]
        hint = rec["_hint"]
        rng = self.rng
        obj = {"kind": "person", "source": source, "id": rec["_id"], "recorded_at": self.fmt(source, ts)}
        obj.update(
            self._name_variant(p, source, hint, version_name_ts if version_name_ts is not None else ts)
        )
        obj["dob"] = self._dob_variant(p, source, hint)
        if rng.random() < 0.96:
            obj["sex"] = p.sex if rng.random() < 0.99 else "unknown"
        ids = {}
        child = p.is_child_on(T.london_day(ts))
        if p.nhs:
            rate = {
                "health": 0.97 if hint != "partner" else 0.05,
                "csc": 0.65 if child else 0.3,
                "education": 0.35,
                "police": 0.02,
                "probation": 0.05,
                "visor": 0.0,
            }[source]
            if rng.random() < rate:
                ids["nhs"] = p.nhs
        if (
            p.pnc
            and source in ("police", "probation", "visor")
            and rng.random() < {"police": 0.95, "probation": 0.9, "visor": 0.9}[source]
        ):
            ids["pnc"] = p.pnc
            if p.cro and rng.random() < 0.3:
                ids["cro"] = p.cro
        if p.upn and source == "education" and rng.random() < 0.97:
            ids["upn"] = p.upn
        if p.visor and source == "visor":
            ids["visor"] = p.visor
        if source == "probation":
            ids["local"] = "CRN" + rec["_id"][1:]
        if ids:
            obj["identifiers"] = ids
        if source in ("police", "probation", "visor") and p.offender >= 2 and rng.random() < 0.25:
            alias = {
                "given_names": p.nick or (N.NICKNAMES.get(p.first, [p.first])[0]),
                "family_name": p.surname_at(ts),
            }
            if len(p.surnames) > 1:
                alias["family_name"] = p.surnames[0][1]
            obj["aliases"] = [alias]
        if p.dead is not None and p.dead <= T.london_day(ts):
            obj["deceased_on"] = T.fmt_day(p.dead)
        return obj

    def flush_persons(self) -> None:
        """Write every person record (first version at the moment the source first knew the person,
        and a new version after a change of surname that the source learns of)."""
        rng = self.rng
        for (_source, _rid), rec in self.person_recs.items():
            p: Person = rec["_p"]
            ts = rec["_ts"]
            obj = self._person_obj(rec, ts)
            self.out("person", ts, obj)
            for change_ts, _new in p.surnames[1:]:
                if change_ts > ts and rng.random() < 0.7:
                    vts = change_ts + int(rng.uniform(3, 120) * T.DAY)
                    if vts <= self.end_ts:
                        v2 = dict(obj)
                        v2["recorded_at"] = self.fmt(rec["_src"], vts)
                        v2["family_name"] = (
                            p.surname_at(vts)
                            if obj["family_name"] != obj["family_name"].upper()
                            else p.surname_at(vts).upper()
                        )
                        old = {
                            "given_names": obj.get("given_names", p.first),
                            "family_name": obj["family_name"],
                        }
                        v2["aliases"] = [*obj.get("aliases", []), old]
                        self.out("person", vts, v2)
                        obj = v2

    # --- links, relationships, events ----------------------------------------------------

    def link(
        self,
        source: str,
        p: Person,
        place: Place,
        role: str,
        rec_ts: int,
        from_day: int | None = None,
        to_day: int | None = None,
        loc_ts: int | None = None,
    ) -> LinkRec:
        pid_rec = self.know(p, source, rec_ts)
        lid = self.loc(source, place, loc_ts if loc_ts is not None else rec_ts)
        rid = self.new_id(source, "person_location")
        obj = {
            "kind": "person_location",
            "source": source,
            "id": rid,
            "recorded_at": self.fmt(source, rec_ts),
            "person": pid_rec,
            "location": lid,
            "role": role,
        }
        if from_day is not None:
            obj["from"] = T.fmt_day(from_day)
        if to_day is not None:
            obj["to"] = T.fmt_day(to_day)
        self.out("person_location", rec_ts, obj)
        lr = LinkRec(p.tid, place.pid, role, source, rid, from_day, to_day, rec_ts)
        self.links.append(lr)
        self.links_by_pid.setdefault(place.pid, []).append(lr)
        self.links_by_tid.setdefault(p.tid, []).append(lr)
        self._link_objs[rid] = obj
        return lr

    def close_link(self, lr: LinkRec, to_day: int, rec_ts: int) -> None:
        rec_ts = max(rec_ts, lr.first_rec + 60)
        if rec_ts > self.end_ts:
            return
        obj = dict(self._link_objs[lr.id])
        obj["recorded_at"] = self.fmt(lr.source, rec_ts)
        obj["to"] = T.fmt_day(to_day)
        self.out("person_location", rec_ts, obj)
        lr.to_day = to_day
        lr.closed_rec = rec_ts

    def relate(
        self,
        source: str,
        a: Person,
        b: Person,
        rtype: str,
        rec_ts: int,
        from_day: int | None = None,
        to_day: int | None = None,
        hint_a: str = "",
    ) -> tuple[str, str]:
        ida = self.know(a, source, rec_ts, hint_a)
        idb = self.know(b, source, rec_ts)
        rid = self.new_id(source, "relationship")
        obj = {
            "kind": "relationship",
            "source": source,
            "id": rid,
            "recorded_at": self.fmt(source, rec_ts),
            "person": ida,
            "other": idb,
            "type": rtype,
        }
        if from_day is not None:
            obj["from"] = T.fmt_day(from_day)
        if to_day is not None:
            obj["to"] = T.fmt_day(to_day)
        self.out("relationship", rec_ts, obj)
        self._rel_objs[rid] = obj
        if rtype == "partner_of":
            ev = {"source": source, "kind": "relationship", "id": rid}
            start = rec_ts if from_day is None else max(rec_ts, T.london_midnight(from_day))
            end = T.INF if to_day is None else max(rec_ts, T.end_of_day(to_day))
            self.partner_links.append((a.tid, b.tid, start, end, ev))
            self.partner_links.append((b.tid, a.tid, start, end, ev))
        return (source, rid)

    def close_rel(self, rel: tuple[str, str], to_day: int, rec_ts: int) -> None:
        """A new version of a relationship that has ended."""
        if rec_ts > self.end_ts:
            return
        obj = dict(self._rel_objs[rel[1]], recorded_at=self.fmt(rel[0], rec_ts), to=T.fmt_day(to_day))
        self.out("relationship", rec_ts, obj)
        end = max(rec_ts, T.end_of_day(to_day))
        for i, pl in enumerate(self.partner_links):
            if pl[4]["id"] == rel[1] and pl[4]["source"] == rel[0]:
                self.partner_links[i] = (pl[0], pl[1], pl[2], min(pl[3], end), pl[4])

    def event(
        self,
        source: str,
        etype: str,
        at: int,
        subjects: list,
        attrs: dict | None = None,
        location=None,
        ends_at=False,
    ) -> Event:
        rid = self.new_id(source, "event", EVENT_PREFIX[etype])
        return Event(source, rid, etype, at, subjects, location, attrs, ends_at)

    def emit(self, ev: Event, rec_ts: int) -> int:
        """Write the event's current state as a version recorded at ``rec_ts``."""
        src = ev.source
        fmt = SOURCE_CLOCK[src]
        obj = {
            "kind": "event",
            "source": src,
            "id": ev.id,
            "recorded_at": fmt(rec_ts),
            "type": ev.type,
            "at": fmt(ev.at),
        }
        if ev.ends_at is not False:
            obj["ends_at"] = None if ev.ends_at is None else fmt(ev.ends_at)
        obj["subjects"] = [{"person": self.ref(src, r), "role": role} for r, role in ev.subjects]
        if ev.location is not None:
            obj["location"] = self.ref(src, ev.location)
        if ev.attrs:
            a = {}
            for k, v in ev.attrs.items():
                if v is _ABSENT:
                    continue
                if isinstance(v, Moment):
                    v = fmt(v.ts)
                elif isinstance(v, Ref):
                    v = self.ref(src, v.target)
                elif k == "conditions":
                    v = [self._condition(src, c) for c in v]
                a[k] = v
            obj["attributes"] = a
        self.out("event", rec_ts, obj)
        ev.versions.append(rec_ts)
        return rec_ts

    def _condition(self, src: str, c: dict) -> dict:
        out = {}
        for k, v in c.items():
            out[k] = self.ref(src, v.target) if isinstance(v, Ref) else v
        return out

    def evidence(self, ev: Event) -> dict:
        return {"source": ev.source, "kind": "event", "id": ev.id}

    def situation(
        self,
        rule: str,
        subjects: list[tuple[Person, str]],
        evidence: list[dict],
        true_at: int,
        due_at: int | None,
        key: str,
        pattern: str = "",
        satisfied_by: tuple | None = None,
        acted_at: int | None = None,
        extra: dict | None = None,
    ) -> dict:
        s = {
            "rule": rule,
            "key": key,
            "subjects": [{"person": p.tid, "role": r} for p, r in subjects],
            "evidence": evidence,
            "true_at": true_at,
            "due_at": due_at,
            "acted_at": acted_at,
            "pattern": pattern,
            "_sat": satisfied_by,
        }
        if extra:
            s.update(extra)
        self.situations.append(s)
        return s

    def add_marker(self, p: Person, start: int, end: int, kind: str, evidence: dict) -> None:
        if end > start:
            self.markers.setdefault(p.tid, []).append((start, end, kind, evidence))


class Moment:
    __slots__ = ("ts",)

    def __init__(self, ts: int):
        self.ts = ts


class Ref:
    __slots__ = ("target",)

    def __init__(self, target: tuple[str, str]):
        self.target = target


_ABSENT = object()
ABSENT = _ABSENT

_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def typo(rng: random.Random, s: str) -> str:
    """One keying error: a dropped, doubled, swapped or wrong letter."""
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    k = rng.randrange(4)
    if k == 0:
        return s[:i] + s[i + 1 :]
    if k == 1:
        return s[:i] + s[i] + s[i:]
    if k == 2:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    c = rng.choice(_KEYS)
    return s[:i] + (c.upper() if s[i].isupper() else c) + s[i + 1 :]


def nhs_number(n: int) -> str:
    """A 10-digit NHS number with a valid modulus 11 check digit, in the 9xx test range."""
    while True:
        base = f"9{n % 100_000_000:08d}"
        total = sum(int(c) * (10 - i) for i, c in enumerate(base))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return base + str(check)
        n += 1


def pnc_id(year: int, n: int) -> str:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    return f"{year % 100:02d}/{n % 10_000_000:07d}{letters[n % 23]}"
