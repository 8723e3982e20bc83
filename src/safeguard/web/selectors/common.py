"""Facts several pages show about people and places, read in bulk through the access layer.

Every function takes the requesting `user` and a `moment` (None: now). Only record versions the
user may see, and that counted at the moment, are read; restricted fields come back masked,
with the record named so that the page can offer to reveal them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from safeguard.access.masking import MASK, masked_fields
from safeguard.access.policy import visible
from safeguard.core.calendar import end_of_day, london_date, months_after, start_of_day
from safeguard.core.clock import now
from safeguard.core.db import among
from safeguard.linkage.models import LocationMembership, PersonMembership
from safeguard.records.models import EventSubject, LocationVersion, PersonVersion
from safeguard.records.selectors import as_of
from safeguard.rules.catalogue.common import MARKER_ORDERS, VIOLENT_CATEGORIES

from ..words import source_label, words

PERSON_MASKABLE = ("given_names", "family_name", "aliases", "dob", "sex", "identifiers")
LOCATION_MASKABLE = ("address", "postcode", "uprn")


def counts_at(moment: dt.datetime | None, recorded_at: dt.datetime, valid_to: dt.datetime | None, deleted: bool) -> bool:
    """Whether a version counts at the moment: records.selectors.as_of, for rows already read
    (tests/web/test_counting.py proves the two agree)."""
    if deleted:
        return False
    if moment is None:
        return valid_to is None
    return recorded_at <= moment and (valid_to is None or valid_to > moment)


def counting(model, moment: dt.datetime | None, where: Q) -> QuerySet:
    """The versions counting at the moment among those `where` picks out by an indexed column
    (record, person, location, family name).

    On PostgreSQL, one query with as_of's conditions. Asked so, SQLite's planner starts from the
    valid_to index (it counts NULLs as distinct, so "valid_to IS NULL" looks selective while it
    matches nearly every row) and reads the whole table; there the versions are found by `where`
    alone, judged here, and the counting ones returned by primary key (`counting_in_two_steps`).
    The second step's list of keys is what made a search for a common surname slow on
    PostgreSQL (24,000 versions of one spelling at force scale, each a query parameter)."""
    if connection.vendor == "sqlite":
        return counting_in_two_steps(model, moment, where)
    return model.objects.filter(where).filter(as_of(moment))


def counting_in_two_steps(model, moment: dt.datetime | None, where: Q) -> QuerySet:
    rows = model.objects.filter(where).values_list("pk", "recorded_at", "valid_to", "deleted")
    return model.objects.filter(pk__in=[pk for pk, *version in rows if counts_at(moment, *version)])


def counting_event_ids(moment: dt.datetime | None, where: Q) -> list[int]:
    """Ids of the event versions counting at the moment among those with a subject `where` picks."""
    rows = EventSubject.objects.filter(where).values_list(
        "version_id", "version__recorded_at", "version__valid_to", "version__deleted")
    return sorted({pk for pk, *version in rows if counts_at(moment, *version)})


def moment_or_now(moment: dt.datetime | None) -> dt.datetime:
    return moment if moment is not None else now()


def display_name(given: str, family: str) -> str:
    return " ".join(part for part in ((given or "").strip(), (family or "").strip().upper()) if part)


def dob_text(dob: str) -> str:
    """`1990-03-11` -> `11 Mar 1990`; `2011-04` -> `Apr 2011`; `2011` -> `2011`."""
    if not dob:
        return ""
    try:
        if len(dob) == 10:
            return dt.date.fromisoformat(dob).strftime("%-d %b %Y")
        if len(dob) == 7:
            return dt.date.fromisoformat(dob + "-01").strftime("%b %Y")
    except ValueError:
        return dob
    return dob


def _years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_range(earliest: dt.date | None, latest: dt.date | None, on: dt.date) -> tuple[int, int] | None:
    if earliest is None or latest is None:
        return None
    return max(_years(latest, on), 0), max(_years(earliest, on), 0)


def age_text(earliest: dt.date | None, latest: dt.date | None, on: dt.date) -> str:
    ages = age_range(earliest, latest, on)
    if ages is None:
        return ""
    low, high = ages
    return str(low) if low == high else f"{low} or {high}" if high == low + 1 else f"{low} to {high}"


@dataclass
class Marker:
    """Something a practitioner must know about a person at a glance, with where it comes from.
    `kind`: "risk" (a risk marker in the rules' sense), "child" (a safeguarding fact about a
    child: on a plan, missing) or "status" (on bail, on an order)."""

    kind: str
    label: str
    source: str
    ext_id: str
    record_id: int
    at: dt.datetime | None
    sexual: bool = False

    @property
    def source_label(self) -> str:
        return source_label(self.source)


@dataclass
class PersonBrief:
    id: int
    name: str
    dob: str = ""
    age: str = ""
    is_child: bool = False
    sex: str = ""
    sources: list[str] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    masked_records: list[int] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        """Linkage has placed the person (a negative id is a record it has not placed)."""
        return self.id > 0

    @property
    def risk_markers(self) -> list[Marker]:
        return [m for m in self.markers if m.kind == "risk"]

    @property
    def child_flags(self) -> list[Marker]:
        return [m for m in self.markers if m.kind == "child"]

    @property
    def status_flags(self) -> list[Marker]:
        return [m for m in self.markers if m.kind == "status"]

    @property
    def risk(self) -> str:
        """For colour coding: "risk", "child" or "none"."""
        if self.risk_markers:
            return "risk"
        return "child" if self.is_child else "none"

    @property
    def source_labels(self) -> list[str]:
        return [source_label(s) for s in self.sources]


def records_of_persons(person_ids: Iterable[int]) -> dict[int, list[int]]:
    """Resolved person -> their person records (negative ids: the one unplaced record). One query
    on PostgreSQL however many people (core.db.among)."""
    ids = set(person_ids)
    out: dict[int, list[int]] = defaultdict(list)
    for part in among(PersonMembership.objects.all(), "person_id", [p for p in ids if p > 0]):
        for record_id, person_id in part.values_list("record_id", "person_id"):
            out[person_id].append(record_id)
    for p in ids:
        if p < 0:
            out[p].append(-p)
    return dict(out)


def persons_of_records(record_ids: Iterable[int]) -> dict[int, int]:
    """Person record -> resolved person (the negated record id when linkage has not placed it).
    One query on PostgreSQL however many records (a common surname's search: up to 3,000)."""
    ids = set(record_ids)
    out = {r: -r for r in ids}
    for part in among(PersonMembership.objects.all(), "record_id", [r for r in ids if r is not None]):
        out.update(part.values_list("record_id", "person_id"))
    return out


def locations_of_records(record_ids: Iterable[int]) -> dict[int, int]:
    """Location record -> resolved location (None when linkage has not placed it)."""
    out: dict[int, int] = {}
    for part in among(LocationMembership.objects.all(), "record_id", {r for r in record_ids if r is not None}):
        out.update(part.values_list("record_id", "location_id"))
    return out


def person_briefs(user, person_ids: Iterable[int], moment: dt.datetime | None = None, *,
                  with_markers: bool = False, records: dict[int, list[int]] | None = None) -> dict[int, PersonBrief]:
    """Name, date of birth, age and sources of each person the user may see as of the moment.
    People the user sees none of the records of are left out. `records`: each person's person
    records, when the caller has read them already."""
    records = records_of_persons(person_ids) if records is None else records
    person_of = {r: p for p, rs in records.items() for r in rs}
    if not person_of:
        return {}
    rows = list(visible(user, counting(PersonVersion, moment, Q(record_id__in=list(person_of)))).values_list(
        "record_id", "record__source__code", "given_names", "family_name", "dob", "dob_earliest", "dob_latest", "sex"))
    hidden = masked_fields(user, "person", [r[0] for r in rows])
    on = london_date(moment_or_now(moment))
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[person_of[row[0]]].append(row)
    out: dict[int, PersonBrief] = {}
    for person_id, versions in grouped.items():
        masked = [v[0] for v in versions if hidden.get(v[0])]
        named = [v for v in versions if not {"given_names", "family_name"} & hidden.get(v[0], set())]
        dated = [v for v in versions if "dob" not in hidden.get(v[0], set()) and v[4]]
        if named:
            # The name most sources agree on; among equals the fullest ("Daniel James" over "Dan").
            held = Counter(display_name(v[2], v[3]) for v in named)
            name = max(held, key=lambda n: (held[n], len(n), n))
        else:
            name = "Name restricted"
        brief = PersonBrief(id=person_id, name=name or "No name recorded", sources=sorted({v[1] for v in versions}),
                            masked_records=masked)
        if dated:
            dobs = Counter(v[4] for v in dated if len(v[4]) == 10) or Counter(v[4] for v in dated)
            best = dobs.most_common(1)[0][0]
            brief.dob = dob_text(best)
            chosen = next(v for v in dated if v[4] == best)
            brief.age = age_text(chosen[5], chosen[6], on)
            ages = age_range(chosen[5], chosen[6], on)
            brief.is_child = ages is not None and ages[0] < 18
        sexes = {v[7] for v in versions if v[7] and v[7] != "unknown" and "sex" not in hidden.get(v[0], set())}
        brief.sex = sexes.pop() if len(sexes) == 1 else ""
        out[person_id] = brief
    if with_markers:
        found = markers_for(user, {p: records[p] for p in out}, moment)
        for person_id, brief in out.items():
            brief.markers = found.get(person_id, [])
    return out


MARKER_EVENT_TYPES = ("offence", "domestic_abuse_incident", "rso_registration", "order", "online_csea_referral",
                      "child_protection_plan", "missing_episode", "police_protection", "bail")


ORDER_NAMES = {"shpo": "Sexual harm prevention order", "sro": "Sexual risk order",
               "dvpo": "Domestic violence protection order", "non_molestation": "Non-molestation order",
               "restraining": "Restraining order"}
ORDER_STATUS = {"community_order": "On a community order", "suspended_sentence": "On a suspended sentence",
                "licence": "On licence"}


def _marker_months() -> int:
    from safeguard.alerts.models import Partnership
    from safeguard.rules.settings import RuleSettings

    partnership = Partnership.objects.order_by("pk").first()
    return RuleSettings.with_overrides(partnership.settings if partnership else None).risk_marker_months


def _date(value) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _active(at: dt.datetime | None, attrs: dict, moment: dt.datetime, start_attr: str = "starts_on",
            end_attr: str = "ends_on") -> bool:
    start_day, end_day = _date(attrs.get(start_attr)), _date(attrs.get(end_attr))
    start = start_of_day(start_day) if start_day else at
    end = end_of_day(end_day) if end_day else None
    return (start is None or start <= moment) and (end is None or moment < end)


def _marker_of(etype: str, role: str, at, ends_at, attrs: dict, moment: dt.datetime, months: int) -> tuple[str, str, bool] | None:
    """(kind, label, sexual) when this event makes a marker of the person in this role at the
    moment. The risk markers follow the rules' definition (rules.md, "Risk marker")."""
    attrs = attrs or {}
    recent = at is not None and at <= moment < months_after(at, months)
    year = f" ({at.year})" if at else ""
    if etype == "offence" and role in ("suspect", "offender"):
        category, outcome = attrs.get("category"), attrs.get("outcome")
        if category in VIOLENT_CATEGORIES and (outcome in ("convicted", "cautioned")
                                               or (outcome in ("charged", "suspected") and recent)):
            return "risk", f"{words(category).capitalize()} offence, {words(outcome)}{year}", category == "sexual"
    elif etype == "domestic_abuse_incident" and role == "perpetrator" and recent:
        return "risk", f"Domestic abuse perpetrator{year}", False
    elif etype == "rso_registration" and role == "offender" and _active(at, attrs, moment):
        level = f", {words(attrs.get('risk_level'))} risk" if attrs.get("risk_level") else ""
        return "risk", f"Registered sex offender{level}", True
    elif etype == "order" and role == "subject" and _active(at, attrs, moment):
        order_type = attrs.get("order_type") or ""
        if order_type in MARKER_ORDERS:
            return "risk", ORDER_NAMES.get(order_type, f"{words(order_type).capitalize()} order"), order_type in ("shpo", "sro")
        return "status", ORDER_STATUS.get(order_type, "On a court order"), False
    elif etype == "online_csea_referral" and role == "suspect" and recent:
        return "risk", f"Suspect in an online child sexual abuse referral{year}", True
    elif etype == "child_protection_plan" and role == "child" and at and at <= moment and (ends_at is None or moment < ends_at):
        category = f" ({words(attrs.get('category'))})" if attrs.get("category") else ""
        return "child", f"On a child protection plan{category}", False
    elif etype == "missing_episode" and role == "missing" and at and at <= moment and (ends_at is None or moment < ends_at):
        level = f", {words(attrs.get('risk_level'))} risk" if attrs.get("risk_level") else ""
        return "child", f"Missing now{level}", False
    elif etype == "police_protection" and role == "child" and at and at <= moment and (ends_at is None or moment < ends_at):
        return "child", "In police protection", False
    elif etype == "bail" and role == "bailed" and _active(at, attrs, moment, "starts_on", "expires_on"):
        return "status", f"On {words(attrs.get('bail_kind')) or ''} bail".replace("  ", " "), False
    return None


def markers_for(user, records_by_person: dict[int, list[int]], moment: dt.datetime | None = None) -> dict[int, list[Marker]]:
    """Risk markers and safeguarding flags of each person at the moment, from the events the user
    may see. One query for the whole set."""
    person_of = {r: p for p, rs in records_by_person.items() for r in rs}
    if not person_of:
        return {}
    when = moment_or_now(moment)
    months = _marker_months()
    if connection.vendor == "postgresql":  # one query (see `counting` for SQLite's two steps)
        subjects = EventSubject.objects.filter(as_of(moment, "version"), person_id__in=list(person_of),
                                               version__type__in=MARKER_EVENT_TYPES)
    else:
        versions = counting_event_ids(moment, Q(person_id__in=list(person_of)))
        subjects = EventSubject.objects.filter(version_id__in=versions, person_id__in=list(person_of),
                                               version__type__in=MARKER_EVENT_TYPES)
    rows = visible(user, subjects).values_list(
        "person_id", "role", "version__type", "version__at", "version__ends_at", "version__attributes",
        "version__record_id", "version__record__source__code", "version__record__ext_id")
    out: dict[int, dict[int, Marker]] = defaultdict(dict)
    for record, role, etype, at, ends_at, attrs, event_record, source, ext_id in rows:
        found = _marker_of(etype, role, at, ends_at, attrs, when, months)
        if found is None:
            continue
        kind, label, sexual = found
        out[person_of[record]].setdefault(event_record, Marker(kind, label, source, ext_id, event_record, at, sexual))
    order = {"risk": 0, "child": 1, "status": 2}
    return {p: sorted(ms.values(), key=lambda m: (order[m.kind], -(m.at.timestamp() if m.at else 0)))
            for p, ms in out.items()}


@dataclass
class PlaceBrief:
    """An address as one source holds it, with the resolved place it belongs to."""

    record_id: int
    place_id: int | None
    address: str
    postcode: str = ""
    source: str = ""
    location_type: str = ""
    masked: bool = False
    shared: bool = True

    @property
    def text(self) -> str:
        if not self.shared:
            return "An address not shared with you"
        if self.postcode and self.postcode != MASK and self.postcode.replace(" ", "") not in self.address.upper().replace(" ", ""):
            return f"{self.address}, {format_postcode(self.postcode)}"
        return self.address or "No address recorded"


def format_postcode(postcode: str) -> str:
    """`NN168AB` -> `NN16 8AB` (stored normalised without the space)."""
    if not postcode or postcode == MASK or " " in postcode or len(postcode) < 5:
        return postcode
    return f"{postcode[:-3]} {postcode[-3:]}"


def place_briefs(user, location_record_ids: Iterable[int], moment: dt.datetime | None = None) -> dict[int, PlaceBrief]:
    """Location record -> its address as of the moment (masked where restricted)."""
    ids = [r for r in set(location_record_ids) if r is not None]
    if not ids:
        return {}
    resolved = locations_of_records(ids)
    rows = visible(user, counting(LocationVersion, moment, Q(record_id__in=ids))).values_list(
        "record_id", "address", "postcode", "record__source__code", "location_type")
    hidden = masked_fields(user, "location", ids)
    out = {r: PlaceBrief(record_id=r, place_id=resolved.get(r), address="", shared=False) for r in ids}
    for record_id, address, postcode, source, location_type in rows:
        masked = hidden.get(record_id, set())
        out[record_id] = PlaceBrief(
            record_id=record_id, place_id=resolved.get(record_id), source=source, location_type=location_type,
            address=MASK if "address" in masked and address else address,
            postcode=MASK if "postcode" in masked and postcode else postcode,
            masked=bool(masked & set(LOCATION_MASKABLE)))
    return out


def best_place_label(briefs: Iterable[PlaceBrief]) -> PlaceBrief | None:
    """The fullest address among a place's records (unmasked first)."""
    shown = [b for b in briefs if b.shared]
    if not shown:
        return None
    return max(shown, key=lambda b: (not b.masked, bool(b.postcode), len(b.address), -b.record_id))
