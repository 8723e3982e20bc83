"""Facts several rules share: risk markers, households, who is linked to a place, activity spans.
Each is computed once per World and cached on it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import wraps

from safeguard.core.calendar import end_of_day, months_after, start_of_day
from safeguard.feed.schema import parse_date, parse_datetime

from ..intervals import INF, Interval, intersect, union
from ..settings import RuleSettings
from ..world import Event, World

VIOLENT_CATEGORIES = {"violence", "sexual", "domestic_abuse", "child_cruelty", "exploitation", "weapons"}
MARKER_ORDERS = {"shpo", "sro", "dvpo", "non_molestation", "restraining"}
LINK_ROLES = {"resides", "stays", "visits", "bail_address", "notified_address"}
HOUSEHOLD_ROLES = {"resides", "stays"}


def cached(fn):
    @wraps(fn)
    def wrapper(world: World, *args):
        cache = world.__dict__.setdefault("_cache", {})
        key = (fn.__name__, *args)
        if key not in cache:
            cache[key] = fn(world, *args)
        return cache[key]

    return wrapper


def date_attr(event: Event, name: str) -> dt.date | None:
    value = event.attrs.get(name)
    return parse_date(value, name) if isinstance(value, str) else None


def active_span(event: Event, start_attr: str = "starts_on", end_attr: str = "ends_on") -> Interval:
    """The recorded-time span in which this version counts and the clock is within its dates
    (a missing start date: from the event's `at`; a missing end date: open)."""
    start_day, end_day = date_attr(event, start_attr), date_attr(event, end_attr)
    start = max(event.start, start_of_day(start_day) if start_day else event.at)
    end = min(event.end, end_of_day(end_day) if end_day else INF)
    return start, end


@dataclass(frozen=True)
class Marker:
    start: dt.datetime
    end: dt.datetime
    kind: str  # "sexual", "exploitation" or "" (any other)
    evidence: int
    label: str


@cached
def risk_markers(world: World, months: int) -> dict[int, list[Marker]]:
    out: dict[int, list[Marker]] = defaultdict(list)

    def add(person: int, span: Interval, kind: str, event: Event, label: str) -> None:
        if span[0] < span[1]:
            out[person].append(Marker(span[0], span[1], kind, event.record, label))

    for e in world.events.get("offence", ()):
        category, outcome = e.attrs.get("category"), e.attrs.get("outcome")
        if category not in VIOLENT_CATEGORIES:
            continue
        if outcome in ("convicted", "cautioned"):
            span = (e.start, e.end)
        elif outcome in ("charged", "suspected"):
            span = (e.start, min(e.end, months_after(e.at, months)))
        else:
            continue
        kind = category if category in ("sexual", "exploitation") else ""
        label = f"{category.replace('_', ' ')}, {outcome} {e.at.year}"
        for person in e.persons("suspect", "offender"):
            add(person, span, kind, e, label)
    for e in world.events.get("domestic_abuse_incident", ()):
        for person in e.persons("perpetrator"):
            add(person, (e.start, min(e.end, months_after(e.at, months))), "", e, f"domestic abuse perpetrator {e.at.year}")
    for e in world.events.get("rso_registration", ()):
        for person in e.persons("offender"):
            add(person, active_span(e), "sexual", e, "registered sex offender")
    for e in world.events.get("order", ()):
        order_type = e.attrs.get("order_type")
        if order_type in MARKER_ORDERS:
            kind = "sexual" if order_type in ("shpo", "sro") else ""
            for person in e.persons("subject"):
                add(person, active_span(e), kind, e, f"{order_type.replace('_', ' ')} order")
    for e in world.events.get("online_csea_referral", ()):
        for person in e.persons("suspect"):
            add(person, (e.start, min(e.end, months_after(e.at, months))), "sexual", e, "online child sexual abuse referral")
    return out


def marker_spans(world: World, s: RuleSettings, person: int, kinds: set[str] | None = None) -> list[Interval]:
    markers = risk_markers(world, s.risk_marker_months).get(person, ())
    return union((m.start, m.end) for m in markers if kinds is None or m.kind in kinds)


def markers_at(world: World, s: RuleSettings, person: int, moment: dt.datetime) -> list[Marker]:
    return [m for m in risk_markers(world, s.risk_marker_months).get(person, ()) if m.start <= moment < m.end]


@cached
def households(world: World) -> dict[int, dict[int, tuple[list[Interval], list[int]]]]:
    """location -> child -> (spans when the child may be a child and resides or stays there, link records)."""
    spans: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    records: dict[tuple[int, int], list[int]] = defaultdict(list)
    for link in world.links:
        if link.role in HOUSEHOLD_ROLES:
            spans[link.location][link.person].append((link.start, link.end))
            records[(link.location, link.person)].append(link.record)
    out: dict[int, dict[int, tuple[list[Interval], list[int]]]] = defaultdict(dict)
    for location, children in spans.items():
        for child, child_links in children.items():
            when = intersect(union(child_links), world.child_spans(child))
            if when:
                out[location][child] = (when, records[(location, child)])
    return out


@cached
def residence_links(world: World) -> dict[int, list]:
    """location -> every `resides`/`stays` link version there, current or not (see World.all_links)."""
    out: dict[int, list] = defaultdict(list)
    for link in world.all_links:
        if link.role in HOUSEHOLD_ROLES and link.recorded[0] < link.recorded[1]:
            out[link.location].append(link)
    return out


@cached
def parents_of(world: World) -> dict[int, list[tuple[int, Interval, int]]]:
    """child -> [(parent or carer, span, relationship record)]."""
    out: dict[int, list[tuple[int, Interval, int]]] = defaultdict(list)
    for rel in world.rels:
        if rel.type in ("parent_of", "carer_of"):
            out[rel.other].append((rel.person, (rel.start, rel.end), rel.record))
    return out


@cached
def partners(world: World) -> dict[int, list[tuple[int, Interval, int]]]:
    out: dict[int, list[tuple[int, Interval, int]]] = defaultdict(list)
    for rel in world.rels:
        if rel.type == "partner_of":
            out[rel.person].append((rel.other, (rel.start, rel.end), rel.record))
            out[rel.other].append((rel.person, (rel.start, rel.end), rel.record))
    return out


@dataclass(frozen=True)
class Linked:
    person: int
    location: int
    start: dt.datetime
    end: dt.datetime
    evidence: tuple[int, ...]
    how: str


def bail_residences(world: World) -> list[tuple[int, int, Interval, Event]]:
    """(person, location, span, bail) for residence conditions naming a location, while the bail is active."""
    out = []
    for e in world.events.get("bail", ()):
        span = bail_active(world, e)
        if span[0] >= span[1]:
            continue
        for i, condition in enumerate(e.attrs.get("conditions") or []):
            target = e.refs.get(f"condition.{i}.location")
            if condition.get("condition") == "residence" and target is not None:
                for person in e.persons("bailed"):
                    out.append((person, world.location(target), span, e))
    return out


def bail_active(world: World, bail: Event) -> Interval:
    """From `at` to the end of `expires_on`; without `expires_on`, until a later bail of the
    person or a charge for its offence is recorded."""
    expires = date_attr(bail, "expires_on")
    end = min(bail.end, end_of_day(expires)) if expires else bail.end
    if not expires:
        stop = later_bail_or_charge(world, bail)
        if stop is not None:
            end = min(end, stop)
    return max(bail.start, bail.at), end


def bail_stops(world: World, bail: Event) -> list[tuple[dt.datetime, dt.datetime]]:
    """What ends a bail that has no `expires_on`: each later bail of the person and each charge of
    its offence (of any offence of the person's, if the bail names none), as (when it happened,
    when it was first recorded). A charge happened at its `outcome_at`, else when recorded.

    Fixed: with no offence named, any charge of the person's counted, even one from years before
    the bail, which silenced BAIL-EXPIRY for good; a charge now counts only from the bail's `at` on."""
    people = set(bail.persons("bailed"))
    stops: dict[int, tuple[dt.datetime, dt.datetime]] = {}

    def add(record: int, happened: dt.datetime, recorded: dt.datetime) -> None:
        if record not in stops or recorded < stops[record][1]:
            stops[record] = (happened, recorded)

    for e in world.events_of("bail", *people):
        if e.record != bail.record and e.at > bail.at and people & set(e.persons("bailed")):
            add(e.record, e.at, e.start)
    offence = bail.refs.get("offence")
    candidates = world.event_versions.get(offence, ()) if offence is not None else world.events_of("offence", *people)
    for e in candidates:
        if e.type != "offence" or e.attrs.get("outcome") != "charged":
            continue
        charged_at = _moment_attr(e, "outcome_at") or e.start
        if offence is not None:
            if e.record == offence:
                add(e.record, charged_at, e.start)
        elif people & set(e.persons("suspect", "offender")) and charged_at >= bail.at:
            add(e.record, charged_at, e.start)
    return list(stops.values())


def later_bail_or_charge(world: World, bail: Event) -> dt.datetime | None:
    """When a later bail of the person, or a charge that ends the bail, was first recorded."""
    moments = [recorded for _, recorded in bail_stops(world, bail)]
    return min(moments) if moments else None


def _moment_attr(event: Event, name: str) -> dt.datetime | None:
    value = event.attrs.get(name)
    return parse_datetime(value, name) if isinstance(value, str) else None


@cached
def linked_to_locations(world: World) -> dict[int, list[Linked]]:
    """location -> who is linked to it: current links of the linking roles, residence conditions
    of active bail, and the current partner of a parent or carer of a child of the household."""
    out: dict[int, list[Linked]] = defaultdict(list)
    for link in world.links:
        if link.role in LINK_ROLES:
            out[link.location].append(Linked(link.person, link.location, link.start, link.end, (link.record,), link.role))
    for person, location, (start, end), bail in bail_residences(world):
        out[location].append(Linked(person, location, start, end, (bail.record,), "bail residence condition"))
    for location, children in households(world).items():
        for child, (child_spans, child_records) in children.items():
            for parent, parent_span, parent_record in parents_of(world).get(child, ()):
                for partner, partner_span, partner_record in partners(world).get(parent, ()):
                    if partner == child:
                        continue
                    for start, end in intersect(intersect([parent_span], [partner_span]), child_spans):
                        out[location].append(Linked(partner, location, start, end,
                                                    (partner_record, parent_record, *child_records), "partner of a parent"))
    return out


@cached
def links_of_person(world: World) -> dict[int, list[Linked]]:
    """person -> the locations they are linked to (linked_to_locations, by person)."""
    out: dict[int, list[Linked]] = defaultdict(list)
    for linked in linked_to_locations(world).values():
        for link in linked:
            out[link.person].append(link)
    return out


@cached
def plans(world: World) -> dict[int, list[tuple[Interval, Event]]]:
    """child -> active child protection plans (span, plan)."""
    out: dict[int, list[tuple[Interval, Event]]] = defaultdict(list)
    for e in world.events.get("child_protection_plan", ()):
        end = min(e.end, e.ends_at) if e.ends_at else e.end
        span = (max(e.start, e.at), end)
        if span[0] < span[1]:
            for child in e.persons("child"):
                out[child].append((span, e))
    return out


def on_plan_at(world: World, child: int, moment: dt.datetime) -> bool:
    return any(start <= moment < end for (start, end), _ in plans(world).get(child, ()))


def first_recorded(world: World, record: int) -> dt.datetime | None:
    versions = world.event_versions.get(record)
    return versions[0].start if versions else None


def moments_of(events, predicate) -> list[dt.datetime]:
    """The recorded_at of the first version of each record that satisfies `predicate`."""
    first: dict[int, dt.datetime] = {}
    for e in events:
        if predicate(e) and (e.record not in first or e.start < first[e.record]):
            first[e.record] = e.start
    return sorted(first.values())


def age_text(world: World, person: int, moment: dt.datetime) -> str:
    versions = [v for v in world.persons.get(person, ()) if v.dob_latest]
    if not versions:
        return "age unknown"
    v = max(versions, key=lambda v: v.start)
    today = moment.date()
    born = v.dob_earliest or v.dob_latest
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return world.detail(f"aged {max(years, 0)}", [v.record], "age not shown")


# ---- "as of the moment asked" ------------------------------------------------------------------
#
# rules.md, "Alerts": "Severity is as of the moment asked: a child who comes onto a plan raises the
# severity of the open alerts about their household" (and ONLINE-ACTION: "a later change of level
# changes it"). The engine asks for severity at each moment it may change while the alert is open,
# and for due and summary at the last moment it was open by the horizon (engine._alert).

def asked_moment(world: World, code: str, key, raised_at: dt.datetime) -> dt.datetime:
    """The moment the engine is asking about (outside the engine: the horizon)."""
    return world.asking or max(world.horizon, raised_at)
