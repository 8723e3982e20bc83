"""Feed format version 1 (shared/spec/feed.md): parse one line into a checked record or say,
in words a person can act on, what is wrong with it.

Nothing here touches the database: the loader turns parsed records into rows in bulk.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("person", "location", "person_location", "relationship", "event")
SOURCE_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
DOB_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})?$")
UPRN_RE = re.compile(r"\d{1,12}")
IDENTIFIER_TYPES = ("pnc", "cro", "nhs", "upn", "ni", "visor", "local")
SEXES = ("male", "female", "other", "unknown")
LOCATION_TYPES = ("dwelling", "school", "care_home", "hotel", "hostel", "business", "public_place", "other")
LINK_ROLES = ("resides", "stays", "visits", "bail_address", "notified_address", "attends", "works", "found_at")
RELATIONSHIP_TYPES = ("parent_of", "carer_of", "partner_of", "sibling_of", "household_member", "associate_of")
COMMON = frozenset({"kind", "source", "id", "recorded_at", "op"})
# The fields each kind allows, built once (not per line).
PERSON_FIELDS = COMMON | {"given_names", "family_name", "aliases", "dob", "sex", "identifiers", "deceased_on"}
ALIAS_FIELDS = frozenset({"given_names", "family_name"})
LOCATION_FIELDS = COMMON | {"address", "postcode", "uprn", "location_type"}
PERSON_LOCATION_FIELDS = COMMON | {"person", "location", "role", "from", "to"}
RELATIONSHIP_FIELDS = COMMON | {"person", "other", "type", "from", "to"}
EVENT_FIELDS = COMMON | {"type", "at", "ends_at", "subjects", "location", "attributes"}
SUBJECT_FIELDS = frozenset({"person", "role"})


class FeedError(ValueError):
    """What is wrong with one line, phrased for the person who has to fix it."""


@dataclass(frozen=True)
class Ref:
    source: str
    kind: str
    id: str


@dataclass
class Parsed:
    """One checked line. `fields` holds the typed columns for the kind's version table;
    `refs` the references (column or attribute name -> target); `subjects` (person, role)."""

    kind: str
    source: str
    id: str
    recorded_at: dt.datetime
    deleted: bool
    content_hash: str
    payload: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    refs: list[tuple[str, Ref]] = field(default_factory=list)
    subjects: list[tuple[Ref, str]] = field(default_factory=list)

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.source, self.kind, self.id)


# ---- value checks ---------------------------------------------------------------------------

def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _string(value: Any, name: str, *, max_len: int = 1000, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise FeedError(f"{name} must be a string, not {_show(value)}")
    if not empty and not value.strip():
        raise FeedError(f"{name} is empty")
    if len(value) > max_len:
        raise FeedError(f"{name} is longer than {max_len} characters")
    return value


def parse_date(value: Any, name: str) -> dt.date:
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise FeedError(f"{name} {_show(value)} is not a date: write YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FeedError(f"{name} {_show(value)} is not a date") from None


def parse_datetime(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str) or "T" not in value:
        raise FeedError(f"{name} {_show(value)} is not a date-time: write e.g. 2026-10-02T22:00:00+00:00")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FeedError(f"{name} {_show(value)} is not a date-time") from None
    if moment.utcoffset() is None:
        raise FeedError(f"{name} {_show(value)} has no offset: add +00:00, Z or the local offset")
    return moment.astimezone(dt.UTC)


def parse_dob(value: Any) -> tuple[str, dt.date | None, dt.date | None]:
    """A full or partial date of birth -> (as sent, earliest day, latest day) it can mean."""
    if value is None:
        return "", None, None
    if not isinstance(value, str) or not DOB_RE.fullmatch(value):
        raise FeedError(f"dob {_show(value)} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
    parts = [int(p) for p in value.split("-")]
    try:
        if len(parts) == 3:
            day = dt.date(*parts)
            return value, day, day
        if len(parts) == 2:
            year, month = parts
            last = calendar.monthrange(year, month)[1]
            return value, dt.date(year, month, 1), dt.date(year, month, last)
        return value, dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    except ValueError:
        raise FeedError(f"dob {_show(value)} is not a date") from None


def normalise_postcode(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def _postcode(value: Any) -> str:
    text = normalise_postcode(_string(value, "postcode", max_len=12))
    if not POSTCODE_RE.match(text):
        raise FeedError(f"postcode {_show(value)} is not a UK postcode")
    return text


def is_full_postcode(normalised: str) -> bool:
    match = POSTCODE_RE.match(normalised)
    return bool(match and match.group(2))


def is_specific(address: str, postcode: str, uprn: str) -> bool:
    """A UPRN, or a number in the address and a full postcode (feed.md, "location")."""
    return bool(uprn) or (bool(re.search(r"\d", address)) and is_full_postcode(postcode))


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise FeedError(f"{name} must be true or false, not {_show(value)}")
    return value


def _enum(values: tuple[str, ...]) -> Callable[[Any, str], str]:
    def check(value: Any, name: str) -> str:
        if value not in values:
            raise FeedError(f"{name} {_show(value)} is not one of: {', '.join(values)}")
        return value

    return check


def _nullable(check: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    def wrapped(value: Any, name: str) -> Any:
        return None if value is None else check(value, name)

    return wrapped


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FeedError(f"{name} must be a number, not {_show(value)}")
    return value


def _int_range(low: int, high: int) -> Callable[[Any, str], int]:
    def check(value: Any, name: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FeedError(f"{name} must be a whole number from {low} to {high}, not {_show(value)}")
        return value

    return check


def _text(value: Any, name: str) -> str:
    return _string(value, name, max_len=10000, empty=True)


def _strings(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FeedError(f"{name} must be a list of strings")
    return value


def parse_ref(value: Any, name: str, source: str, kind: str) -> Ref:
    if isinstance(value, str):
        if not 1 <= len(value) <= 128:
            raise FeedError(f"{name} must be an id of 1 to 128 characters")
        return Ref(source, kind, value)
    if isinstance(value, dict):
        extra = set(value) - {"source", "id"}
        if extra:
            raise FeedError(f"{name} has unknown field {sorted(extra)[0]!r}: a reference has only source and id")
        ref_source, ref_id = value.get("source"), value.get("id")
        if not isinstance(ref_source, str) or not SOURCE_RE.fullmatch(ref_source):
            raise FeedError(f"{name}.source {_show(ref_source)} is not a source name")
        if not isinstance(ref_id, str) or not 1 <= len(ref_id) <= 128:
            raise FeedError(f"{name}.id must be an id of 1 to 128 characters")
        return Ref(ref_source, kind, ref_id)
    raise FeedError(f"{name} must be an id or {{\"source\": ..., \"id\": ...}}, not {_show(value)}")


def _closed(obj: dict, allowed: set[str] | frozenset[str], where: str) -> None:
    if allowed.issuperset(obj):  # the usual case, checked without building sets
        return
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise FeedError(f"unknown field {unknown[0]!r}{where}: allowed are {', '.join(sorted(allowed))}")


# ---- event types ---------------------------------------------------------------------------

OFFENCE_CATEGORIES = ("violence", "sexual", "domestic_abuse", "child_cruelty", "exploitation", "weapons",
                      "drugs_supply", "other")
OFFENCE_OUTCOMES = ("suspected", "charged", "convicted", "cautioned", "no_further_action", "acquitted")
AGENCIES = ("police", "csc", "health", "education", "probation", "other")
CONCERNS = ("neglect", "physical", "sexual", "emotional", "exploitation", "domestic_abuse", "missing", "other")
EVENT_REF = "event"
Check = Callable[[Any, str], Any]


@dataclass(frozen=True)
class EventType:
    roles: tuple[str, ...]
    attributes: dict[str, Check | tuple[str, str]]  # a check, or ("ref", kind)
    extra_allowed: bool = False


def _ref(kind: str) -> tuple[str, str]:
    return ("ref", kind)


EVENT_TYPES: dict[str, EventType] = {
    "offence": EventType(("suspect", "offender", "victim", "witness"), {
        "category": _enum(OFFENCE_CATEGORIES), "outcome": _enum(OFFENCE_OUTCOMES),
        "outcome_at": parse_datetime, "victim_is_child": _bool, "description": _text}),
    "arrest": EventType(("arrested",), {"offence": _ref(EVENT_REF)}),
    "bail": EventType(("bailed",), {
        "bail_kind": _enum(("pre_charge", "post_charge", "court")), "offence": _ref(EVENT_REF),
        "expires_on": parse_date, "conditions": ("conditions", "")}),
    "released_under_investigation": EventType(("suspect",), {"offence": _ref(EVENT_REF)}),
    "order": EventType(("subject",), {
        "order_type": _enum(("community_order", "suspended_sentence", "licence", "shpo", "sro", "dvpo",
                             "non_molestation", "restraining")),
        "starts_on": parse_date, "ends_on": parse_date, "requirements": _strings}),
    "breach": EventType(("subject",), {
        "order": _ref(EVENT_REF), "bail": _ref(EVENT_REF),
        "outcome": _enum(("warning_letter", "investigated", "charged", "returned_to_court", "no_action")),
        "description": _text}),
    "risk_assessment": EventType(("assessed",), {
        "tool": _enum(("arms", "dash", "dara", "rm2000", "oasys", "force")),
        "level": _enum(("low", "standard", "medium", "high", "very_high")), "score": _number,
        "about_child": _ref("person")}),
    "rso_registration": EventType(("offender",), {
        "starts_on": parse_date, "ends_on": _nullable(parse_date),
        "risk_level": _enum(("low", "medium", "high", "very_high")), "fixed_abode": _bool}),
    "rso_notification": EventType(("offender",), {
        "notification_type": _enum(("initial", "annual", "change_of_address", "change_of_name", "foreign_travel",
                                    "child_household", "weekly_no_fixed_abode", "other")),
        "departs_at": parse_datetime}),
    "rso_visit": EventType(("offender",), {"outcome": _enum(("seen", "not_seen", "refused")), "announced": _bool}),
    "missing_episode": EventType(("missing",), {
        "risk_level": _enum(("high", "medium", "low", "no_apparent_risk")), "from_care": _bool,
        "found_location": _ref("location")}),
    "return_home_interview": EventType(("child",), {
        "episode": _ref(EVENT_REF), "offered_at": parse_datetime, "completed_at": parse_datetime,
        "declined": _bool}),
    "domestic_abuse_incident": EventType(("victim", "perpetrator", "child_present"), {
        "dash_score": _int_range(0, 27), "risk_level": _enum(("standard", "medium", "high"))}),
    "encompass_notification": EventType(("child",), {"incident": _ref(EVENT_REF)}),
    "marac_referral": EventType(("victim",), {"incident": _ref(EVENT_REF)}),
    "referral": EventType(("child", "referrer", "subject"), {
        "from_agency": _enum(AGENCIES), "to_agency": _enum(AGENCIES), "concern": _enum(CONCERNS),
        "decision": _enum(("none_yet", "no_further_action", "early_help", "assessment", "strategy_discussion")),
        "decided_at": parse_datetime}),
    "assessment": EventType(("child",), {"referral": _ref(EVENT_REF), "completed_at": parse_datetime}),
    "strategy_discussion": EventType(("child",), {"outcome": _enum(("s47", "no_s47", "assess_further"))}),
    "s47_enquiry": EventType(("child",), {
        "completed_at": parse_datetime, "outcome": _enum(("substantiated", "not_substantiated", "conference"))}),
    "child_protection_conference": EventType(("child",), {
        "conference_type": _enum(("initial", "review")),
        "outcome": _enum(("plan", "no_plan", "plan_continues", "plan_ended"))}),
    "child_protection_plan": EventType(("child",), {
        "category": _enum(("neglect", "physical", "sexual", "emotional"))}),
    "statutory_visit": EventType(("child",), {"seen_alone": _bool}),
    "police_protection": EventType(("child",), {}),
    "online_csea_referral": EventType(("suspect", "child"), {
        "origin": _enum(("nca", "ceop", "ncmec", "other")),
        "kirat_level": _nullable(_enum(("very_high", "high", "medium", "low"))),
        "triaged_at": parse_datetime, "actioned_at": parse_datetime, "reference": _text}, extra_allowed=True),
}
CONDITION_FIELDS = {"condition", "location", "address_text", "verified", "person"}
CONDITIONS = ("residence", "non_contact", "curfew", "exclusion")


# ---- kinds ---------------------------------------------------------------------------------

def _person(rec: dict, out: Parsed) -> None:
    _closed(rec, PERSON_FIELDS, "")
    given = _string(rec["given_names"], "given_names", max_len=200, empty=True) if rec.get("given_names") is not None else ""
    family = _string(rec["family_name"], "family_name", max_len=200, empty=True) if rec.get("family_name") is not None else ""
    if not given.strip() and not family.strip():
        raise FeedError("a person needs given_names or family_name")
    aliases = rec.get("aliases", [])
    if not isinstance(aliases, list):
        raise FeedError("aliases must be a list of {given_names, family_name}")
    for i, alias in enumerate(aliases):
        if not isinstance(alias, dict):
            raise FeedError(f"aliases[{i}] must be an object with given_names and family_name")
        _closed(alias, ALIAS_FIELDS, f" in aliases[{i}]")
        for key in ("given_names", "family_name"):
            if alias.get(key) is not None:
                _string(alias[key], f"aliases[{i}].{key}", max_len=200, empty=True)
    dob, earliest, latest = parse_dob(rec.get("dob"))
    sex = _enum(SEXES)(rec.get("sex", "unknown"), "sex")
    identifiers = rec.get("identifiers", {})
    if not isinstance(identifiers, dict):
        raise FeedError("identifiers must be an object such as {\"nhs\": \"9434765919\"}")
    for key, value in identifiers.items():
        if key not in IDENTIFIER_TYPES:
            raise FeedError(f"identifier {key!r} is not one of: {', '.join(IDENTIFIER_TYPES)}")
        _string(value, f"identifiers.{key}", max_len=128 if key == "local" else 40)
    deceased = parse_date(rec["deceased_on"], "deceased_on") if rec.get("deceased_on") is not None else None
    out.fields.update(
        given_names=given.strip(), family_name=family.strip(), aliases=aliases, dob=dob, dob_earliest=earliest,
        dob_latest=latest, sex=sex, deceased_on=deceased,
        **{key: identifiers.get(key, "").strip() for key in IDENTIFIER_TYPES},
    )


def _location(rec: dict, out: Parsed) -> None:
    _closed(rec, LOCATION_FIELDS, "")
    if "address" not in rec:
        raise FeedError("a location needs an address (one line, as recorded)")
    address = _string(rec["address"], "address", max_len=500)
    postcode = _postcode(rec["postcode"]) if rec.get("postcode") is not None else ""
    uprn = ""
    if rec.get("uprn") is not None:
        uprn = _string(rec["uprn"], "uprn", max_len=12)
        if not UPRN_RE.fullmatch(uprn):
            raise FeedError(f"uprn {_show(rec['uprn'])} must be digits only (1 to 12)")
    location_type = _enum(LOCATION_TYPES)(rec.get("location_type", "dwelling"), "location_type")
    out.fields.update(address=address.strip(), postcode=postcode, uprn=uprn, location_type=location_type,
                      specific=is_specific(address, postcode, uprn))


def _dates(rec: dict, out: Parsed) -> None:
    start = parse_date(rec["from"], "from") if rec.get("from") is not None else None
    end = parse_date(rec["to"], "to") if rec.get("to") is not None else None
    if start and end and end < start:
        raise FeedError(f"to {rec['to']} is before from {rec['from']}")
    out.fields.update(from_date=start, to_date=end)


def _required_ref(rec: dict, name: str, kind: str, out: Parsed) -> None:
    if rec.get(name) is None:
        raise FeedError(f"{name} is required: the {kind} this link is about")
    out.refs.append((name, parse_ref(rec[name], name, out.source, kind)))


def _person_location(rec: dict, out: Parsed) -> None:
    _closed(rec, PERSON_LOCATION_FIELDS, "")
    _required_ref(rec, "person", "person", out)
    _required_ref(rec, "location", "location", out)
    out.fields["role"] = _enum(LINK_ROLES)(rec.get("role"), "role")
    _dates(rec, out)


def _relationship(rec: dict, out: Parsed) -> None:
    _closed(rec, RELATIONSHIP_FIELDS, "")
    _required_ref(rec, "person", "person", out)
    _required_ref(rec, "other", "person", out)
    out.fields["type"] = _enum(RELATIONSHIP_TYPES)(rec.get("type"), "type")
    _dates(rec, out)


def _conditions(value: Any, out: Parsed) -> None:
    if not isinstance(value, list):
        raise FeedError("attributes.conditions must be a list of conditions")
    for i, cond in enumerate(value):
        where = f"attributes.conditions[{i}]"
        if not isinstance(cond, dict):
            raise FeedError(f"{where} must be an object")
        _closed(cond, CONDITION_FIELDS, f" in {where}")
        _enum(CONDITIONS)(cond.get("condition"), f"{where}.condition")
        if cond.get("location") is not None:
            out.refs.append((f"condition.{i}.location", parse_ref(cond["location"], f"{where}.location", out.source, "location")))
        if cond.get("person") is not None:
            out.refs.append((f"condition.{i}.person", parse_ref(cond["person"], f"{where}.person", out.source, "person")))
        if cond.get("address_text") is not None:
            _text(cond["address_text"], f"{where}.address_text")
        if cond.get("verified") is not None:
            _bool(cond["verified"], f"{where}.verified")


def _event(rec: dict, out: Parsed) -> None:
    _closed(rec, EVENT_FIELDS, "")
    etype = rec.get("type")
    spec = EVENT_TYPES.get(etype) if isinstance(etype, str) else None
    if spec is None:
        raise FeedError(f"event type {_show(etype)} is not one of the feed's event types (feed.md, \"event\")")
    if rec.get("at") is None:
        raise FeedError("at is required: when the event happened or began")
    at = parse_datetime(rec["at"], "at")
    ends_at = parse_datetime(rec["ends_at"], "ends_at") if rec.get("ends_at") is not None else None
    if ends_at is not None and ends_at < at:
        raise FeedError(f"ends_at {rec['ends_at']} is before at {rec['at']}")
    subjects = rec.get("subjects", [])
    if not isinstance(subjects, list):
        raise FeedError("subjects must be a list of {\"person\": ..., \"role\": ...}")
    for i, subject in enumerate(subjects):
        if not isinstance(subject, dict):
            raise FeedError(f"subjects[{i}] must be an object with person and role")
        _closed(subject, SUBJECT_FIELDS, f" in subjects[{i}]")
        if subject.get("person") is None:
            raise FeedError(f"subjects[{i}].person is required")
        person = parse_ref(subject["person"], f"subjects[{i}].person", out.source, "person")
        role = subject.get("role")
        if role not in spec.roles:
            raise FeedError(f"subjects[{i}].role {_show(role)} is not a role of a {etype} event: "
                            f"use {', '.join(spec.roles)}")
        out.subjects.append((person, role))
    if rec.get("location") is not None:
        out.refs.append(("location", parse_ref(rec["location"], "location", out.source, "location")))
    attributes = rec.get("attributes", {})
    if not isinstance(attributes, dict):
        raise FeedError("attributes must be an object")
    for name, value in attributes.items():
        check = spec.attributes.get(name)
        if check is None:
            if spec.extra_allowed:
                continue
            allowed = ", ".join(spec.attributes) or "none"
            raise FeedError(f"unknown attribute {name!r} for a {etype} event: allowed are {allowed}")
        if check == ("conditions", ""):
            _conditions(value, out)
        elif isinstance(check, tuple):
            out.refs.append((name, parse_ref(value, f"attributes.{name}", out.source, check[1])))
        else:
            check(value, f"attributes.{name}")
    out.fields.update(type=etype, at=at, ends_at=ends_at, attributes=attributes)


KIND_PARSERS: dict[str, Callable[[dict, Parsed], None]] = {
    "person": _person, "location": _location, "person_location": _person_location,
    "relationship": _relationship, "event": _event,
}


def identity_of(rec: Any) -> str:
    """As much of a line's identity as can be read, for error messages."""
    if not isinstance(rec, dict):
        return ""
    kind, source, rid = rec.get("kind"), rec.get("source"), rec.get("id")
    parts = [str(kind) if isinstance(kind, str) else "record"]
    if isinstance(source, str) or isinstance(rid, str):
        parts.append(f"{source if isinstance(source, str) else '?'}/{rid if isinstance(rid, str) else '?'}")
    return " ".join(parts)


