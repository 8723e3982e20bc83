"""Registered sex offenders. All these apply while a registration is active."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from safeguard.core.calendar import days_after, london_date, months_after, start_of_day, working_days_after

from ..engine import Fact, Rule, register
from ..intervals import INF, Interval, intersect, subtract, union
from ..scope import PLACES
from .common import active_span, households, moments_of

RESET_NOTIFICATIONS = {"initial", "annual", "change_of_address"}


def registrations(world) -> dict[int, list]:
    out = defaultdict(list)
    for e in world.events.get("rso_registration", ()):
        for person in e.persons("offender"):
            out[person].append(e)
    return out


def registered_spans(world, person: int) -> list[Interval]:
    return union(active_span(e) for e in registrations(world).get(person, ()))


def baseline_segments(resets: Iterable[tuple[dt.datetime, dt.datetime, int]],
                      floor: tuple[dt.datetime, dt.datetime, int]) -> list[tuple[dt.datetime, dt.datetime, dt.datetime, int]]:
    """The latest reset as known over recorded time: [(from, to, baseline moment, evidence)].
    `resets` are (moment, recorded_at, record); `floor` is the baseline before any reset."""
    events = sorted([floor, *resets], key=lambda r: r[1])
    segments, best = [], None
    for moment, recorded, record in events:
        if best is None or moment > best[0]:
            if segments:
                segments[-1][1] = recorded
            best = (moment, record)
            segments.append([recorded, INF, moment, record])
    return [(a, b, m, r) for a, b, m, r in segments if a < b]


def new_resets(resets: Iterable[tuple[dt.datetime, dt.datetime, int]], floor: dt.datetime) -> list[dt.datetime]:
    """When a reset that is *new* was recorded: one that happened after every reset (and the
    floor) already known when it arrived. Fixed: any reset recorded after an alert was raised
    satisfied it, even an older visit or notification recorded late, which moves no clock; the
    alert then closed while the situation carried on, and its key could not open again."""
    out, latest = [], floor
    for moment, recorded, _ in sorted(resets, key=lambda r: (r[1], r[0])):
        if moment > latest:
            out.append(recorded)
            latest = moment
    return out


def cadence_facts(key, segments, raise_at: Callable[[dt.datetime], dt.datetime], active: list[Interval],
                  subjects, extra: dict) -> Iterable[Fact]:
    for seg_start, seg_end, baseline, record in segments:
        for start, end in intersect([(max(seg_start, raise_at(baseline)), seg_end)], active):
            yield Fact(key, start, end, subjects, [record], {**extra, "baseline": baseline})


def _remember(world, code: str, key, moments: list[dt.datetime]) -> None:
    """Satisfying moments found while computing a key's facts, for its satisfiers() to return."""
    world.__dict__.setdefault("_satisfiers", {}).setdefault((code, key), set()).update(moments)


def _recall(world, code: str, key) -> list[dt.datetime]:
    return sorted(world.__dict__.get("_satisfiers", {}).get((code, key), ()))


def _notifications(world, person: int, types: set[str] | None = None) -> list:
    return [e for e in world.events_of("rso_notification", person)
            if person in e.persons("offender") and (types is None or e.attrs.get("notification_type") in types)]


@register
class RsoAnnual(Rule):
    code = "RSO-ANNUAL"
    severity = "medium"
    clock = True

    def facts(self, world, s):
        for person, regs in registrations(world).items():
            active = registered_spans(world, person)
            if not active:
                continue
            first = min(regs, key=lambda e: e.start)
            starts = first.attrs.get("starts_on")
            floor_moment = start_of_day(dt.date.fromisoformat(starts)) if isinstance(starts, str) else first.at
            resets = [(e.at, e.start, e.record) for e in _notifications(world, person, RESET_NOTIFICATIONS)]
            _remember(world, self.code, (person,), new_resets(resets, floor_moment))
            yield from cadence_facts((person,), baseline_segments(resets, (floor_moment, first.start, first.record)),
                                     lambda b: days_after(months_after(b, 12), -s.rso_annual_warning_days), active,
                                     [(person, "offender")], {})

    def satisfiers(self, world, s, keys):
        return {key: _recall(world, self.code, key) for key in keys}

    def due(self, fact, raised_at, s):
        return months_after(fact.info["baseline"], 12)

    def summary(self, fact, world):
        return (f"{world.name(fact.key[0])}'s annual notification is due by "
                f"{months_after(fact.info['baseline'], 12):%d %b %Y}")


@register
class RsoVisit(Rule):
    code = "RSO-VISIT"
    severity = "medium"
    clock = True

    def facts(self, world, s):
        for person, regs in registrations(world).items():
            for reg in regs:
                level = reg.attrs.get("risk_level")
                months = s.rso_visit_months.get(level)
                active = intersect([active_span(reg)], registered_spans(world, person))
                if months is None or not active:
                    continue
                starts = reg.attrs.get("starts_on")
                floor_moment = start_of_day(dt.date.fromisoformat(starts)) if isinstance(starts, str) else reg.at
                resets = [(e.at, e.start, e.record) for e in world.events_of("rso_visit", person)
                          if person in e.persons("offender") and e.attrs.get("outcome") == "seen"]
                _remember(world, self.code, (person,), new_resets(resets, floor_moment))
                yield from cadence_facts((person,), baseline_segments(resets, (floor_moment, reg.start, reg.record)),
                                         lambda b, m=months: days_after(months_after(b, m), -s.rso_visit_warning_days),
                                         active, [(person, "offender")], {"months": months, "level": level})

    def satisfiers(self, world, s, keys):
        return {key: _recall(world, self.code, key) for key in keys}

    def due(self, fact, raised_at, s):
        return months_after(fact.info["baseline"], fact.info["months"])

    def summary(self, fact, world):
        return (f"{world.name(fact.key[0])} ({fact.info['level'].replace('_', ' ')} risk) must be seen by "
                f"{months_after(fact.info['baseline'], fact.info['months']):%d %b %Y}")


