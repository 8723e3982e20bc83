"""Bail and orders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from safeguard.core.calendar import end_of_day, months_after, start_of_day, working_days_after

from ..engine import Fact, Rule, register
from ..intervals import INF, clip, intersect, subtract, union
from ..scope import PLACES, REFS
from .common import (
    asked_moment,
    bail_active,
    bail_stops,
    date_attr,
    households,
    later_bail_or_charge,
    links_of_person,
    moments_of,
)
from .joining import _assessments


def known_as(world, record: int, predicate) -> list:
    """From when a referenced order was first recorded as what the rule needs, while it is held.
    Fixed: a breach referring to an order recorded later was judged with hindsight, so the alert
    was raised at the breach's recorded_at, before anything showed what the order was."""
    versions = world.event_versions.get(record, [])
    first = next((v.start for v in versions if predicate(v)), None)
    return [] if first is None else clip(union((v.start, v.end) for v in versions), first)


def _residence_conditions(bail) -> list[tuple[int, dict]]:
    return [(i, c) for i, c in enumerate(bail.attrs.get("conditions") or []) if c.get("condition") == "residence"]


def _residence_ok_at(world, bail, moment: dt.datetime) -> bool:
    """Every residence condition names a specific location and is verified."""
    for i, condition in _residence_conditions(bail):
        target = bail.refs.get(f"condition.{i}.location")
        if target is None or condition.get("verified") is not True:
            return False
        if not any(a <= moment < b for a, b in world.specific.get(world.location(target), ())):
            return False
    return True


@register
class BailAddress(Rule):
    code = "BAIL-ADDRESS"
    severity = "high"
    reads = frozenset({REFS})

    def facts(self, world, s):
        for bail in world.events.get("bail", ()):
            conditions = _residence_conditions(bail)
            if not conditions:
                continue
            active = [bail_active(world, bail)]
            bad = []
            for i, condition in conditions:
                target = bail.refs.get(f"condition.{i}.location")
                if target is None or condition.get("verified") is not True:
                    bad.extend(active)
                else:
                    bad.extend(subtract(active, world.specific.get(world.location(target), [])))
            for start, end in union(bad):
                yield Fact((bail.record,), start, end, [(p, "person") for p in bail.persons("bailed")], [bail.record],
                           {"bail": bail})

    def satisfiers(self, world, s, keys):
        out = defaultdict(list)
        for (record,) in keys:
            versions = world.event_versions.get(record, [])
            people = {p for v in versions for p in v.persons("bailed")}
            at = versions[0].at if versions else None
            for e in {id(b): b for b in [*versions, *world.events_of("bail", *people)]}.values():
                mine = e.record == record or (people & set(e.persons("bailed")) and at is not None and e.at > at)
                if mine and _residence_conditions(e) and _residence_ok_at(world, e, e.start):
                    out[(record,)].append(e.start)
        return out

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 1)

    def summary(self, fact, world):
        bail = fact.info["bail"]
        texts = [c.get("address_text") or "no address" for _, c in _residence_conditions(bail)]
        person = next(iter(bail.persons("bailed")), None)
        return (f"{world.name(person) if person else 'Someone'} is bailed to live at "
                f"{world.detail(', '.join(texts), [bail.record], 'an address')}: "
                "not a specific, verified address")


def _active_periods(world, person: int) -> list[tuple[dt.datetime, dt.datetime, object, list]]:
    """Event-time periods when an order or a bail of the person was active, with its version and
    what ends a bail that has no expiry: [(happened, recorded)] (see common.bail_stops)."""
    out = []
    for order in world.events_of("order", person):
        if person in order.persons("subject"):
            starts, ends = date_attr(order, "starts_on"), date_attr(order, "ends_on")
            out.append((start_of_day(starts) if starts else order.at, end_of_day(ends) if ends else INF, order, []))
    for bail in world.events_of("bail", person):
        if person in bail.persons("bailed"):
            expires = date_attr(bail, "expires_on")
            out.append((bail.at, end_of_day(expires) if expires else INF, bail, [] if expires else bail_stops(world, bail)))
    return out


@register
class ReoffendReassess(Rule):
    code = "REOFFEND-REASSESS"
    severity = "high"
    reads = frozenset({PLACES, REFS})

    def facts(self, world, s):
        periods_cache: dict[int, list] = {}
        triggers = [(e, "suspect", "offender") for e in world.events.get("offence", ())]
        triggers += [(e, "subject") for e in world.events.get("breach", ())]
        for event, *roles in triggers:
            for person in event.persons(*roles):
                if person not in periods_cache:
                    periods_cache[person] = _active_periods(world, person)
                for begin, finish, holder, stops in periods_cache[person]:
                    if holder.record == event.record or not begin <= event.at < finish:
                        continue
                    # Fixed: a bail with no `expires_on` is active only until a later bail of the
                    # person or a charge for its offence (rules.md, "Active"); it counted for ever.
                    # Known from when that later bail or charge is recorded.
                    known_ended = min((recorded for happened, recorded in stops if happened <= event.at), default=INF)
                    for start, end in intersect([(event.start, event.end)], [(holder.start, min(holder.end, known_ended))]):
                        yield Fact((person, event.record), start, end, [(person, "person")], [event.record, holder.record],
                                   {"event": event, "holder": holder})

    def satisfiers(self, world, s, keys):
        moments = _assessments(world, {person for person, _ in keys})
        return {key: moments[key[0]] for key in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, s.reoffend_reassess_working_days)

    def severity_of(self, fact, raised_at, world, s):
        # Severity is as of the moment asked (rules.md, "Alerts"): fixed, it was judged at raised_at only.
        moment = asked_moment(world, self.code, fact.key, raised_at)
        person = fact.key[0]
        homes = households(world)
        for link in links_of_person(world).get(person, ()):
            if link.start <= moment < link.end and any(
                    any(a <= moment < b for a, b in spans) for child, (spans, _) in homes.get(link.location, {}).items()
                    if child != person):
                return "critical"
        return "high"

    def severity_moments(self, fact, world, s):
        person = fact.key[0]
        homes = households(world)
        for link in links_of_person(world).get(person, ()):
            yield from (link.start, link.end)
            for spans, _ in homes.get(link.location, {}).values():
                yield from (m for span in spans for m in span)

    def summary(self, fact, world):
        event, holder = fact.info["event"], fact.info["holder"]
        what = (f"a suspect in a {event.attrs.get('category', '').replace('_', ' ') or 'new'} offence"
                if event.type == "offence" else "in breach")
        under = (holder.attrs.get("order_type", "order").replace("_", " ") if holder.type == "order" else "bail")
        what = world.detail(what, [event.record], "recorded in a new offence or breach")
        under = world.detail(under, [holder.record], "an order or bail")
        return (f"{world.name(fact.key[0])} is {what} on {event.at:%d %b %Y} while on {under}: "
                "reassess the risk they pose")