# One encoder for every line: json.dumps with non-default options would build a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(rec: dict) -> str:
    """What a version says, apart from when it was recorded: canonical JSON, hashed."""
    content = rec.copy()
    content.pop("recorded_at", None)
    return hashlib.blake2b(_CANONICAL.encode(content).encode(), digest_size=16).hexdigest()


def parse_record(rec: Any) -> Parsed:
    """Check one decoded JSON value against the feed format; raise FeedError if it is not valid."""
    if not isinstance(rec, dict):
        raise FeedError("each line must be a JSON object")
    kind = rec.get("kind")
    if kind not in KINDS:
        raise FeedError(f"kind {_show(kind)} is not one of: {', '.join(KINDS)}")
    source = rec.get("source")
    if not isinstance(source, str) or not SOURCE_RE.fullmatch(source):
        raise FeedError(f"source {_show(source)} must be lower-case letters, digits and hyphens, up to 40")
    rid = rec.get("id")
    if not isinstance(rid, str) or not 1 <= len(rid) <= 128:
        raise FeedError(f"id {_show(rid)} must be a string of 1 to 128 characters")
    if "recorded_at" not in rec:
        raise FeedError("recorded_at is required: when the source knew this version")
    recorded_at = parse_datetime(rec["recorded_at"], "recorded_at")
    op = rec.get("op", "upsert")
    if op not in ("upsert", "delete"):
        raise FeedError(f"op {_show(op)} must be upsert or delete")
    parsed = Parsed(kind=kind, source=source, id=rid, recorded_at=recorded_at, deleted=op == "delete",
                    content_hash=content_hash(rec), payload=rec)
    if op == "upsert":
        KIND_PARSERS[kind](rec, parsed)
    return parsed


def parse_line(text: str) -> Parsed:
    try:
        rec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    return parse_record(rec)