def _notified(world, person: int, location: int, types: set[str] | None = None) -> list[Interval]:
    spans = [(e.start, INF) for e in _notifications(world, person, types) if e.location == location]
    if types is None:
        spans += [(link.start, link.end) for link in world.links_of(person)
                  if link.person == person and link.location == location and link.role == "notified_address"]
    return union(spans)


@register
class RsoAddress(Rule):
    code = "RSO-ADDRESS"
    severity = "high"
    reads = frozenset({PLACES})
    clock = True  # a link's `from`, a registration's `starts_on` in the future

    def facts(self, world, s):
        regs = registrations(world)
        for link in world.links:
            if link.role not in ("resides", "stays") or link.person not in regs:
                continue
            active = intersect([(link.start, link.end)], registered_spans(world, link.person))
            for start, end in subtract(active, _notified(world, link.person, link.location)):
                yield Fact((link.person, link.location), start, end, [(link.person, "offender")], [link.record],
                           {"since_day": link.from_day or london_date(link.start), "location": link.location})

    def satisfiers(self, world, s, keys):
        return {(p, loc): [a for a, _ in _notified(world, p, loc, set())] + moments_of(
            world.events_of("rso_notification", p), lambda e, p=p, loc=loc: p in e.persons("offender") and e.location == loc)
            for p, loc in keys}

    def due(self, fact, raised_at, s):
        return days_after(start_of_day(fact.info["since_day"]), 3)

    def summary(self, fact, world):
        return (f"{world.name(fact.key[0])} is recorded living at {world.address(fact.key[1])}, "
                "which he has not notified")


def _notified_addresses(world) -> list[tuple[int, int, Interval, int]]:
    """(offender, location, span, notification) for the address each notification gives, current
    until a notification of a later address is recorded. Fixed: an address notified once counted
    for ever, even after he notified a change of address away from it."""
    by_person = defaultdict(list)
    for e in world.events.get("rso_notification", ()):
        if e.location is not None and e.attrs.get("notification_type") in RESET_NOTIFICATIONS:
            for person in e.persons("offender"):
                by_person[person].append(e)
    out = []
    for person, notes in by_person.items():
        for e in notes:
            moved = min((o.start for o in notes if o.at > e.at and o.location != e.location), default=INF)
            if e.start < min(e.end, moved):
                out.append((person, e.location, (e.start, min(e.end, moved)), e.record))
    return out


@register
class RsoChildHousehold(Rule):
    code = "RSO-CHILD-HOUSEHOLD"
    severity = "critical"
    reads = frozenset({PLACES})
    clock = True  # a link's `from`, a registration's `starts_on` in the future

    def facts(self, world, s):
        regs = registrations(world)
        homes = households(world)
        places = [(link.person, link.location, (link.start, link.end), link.record) for link in world.links
                  if link.role in ("resides", "stays", "notified_address") and link.person in regs]
        places += _notified_addresses(world)
        for person, location, span, record in places:
            children = homes.get(location)
            if not children:
                continue
            active = intersect([span], registered_spans(world, person))
            active = subtract(active, _notified(world, person, location, {"child_household"}))
            for child, (child_spans, child_records) in children.items():
                if child == person:
                    continue
                for start, end in intersect(active, child_spans):
                    yield Fact((person, location), start, end, [(person, "offender"), (child, "child")],
                               [record, *child_records], {})

    def satisfiers(self, world, s, keys):
        return {(p, loc): [a for a, _ in _notified(world, p, loc, {"child_household"})] for p, loc in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 1)

    def summary(self, fact, world):
        return (f"Registered sex offender {world.name(fact.key[0])} lives in the household of a child at "
                f"{world.address(fact.key[1])} and has not notified it")


@register
class RsoNoFixedAbode(Rule):
    code = "RSO-NO-FIXED-ABODE"
    severity = "high"
    clock = True

    def facts(self, world, s):
        for person, regs in registrations(world).items():
            for reg in regs:
                if reg.attrs.get("fixed_abode") is not False:
                    continue
                versions = world.event_versions.get(reg.record, [])
                since = reg.start  # became false: the first version of the run of versions saying so
                for v in reversed(versions[: versions.index(reg)] if reg in versions else []):
                    if v.attrs.get("fixed_abode") is not False:
                        break
                    since = v.start
                active = intersect([active_span(reg)], registered_spans(world, person))
                resets = [(e.at, e.start, e.record) for e in _notifications(world, person)]
                _remember(world, self.code, (person,), new_resets(resets, since))
                yield from cadence_facts((person,), baseline_segments(resets, (since, reg.start, reg.record)),
                                         lambda b, since=since: days_after(max(b, since), 7), active,
                                         [(person, "offender")], {})

    def satisfiers(self, world, s, keys):
        return {key: _recall(world, self.code, key) for key in keys}

    def due(self, fact, raised_at, s):
        return raised_at

    def summary(self, fact, world):
        return f"{world.name(fact.key[0])}, of no fixed abode, has made no notification for 7 days"
