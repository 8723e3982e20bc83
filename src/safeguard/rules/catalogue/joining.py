"""Joining the dots across agencies."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

from safeguard.core.calendar import start_of_day, working_days_after

from ..engine import Fact, Rule, register
from ..intervals import intersect, subtract, union
from ..scope import PLACES
from .common import (
    HOUSEHOLD_ROLES,
    age_text,
    asked_moment,
    cached,
    households,
    linked_to_locations,
    marker_spans,
    moments_of,
    plans,
    risk_markers,
)


def _assessments(world, people: set[int]) -> dict[int, list]:
    """person -> when a risk assessment of them was first recorded (each assessment once)."""
    by_person = _assessment_events(world)
    return {person: moments_of(by_person.get(person, ()), lambda e: True) for person in people}


@cached
def _assessment_events(world) -> dict[int, list]:
    out = defaultdict(list)
    for e in world.events.get("risk_assessment", ()):
        for person in set(e.persons("assessed")):
            out[person].append(e)
    return out


@register
class RiskyAdultChild(Rule):
    code = "RISKY-ADULT-CHILD"
    severity = "high"
    reads = frozenset({PLACES})
    # A link's `from`, an order's `starts_on` or a birthday can make it true with nothing new fed in.
    clock = True

    def facts(self, world, s):
        # One fact per risk marker (not per union of them): a new marker, a new record, after the
        # adult was assessed opens a new alert (rules.md, "One alert per situation").
        homes = households(world)
        markers_of = risk_markers(world, s.risk_marker_months)
        for location, linked in linked_to_locations(world).items():
            children = homes.get(location)
            if not children:
                continue
            for link in linked:
                adult = link.person
                markers = markers_of.get(adult)
                if not markers:
                    continue
                base = intersect([(link.start, link.end)], world.adult_spans(adult))
                for marker in markers:
                    marked = intersect(base, [(marker.start, marker.end)])
                    if not marked:
                        continue
                    for child, (child_spans, child_records) in children.items():
                        if child == adult:
                            continue
                        for start, end in intersect(marked, child_spans):
                            yield Fact((adult, location), start, end, [(adult, "adult"), (child, "child")],
                                       [marker.evidence, *link.evidence, *child_records],
                                       {"adult": adult, "location": location, "how": link.how,
                                        "months": s.risk_marker_months},
                                       # a new risk marker, or a child newly in the home (a baby born
                                       # after he was assessed), re-opens the key; another record of
                                       # the same adult, child or home (a bail to it, a second agency)
                                       # tells nothing new and does not.
                                       reopen_by=[marker.evidence, ("child", child)])

    def satisfiers(self, world, s, keys):
        moments = _assessments(world, {adult for adult, _ in keys})
        return {key: moments[key[0]] for key in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 1)

    def severity_of(self, fact, raised_at, world, s):
        # Fixed: judged at raised_at only, so a child coming onto a plan (or a baby born into the
        # household) after the alert was raised left it `high`. Severity is as of the moment asked.
        moment = asked_moment(world, self.code, fact.key, raised_at)
        starts, spans = self._critical(world, s, fact.key)
        i = bisect_right(starts, moment) - 1
        return "critical" if i >= 0 and moment < spans[i][1] else "high"

    def _critical(self, world, s, key) -> tuple[list, list]:
        """When the key's alert is critical, worked out once per key as a union of spans (the
        engine asks at every moment severity may change): while the adult holds a sexual risk
        marker, or while a child of the household (not the adult) lives there and is under 5 or
        on a child protection plan. Same answer as asking markers_at and on_plan_at at each moment."""
        cache = world.__dict__.setdefault("_risky_critical", {})
        memo = (key, s.risk_marker_months)
        if memo not in cache:
            adult, location = key
            spans = [(m.start, m.end) for m in risk_markers(world, s.risk_marker_months).get(adult, ()) if m.kind == "sexual"]
            child_plans = plans(world)
            for child, (child_spans, _) in households(world).get(location, {}).items():
                if child != adult:
                    young = union([*world.child_spans(child, under=5), *(span for span, _ in child_plans.get(child, ()))])
                    spans.extend(intersect(child_spans, young))
            spans = union(spans)
            cache[memo] = ([a for a, _ in spans], spans)
        return cache[memo]

    def severity_moments(self, fact, world, s):
        adult, location = fact.key
        yield from (m for marker in risk_markers(world, s.risk_marker_months).get(adult, ()) for m in (marker.start, marker.end))
        for child, (spans, _) in households(world).get(location, {}).items():
            yield from (m for span in spans for m in span)
            yield from (m for span in world.child_spans(child, under=5) for m in span)
            yield from (m for (span, _) in plans(world).get(child, ()) for m in span)

    def summary(self, fact, world):
        adult, location = fact.key
        markers = "; ".join(world.detail(m.label, [m.evidence], "a risk marker")
                            for m in risk_markers(world, fact.info["months"]).get(adult, ()) if m.start <= fact.start < m.end)
        child = next(p for p, role in fact.subjects if role == "child")
        verb = {"resides": "lives at", "stays": "stays at", "visits": "visits", "bail_address": "is bailed to",
                "notified_address": "has notified", "bail residence condition": "is bailed to",
                "partner of a parent": "is the partner of a parent at"}.get(fact.info["how"], "is linked to")
        return (f"{world.name(adult)} ({markers}) {verb} {world.address(location)}, "
                f"home of {world.name(child)}, {age_text(world, child, fact.start)}")


@register
class NewAdultPlan(Rule):
    code = "NEW-ADULT-PLAN"
    severity = "medium"
    reads = frozenset({PLACES})
    clock = True  # a link's `from` in the future

    def facts(self, world, s):
        homes = households(world)
        child_plans = plans(world)
        # "without `from`: its first `recorded_at`": of the link record, whatever its versions said.
        # Fixed: taken from current versions only, so a record first sent already ended (then
        # corrected) counted from the correction.
        first_seen: dict[int, object] = {}
        for link in world.all_links:
            first_seen[link.record] = min(first_seen.get(link.record, link.recorded[0]), link.recorded[0])
        for link in world.links:
            if link.role not in HOUSEHOLD_ROLES:
                continue
            adult = link.person
            # only a household with a child on a plan can give a fact: the adult's spans are
            # worked out for those alone (most households have none)
            children = [(child, spans) for child, spans in homes.get(link.location, {}).items()
                        if child != adult and child_plans.get(child)]
            if not children:
                continue
            since = start_of_day(link.from_day) if link.from_day else first_seen[link.record]
            base = subtract(intersect([(link.start, link.end)], world.adult_spans(adult)), marker_spans(world, s, adult))
            for child, (child_spans, child_records) in children:
                for (plan_start, plan_end), plan in child_plans.get(child, ()):
                    if since < plan.at:
                        continue
                    for start, end in intersect(intersect(base, child_spans), [(plan_start, plan_end)]):
                        yield Fact((adult, child), start, end, [(adult, "adult"), (child, "child")],
                                   [link.record, plan.record, *child_records], {"location": link.location})

    def satisfiers(self, world, s, keys):
        moments = _assessments(world, {adult for adult, _ in keys})
        return {key: moments[key[0]] for key in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 2)

    def summary(self, fact, world):
        adult, child = fact.key
        return (f"{world.name(adult)} has moved into the home of {world.name(child)}, who is on a child protection plan, "
                f"at {world.address(fact.info['location'])}")
