"""A strict, independent check of feed format version 1 (../shared/spec/feed.md) for the
generator's tests: kinds, fields, enumerations, date formats and references resolvable within
the file. Written from the spec, not from the generator or Safeguard's loader."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
POSTCODE_RE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$")

COMMON = {"kind", "source", "id", "recorded_at", "op"}
FIELDS = {
    "person": {"given_names", "family_name", "aliases", "dob", "sex", "identifiers", "deceased_on"},
    "location": {"address", "postcode", "uprn", "location_type"},
    "person_location": {"person", "location", "role", "from", "to"},
    "relationship": {"person", "other", "type", "from", "to"},
    "event": {"type", "at", "ends_at", "subjects", "location", "attributes"},
}
REQUIRED = {
    "person": set(),
    "location": {"address"},
    "person_location": {"person", "location", "role"},
    "relationship": {"person", "other", "type"},
    "event": {"type", "at", "subjects"},
}
SEX = {"male", "female", "other", "unknown"}
IDENTIFIERS = {"pnc", "cro", "nhs", "upn", "ni", "visor", "local"}
LOCATION_TYPES = {"dwelling", "school", "care_home", "hotel", "hostel", "business", "public_place", "other"}
PL_ROLES = {"resides", "stays", "visits", "bail_address", "notified_address", "attends", "works", "found_at"}
REL_TYPES = {"parent_of", "carer_of", "partner_of", "sibling_of", "household_member", "associate_of"}

E = "enum"
# attribute name -> (kind of value, allowed values or referenced event types)
EVENT_TYPES: dict[str, tuple[set[str], dict[str, tuple]]] = {
    "offence": (
        {"suspect", "offender", "victim", "witness"},
        {
            "category": (
                E,
                {
                    "violence",
                    "sexual",
                    "domestic_abuse",
                    "child_cruelty",
                    "exploitation",
                    "weapons",
                    "drugs_supply",
                    "other",
                },
            ),
            "outcome": (
                E,
                {"suspected", "charged", "convicted", "cautioned", "no_further_action", "acquitted"},
            ),
            "outcome_at": ("datetime",),
            "victim_is_child": ("bool",),
            "description": ("str",),
        },
    ),
    "arrest": ({"arrested"}, {"offence": ("ref", {"offence"})}),
    "bail": (
        {"bailed"},
        {
            "bail_kind": (E, {"pre_charge", "post_charge", "court"}),
            "offence": ("ref", {"offence"}),
            "expires_on": ("date",),
            "conditions": ("conditions",),
        },
    ),
    "released_under_investigation": ({"suspect"}, {"offence": ("ref", {"offence"})}),
    "order": (
        {"subject"},
        {
            "order_type": (
                E,
                {
                    "community_order",
                    "suspended_sentence",
                    "licence",
                    "shpo",
                    "sro",
                    "dvpo",
                    "non_molestation",
                    "restraining",
                },
            ),
            "starts_on": ("date",),
            "ends_on": ("date",),
            "requirements": ("strlist",),
        },
    ),
    "breach": (
        {"subject"},
        {
            "order": ("ref", {"order", "rso_registration"}),
            "bail": ("ref", {"bail"}),
            "outcome": (E, {"warning_letter", "investigated", "charged", "returned_to_court", "no_action"}),
            "description": ("str",),
        },
    ),
    "risk_assessment": (
        {"assessed"},
        {
            "tool": (E, {"arms", "dash", "dara", "rm2000", "oasys", "force"}),
            "level": (E, {"low", "standard", "medium", "high", "very_high"}),
            "score": ("number",),
            "about_child": ("personref",),
        },
    ),
    "rso_registration": (
        {"offender"},
        {
            "starts_on": ("date",),
            "ends_on": ("date_or_null",),
            "risk_level": (E, {"low", "medium", "high", "very_high"}),
            "fixed_abode": ("bool",),
        },
    ),
    "rso_notification": (
        {"offender"},
        {
            "notification_type": (
                E,
                {
                    "initial",
                    "annual",
                    "change_of_address",
                    "change_of_name",
                    "foreign_travel",
                    "child_household",
                    "weekly_no_fixed_abode",
                    "other",
                },
            ),
            "departs_at": ("datetime",),
        },
    ),
    "rso_visit": ({"offender"}, {"outcome": (E, {"seen", "not_seen", "refused"}), "announced": ("bool",)}),
    "missing_episode": (
        {"missing"},
        {
            "risk_level": (E, {"high", "medium", "low", "no_apparent_risk"}),
            "from_care": ("bool",),
            "found_location": ("locref",),
        },
    ),
    "return_home_interview": (
        {"child"},
        {
            "episode": ("ref", {"missing_episode"}),
            "offered_at": ("datetime",),
            "completed_at": ("datetime",),
            "declined": ("bool",),
        },
    ),
    "domestic_abuse_incident": (
        {"victim", "perpetrator", "child_present"},
        {"dash_score": ("int", 0, 27), "risk_level": (E, {"standard", "medium", "high"})},
    ),
    "encompass_notification": ({"child"}, {"incident": ("ref", {"domestic_abuse_incident"})}),
    "marac_referral": ({"victim"}, {"incident": ("ref", {"domestic_abuse_incident"})}),
    "referral": (
        {"child", "referrer", "subject"},
        {
            "from_agency": (E, {"police", "csc", "health", "education", "probation", "other"}),
            "to_agency": (E, {"police", "csc", "health", "education", "probation", "other"}),
            "concern": (
                E,
                {
                    "neglect",
                    "physical",
                    "sexual",
                    "emotional",
                    "exploitation",
                    "domestic_abuse",
                    "missing",
                    "other",
                },
            ),
            "decision": (
                E,
                {"none_yet", "no_further_action", "early_help", "assessment", "strategy_discussion"},
            ),
            "decided_at": ("datetime",),
        },
    ),
    "assessment": ({"child"}, {"referral": ("ref", {"referral"}), "completed_at": ("datetime",)}),
    "strategy_discussion": ({"child"}, {"outcome": (E, {"s47", "no_s47", "assess_further"})}),
    "s47_enquiry": (
        {"child"},
        {"completed_at": ("datetime",), "outcome": (E, {"substantiated", "not_substantiated", "conference"})},
    ),
    "child_protection_conference": (
        {"child"},
        {
            "conference_type": (E, {"initial", "review"}),
            "outcome": (E, {"plan", "no_plan", "plan_continues", "plan_ended"}),
        },
    ),
    "child_protection_plan": ({"child"}, {"category": (E, {"neglect", "physical", "sexual", "emotional"})}),
    "statutory_visit": ({"child"}, {"seen_alone": ("bool",)}),
    "police_protection": ({"child"}, {}),
    "online_csea_referral": (
        {"suspect", "child"},
        {
            "origin": (E, {"nca", "ceop", "ncmec", "other"}),
            "kirat_level": ("enum_or_null", {"very_high", "high", "medium", "low"}),
            "triaged_at": ("datetime",),
            "actioned_at": ("datetime",),
            "reference": ("str",),
        },
    ),
}
EXTRA_ALLOWED = {"online_csea_referral"}
CONDITION_KEYS = {"condition", "location", "address_text", "verified", "person"}
CONDITIONS = {"residence", "non_contact", "curfew", "exclusion"}


def is_date(v) -> bool:
    if not isinstance(v, str) or not DATE_RE.match(v):
        return False
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def is_partial_date(v) -> bool:
    if not isinstance(v, str):
        return False
    if re.fullmatch(r"\d{4}", v):
        return True
    if re.fullmatch(r"\d{4}-\d{2}", v):
        return 1 <= int(v[5:]) <= 12
    return is_date(v)


def parse_datetime(v) -> dt.datetime | None:
    if not isinstance(v, str) or not DATETIME_RE.match(v):
        return None
    try:
        d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.utcoffset() is not None else None


class FeedCheck:
    """Reads a feed file; ``errors`` lists every problem found."""

    def __init__(self, path):
        self.errors: list[str] = []
        self.records: dict[tuple[str, str, str], list[dict]] = defaultdict(
            list
        )  # (source, kind, id) -> versions
        self.refs: list[
            tuple[int, str, str, str, set[str] | None]
        ] = []  # (line, want kind, source, id, event types)
        self.lines = 0
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                self.lines += 1
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    self.err(n, f"not JSON: {exc}")
                    continue
                self.check(n, obj)
        self.resolve()

    def err(self, n: int, msg: str) -> None:
        if len(self.errors) < 200:
            self.errors.append(f"line {n}: {msg}")

    def ref(self, n: int, src: str, value, kind: str, types: set[str] | None = None) -> None:
        if isinstance(value, str):
            if not 1 <= len(value) <= 128:
                self.err(n, f"bad reference {value!r}")
                return
            self.refs.append((n, kind, src, value, types))
        elif isinstance(value, dict):
            if (
                set(value) != {"source", "id"}
                or not isinstance(value.get("id"), str)
                or not SOURCE_RE.match(str(value.get("source")))
            ):
                self.err(n, f"bad reference {value!r}")
                return
            self.refs.append((n, kind, value["source"], value["id"], types))
        else:
            self.err(n, f"bad reference {value!r}")

    def check(self, n: int, o: dict) -> None:
        if not isinstance(o, dict):
            return self.err(n, "not an object")
        kind = o.get("kind")
        if kind not in FIELDS:
            return self.err(n, f"unknown kind {kind!r}")
        src = o.get("source")
        if not isinstance(src, str) or not SOURCE_RE.match(src):
            return self.err(n, f"bad source {src!r}")
        rid = o.get("id")
        if not isinstance(rid, str) or not 1 <= len(rid) <= 128:
            return self.err(n, f"bad id {rid!r}")
        if parse_datetime(o.get("recorded_at")) is None:
            self.err(n, f"recorded_at {o.get('recorded_at')!r} is not a date-time with an offset")
        if o.get("op", "upsert") not in ("upsert", "delete"):
            self.err(n, f"bad op {o.get('op')!r}")
        unknown = set(o) - COMMON - FIELDS[kind]
        if unknown:
            self.err(n, f"unknown fields {sorted(unknown)}")
        missing = REQUIRED[kind] - set(o)
        if missing and o.get("op") != "delete":
            self.err(n, f"{kind} missing {sorted(missing)}")
        self.records[(src, kind, rid)].append(o)
        getattr(self, "_" + kind)(n, src, o)

    def _person(self, n, src, o):
        if not o.get("given_names") and not o.get("family_name"):
            self.err(n, "person has neither given_names nor family_name")
        for f in ("given_names", "family_name"):
            if f in o and not isinstance(o[f], str):
                self.err(n, f"{f} not a string")
        if "dob" in o and o["dob"] is not None and not is_partial_date(o["dob"]):
            self.err(n, f"dob {o['dob']!r} is not a date")
        if "sex" in o and o["sex"] not in SEX:
            self.err(n, f"sex {o['sex']!r}")
        ids = o.get("identifiers", {})
        if (
            not isinstance(ids, dict)
            or set(ids) - IDENTIFIERS
            or not all(isinstance(v, str) for v in ids.values())
        ):
            self.err(n, f"identifiers {ids!r}")
        for a in o.get("aliases", []):
            if not isinstance(a, dict) or set(a) - {"given_names", "family_name"} or not a:
                self.err(n, f"alias {a!r}")
        if "deceased_on" in o and not is_date(o["deceased_on"]):
            self.err(n, "deceased_on not a date")

    def _location(self, n, src, o):
        if not isinstance(o.get("address"), str) or not o["address"]:
            self.err(n, "address missing")
        if "postcode" in o and not isinstance(o["postcode"], str):
            self.err(n, "postcode not a string")
        if "uprn" in o and not (isinstance(o["uprn"], str) and o["uprn"].isdigit()):
            self.err(n, f"uprn {o['uprn']!r}")
        if "location_type" in o and o["location_type"] not in LOCATION_TYPES:
            self.err(n, f"location_type {o['location_type']!r}")

    def _person_location(self, n, src, o):
        self.ref(n, src, o.get("person"), "person")
        self.ref(n, src, o.get("location"), "location")
        if o.get("role") not in PL_ROLES:
            self.err(n, f"role {o.get('role')!r}")
        if "from" in o and not is_date(o["from"]):
            self.err(n, f"from {o['from']!r}")
        if "to" in o and o["to"] is not None and not is_date(o["to"]):
            self.err(n, f"to {o['to']!r}")
        if is_date(o.get("from")) and is_date(o.get("to")) and o["to"] < o["from"]:
            self.err(n, "to before from")

    def _relationship(self, n, src, o):
        self.ref(n, src, o.get("person"), "person")
        self.ref(n, src, o.get("other"), "person")
        if o.get("type") not in REL_TYPES:
            self.err(n, f"type {o.get('type')!r}")
        for f in ("from", "to"):
            if f in o and o[f] is not None and not is_date(o[f]):
                self.err(n, f"{f} {o[f]!r}")

    def _event(self, n, src, o):
        t = o.get("type")
        if t not in EVENT_TYPES:
            return self.err(n, f"event type {t!r}")
        roles, attrs = EVENT_TYPES[t]
        if parse_datetime(o.get("at")) is None:
            self.err(n, f"at {o.get('at')!r}")
        if "ends_at" in o and o["ends_at"] is not None and parse_datetime(o["ends_at"]) is None:
            self.err(n, f"ends_at {o['ends_at']!r}")
        subs = o.get("subjects")
        if not isinstance(subs, list):
            self.err(n, "subjects not a list")
            subs = []
        for s in subs:
            if not isinstance(s, dict) or set(s) != {"person", "role"}:
                self.err(n, f"subject {s!r}")
                continue
            if s["role"] not in roles:
                self.err(n, f"{t}: role {s['role']!r}")
            self.ref(n, src, s["person"], "person")
        if "location" in o:
            self.ref(n, src, o["location"], "location")
        a = o.get("attributes", {})
        if not isinstance(a, dict):
            return self.err(n, "attributes not an object")
        for k, v in a.items():
            spec = attrs.get(k)
            if spec is None:
                if t not in EXTRA_ALLOWED:
                    self.err(n, f"{t}: unknown attribute {k!r}")
                continue
            self._attr(n, src, t, k, v, spec)

    def _attr(self, n, src, t, k, v, spec):
        what = spec[0]
        bad = False
        if what == E:
            bad = v not in spec[1]
        elif what == "enum_or_null":
            bad = v is not None and v not in spec[1]
        elif what == "datetime":
            bad = parse_datetime(v) is None
        elif what == "date":
            bad = not is_date(v)
        elif what == "date_or_null":
            bad = v is not None and not is_date(v)
        elif what == "bool":
            bad = not isinstance(v, bool)
        elif what == "str":
            bad = not isinstance(v, str)
        elif what == "strlist":
            bad = not isinstance(v, list) or not all(isinstance(x, str) for x in v)
        elif what == "number":
            bad = isinstance(v, bool) or not isinstance(v, int | float)
        elif what == "int":
            bad = isinstance(v, bool) or not isinstance(v, int) or not spec[1] <= v <= spec[2]
        elif what == "ref":
            self.ref(n, src, v, "event", spec[1])
        elif what == "personref":
            self.ref(n, src, v, "person")
        elif what == "locref":
            self.ref(n, src, v, "location")
        elif what == "conditions":
            if not isinstance(v, list):
                bad = True
            else:
                for c in v:
                    if (
                        not isinstance(c, dict)
                        or set(c) - CONDITION_KEYS
                        or c.get("condition") not in CONDITIONS
                    ):
                        self.err(n, f"bail condition {c!r}")
                        continue
                    if c.get("location") is not None:
                        self.ref(n, src, c["location"], "location")
                    if "person" in c:
                        self.ref(n, src, c["person"], "person")
                    if "verified" in c and not isinstance(c["verified"], bool):
                        self.err(n, "verified not a bool")
                    if "address_text" in c and not isinstance(c["address_text"], str):
                        self.err(n, "address_text not a string")
        if bad:
            self.err(n, f"{t}: {k} = {v!r}")

    def resolve(self) -> None:
        for key, versions in self.records.items():
            stamps = defaultdict(list)
            for v in versions:
                stamps[v["recorded_at"]].append(v)
            for ts, same in stamps.items():
                if len(same) > 1 and any(x != same[0] for x in same):
                    self.errors.append(f"{key}: two different versions recorded at {ts}")
            if key[1] == "event" and len({v.get("type") for v in versions}) > 1:
                self.errors.append(f"{key}: versions of different event types")
        for n, kind, src, rid, types in self.refs:
            versions = self.records.get((src, kind, rid))
            if not versions:
                self.err(n, f"reference to {kind} {src}/{rid} does not resolve")
            elif types is not None and versions[0].get("type") not in types:
                self.err(n, f"reference {src}/{rid} is a {versions[0].get('type')}, wanted {sorted(types)}")