@register
class OrderBreach2(Rule):
    code = "ORDER-BREACH-2"
    severity = "medium"
    reads = frozenset({REFS})

    def facts(self, world, s):
        by_order: dict[int, list] = defaultdict(list)
        for breach in world.events.get("breach", ()):
            order = breach.refs.get("order")
            if order and known_as(world, order, lambda v: v.attrs.get("order_type") == "community_order"):
                by_order[order].append(breach)
        for order, breaches in by_order.items():
            known = known_as(world, order, lambda v: v.attrs.get("order_type") == "community_order")
            for later in breaches:
                for earlier in breaches:
                    if earlier.record == later.record or not earlier.at < later.at <= months_after(earlier.at, 12):
                        continue
                    for start, end in intersect(intersect([(later.start, later.end)], [(earlier.start, earlier.end)]), known):
                        yield Fact((order,), start, end, [(p, "person") for p in later.persons("subject")],
                                   [earlier.record, later.record, order], {})

    def satisfiers(self, world, s, keys):
        of_order: dict[int, list] = defaultdict(list)
        for e in world.events.get("breach", ()):
            of_order[e.refs.get("order")].append(e)
        return {key: moments_of(of_order.get(key[0], ()), lambda e: e.attrs.get("outcome") in ("returned_to_court", "charged"))
                for key in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 10)

    def summary(self, fact, world):
        person = fact.subjects[0][0] if fact.subjects else None
        return f"{world.name(person) if person else 'Someone'} has breached the same community order twice in 12 months"


@register
class BreachWarningOnly(Rule):
    code = "BREACH-WARNING-ONLY"
    severity = "high"
    reads = frozenset({REFS})

    def facts(self, world, s):
        for breach in world.events.get("breach", ()):
            if breach.attrs.get("outcome") != "warning_letter":
                continue
            order = breach.refs.get("order")
            known = known_as(world, order, lambda v: v.type == "rso_registration"
                             or v.attrs.get("order_type") in ("shpo", "sro")) if order else []
            versions = world.event_versions.get(order, [])
            for start, end in intersect([(breach.start, breach.end)], known):
                yield Fact((breach.record,), start, end, [(p, "offender") for p in breach.persons("subject")],
                           [breach.record, order], {"kind": versions[-1].attrs.get("order_type") or "notification requirements"})

    def satisfiers(self, world, s, keys):
        out = {}
        for (record,) in keys:
            out[(record,)] = moments_of(world.event_versions.get(record, ()),
                                        lambda e: e.attrs.get("outcome") in ("investigated", "charged", "returned_to_court"))
        return out

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 5)

    def summary(self, fact, world):
        person = fact.subjects[0][0] if fact.subjects else None
        return (f"{world.name(person) if person else 'A sex offender'} breached their {fact.info['kind'].replace('_', ' ').upper() if fact.info['kind'] in ('shpo', 'sro') else fact.info['kind']} "
                "and got only a warning letter")


@register
class BailExpiry(Rule):
    code = "BAIL-EXPIRY"
    severity = "medium"
    reads = frozenset({REFS})
    clock = True

    def facts(self, world, s):
        for bail in world.events.get("bail", ()):
            expires = date_attr(bail, "expires_on")
            if bail.attrs.get("bail_kind") != "pre_charge" or expires is None:
                continue
            start = max(bail.start, start_of_day(expires - dt.timedelta(days=s.bail_expiry_warning_days)))
            stop = later_bail_or_charge(world, bail)
            end = min(bail.end, stop) if stop else bail.end
            yield Fact((bail.record,), start, end, [(p, "person") for p in bail.persons("bailed")], [bail.record],
                       {"expires": expires})

    def satisfiers(self, world, s, keys):
        out = {}
        for (record,) in keys:
            versions = world.event_versions.get(record, [])
            stop = later_bail_or_charge(world, versions[-1]) if versions else None
            out[(record,)] = [stop] if stop else []
        return out

    def due(self, fact, raised_at, s):
        return end_of_day(fact.info["expires"])

    def summary(self, fact, world):
        person = fact.subjects[0][0] if fact.subjects else None
        return (f"Pre-charge bail of {world.name(person) if person else 'a suspect'} expires on "
                f"{fact.info['expires']:%d %b %Y}: extend it, charge, or release under investigation")
