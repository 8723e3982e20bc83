"""Missing children."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from safeguard.core.calendar import hours_after, working_days_after

from ..engine import Fact, Rule, register
from ..intervals import INF, intersect, union
from .common import linked_to_locations, markers_at, moments_of


def _children(world, episode) -> list[int]:
    """Missing subjects who may be children at the episode's start (age at the triggering event)."""
    return [p for p in episode.persons("missing") if world.child_spans(p, at=episode.at)]


def _child_facts(world, episode, key, spans, role="missing", **info):
    for child in _children(world, episode):
        for start, end in intersect(union(spans), world.child_spans(child, at=episode.at)):
            yield Fact(key, start, end, [(child, role)], [episode.record], {"episode": episode, "child": child, **info})


def _strategy_discussions(world, keys) -> dict:
    return {key: moments_of(world.events.get("strategy_discussion", ()), lambda e, c=key[0]: c in e.persons("child"))
            for key in keys}


@register
class MissingHigh(Rule):
    code = "MISSING-HIGH"
    severity = "critical"

    def facts(self, world, s):
        for e in world.events.get("missing_episode", ()):
            if e.attrs.get("risk_level") == "high" and e.ends_at is None:
                yield from _child_facts(world, e, (e.record,), [(max(e.start, e.at), e.end)])

    def satisfiers(self, world, s, keys):
        return {(r,): moments_of(world.event_versions.get(r, ()), lambda e: e.ends_at is not None) for (r,) in keys}

    def summary(self, fact, world):
        return f"{world.name(fact.info['child'])} is missing, high risk, since {fact.info['episode'].at:%d %b %Y %H:%M}"


@register
class ReturnHomeInterview(Rule):
    code = "RHI-72H"
    severity = "high"

    def facts(self, world, s):
        for e in world.events.get("missing_episode", ()):
            if e.ends_at is not None:
                yield from _child_facts(world, e, (e.record,), [(e.start, e.end)], ends_at=e.ends_at)

    def satisfiers(self, world, s, keys):
        interviews = world.events.get("return_home_interview", ())
        return {(r,): moments_of(interviews, lambda e, r=r: e.refs.get("episode") == r and (
            e.attrs.get("completed_at") or e.attrs.get("declined") is True)) for (r,) in keys}

    def due(self, fact, raised_at, s):
        return hours_after(fact.info["ends_at"], 72)

    def summary(self, fact, world):
        return (f"{world.name(fact.info['child'])} returned on {fact.info['ends_at']:%d %b %Y %H:%M}: "
                "a return home interview is due within 72 hours")


@register
class MissingRepeat(Rule):
    code = "MISSING-REPEAT"
    severity = "high"

    def facts(self, world, s):
        by_child: dict[int, dict[int, object]] = defaultdict(dict)
        for e in world.events.get("missing_episode", ()):
            for child in e.persons("missing"):
                first = by_child[child].get(e.record)
                if first is None or e.start < first.start:
                    by_child[child][e.record] = e
        window = dt.timedelta(days=s.missing_repeat_days)
        for child, episodes in by_child.items():
            for e in episodes.values():
                if not world.child_spans(child, at=e.at):
                    continue
                before = sorted((o for o in episodes.values() if o.record != e.record and e.at - window <= o.at < e.at),
                                key=lambda o: o.start)
                if len(before) < 2:
                    continue
                start = max(e.start, before[1].start)
                for a, b in intersect([(start, INF)], world.child_spans(child, at=e.at)):
                    yield Fact((child,), a, b, [(child, "missing")], [e.record, *(o.record for o in before)],
                               {"count": len(before) + 1, "child": child})

    def satisfiers(self, world, s, keys):
        return _strategy_discussions(world, keys)

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 5)

    def summary(self, fact, world):
        return (f"{world.name(fact.info['child'])} has gone missing {fact.info['count']} times in 30 days: "
                "hold a strategy discussion")


@register
class MissingFoundWithRisk(Rule):
    code = "MISSING-FOUND-WITH-RISK"
    severity = "critical"

    def facts(self, world, s):
        linked = linked_to_locations(world)
        for e in world.events.get("missing_episode", ()):
            found = e.refs.get("found_location")
            if found is None:
                continue
            versions = world.event_versions.get(e.record, [])
            if e is not next((v for v in versions if v.refs.get("found_location")), None):
                continue  # judged once, when the found location is first recorded
            location, judged_at = world.location(found), e.start
            adults = {link.person for link in linked.get(location, ()) if link.start <= judged_at < link.end
                      and any(m.kind in ("sexual", "exploitation") for m in markers_at(world, s, link.person, judged_at))}
            for child in _children(world, e):
                for adult in sorted(adults - {child}):
                    yield Fact((e.record,), judged_at, INF, [(child, "missing"), (adult, "adult")],
                               [e.record, *(m.evidence for m in markers_at(world, s, adult, judged_at))],
                               {"child": child, "adult": adult, "location": location})

    def satisfiers(self, world, s, keys):
        out = {}
        for (record,) in keys:
            children = {p for v in world.event_versions.get(record, ()) for p in v.persons("missing")}
            out[(record,)] = moments_of(world.events.get("strategy_discussion", ()),
                                        lambda e, c=children: bool(c & set(e.persons("child"))))
        return out

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 1)

    def summary(self, fact, world):
        return (f"{world.name(fact.info['child'])} was found at {world.addresses.get(fact.info['location'], 'an address')}, "
                f"linked to {world.name(fact.info['adult'])}, a sexual or exploitation risk")
