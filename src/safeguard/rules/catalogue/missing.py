"""Missing children."""

from __future__ import annotations

from collections import defaultdict

from safeguard.core.calendar import days_after, hours_after, working_days_after

from ..engine import Fact, Rule, register
from ..intervals import at_least, intersect, union
from ..scope import FOUND, REFS
from .common import linked_to_locations, markers_at, moments_of


def _children(world, episode) -> list[int]:
    """Missing subjects who may be children at the episode's start (age at the triggering event)."""
    return [p for p in episode.persons("missing") if world.child_spans(p, at=episode.at)]


def _child_facts(world, episode, key, spans, role="missing", **info):
    for child in _children(world, episode):
        for start, end in intersect(union(spans), world.child_spans(child, at=episode.at)):
            yield Fact(key, start, end, [(child, role)], [episode.record], {"episode": episode, "child": child, **info})


def _strategy_discussions(world, keys) -> dict:
    return {key: moments_of(world.events_of("strategy_discussion", key[0]), lambda e, c=key[0]: c in e.persons("child"))
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
    reads = frozenset({REFS})

    def facts(self, world, s):
        for e in world.events.get("missing_episode", ()):
            if e.ends_at is not None:
                yield from _child_facts(world, e, (e.record,), [(e.start, e.end)], ends_at=e.ends_at)

    def satisfiers(self, world, s, keys):
        of_episode: dict[int, list] = defaultdict(list)  # grouped once: not every interview per episode
        for e in world.events.get("return_home_interview", ()):
            of_episode[e.refs.get("episode")].append(e)
        return {(r,): moments_of(of_episode.get(r, ()), lambda e: e.attrs.get("completed_at") or e.attrs.get("declined") is True)
                for (r,) in keys}

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
        # Fixed: the 30 days were elapsed time (timedelta), but "N days" are calendar days on the
        # London clock (rules.md, "Working day"), which differ by an hour across a clock change; and
        # each episode counted for ever from its first version, so a deleted episode (or one whose
        # `at` was corrected out of the window) still made a pattern. Now every version counts only
        # while it is current, and the condition holds while at least two other episodes are.
        by_child: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for e in world.events.get("missing_episode", ()):
            for child in e.persons("missing"):
                by_child[child][e.record].append(e)
        for child, episodes in by_child.items():
            for record, versions in episodes.items():
                for e in versions:
                    window_start = days_after(e.at, -s.missing_repeat_days)
                    others = {o_record: [(o.start, o.end) for o in o_versions if window_start <= o.at < e.at]
                              for o_record, o_versions in episodes.items() if o_record != record}
                    others = {o_record: spans for o_record, spans in others.items() if spans}
                    if len(others) < 2:
                        continue
                    when = intersect(intersect([(e.start, e.end)], at_least(2, others.values())),
                                     world.child_spans(child, at=e.at))
                    for a, b in when:
                        current = [o for o, spans in others.items() if any(x < b and y > a for x, y in spans)]
                        yield Fact((child,), a, b, [(child, "missing")], [record, *current],
                                   {"count": len(current) + 1, "child": child, "days": s.missing_repeat_days})

    def satisfiers(self, world, s, keys):
        return _strategy_discussions(world, keys)

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 5)

    def summary(self, fact, world):
        return (f"{world.name(fact.info['child'])} has gone missing {fact.info['count']} times in "
                f"{fact.info['days']} days: "
                "hold a strategy discussion")


@register
class MissingFoundWithRisk(Rule):
    code = "MISSING-FOUND-WITH-RISK"
    severity = "critical"
    reads = frozenset({FOUND, REFS})

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
            # Fixed: the person linked to the found location must be an *adult* (rules.md: "linked to
            # an adult with ..."; "Adult" in "Words"), judged at the same moment.
            adults = {link.person for link in linked.get(location, ()) if link.start <= judged_at < link.end
                      and any(m.kind in ("sexual", "exploitation") for m in markers_at(world, s, link.person, judged_at))
                      and any(a <= judged_at < b for a, b in world.adult_spans(link.person))}
            # The episode counts while any version of it does: deleting it withdraws the concern.
            exists = union((v.start, v.end) for v in versions if v.start >= judged_at)
            for child in _children(world, e):
                for adult in sorted(adults - {child}):
                    for start, end in exists:
                        yield Fact((e.record,), start, end, [(child, "missing"), (adult, "adult")],
                                   [e.record, *(m.evidence for m in markers_at(world, s, adult, judged_at))],
                                   {"child": child, "adult": adult, "location": location})

    def satisfiers(self, world, s, keys):
        out = {}
        for (record,) in keys:
            children = {p for v in world.event_versions.get(record, ()) for p in v.persons("missing")}
            out[(record,)] = moments_of(world.events_of("strategy_discussion", *children),
                                        lambda e, c=children: bool(c & set(e.persons("child"))))
        return out

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 1)

    def summary(self, fact, world):
        return (f"{world.name(fact.info['child'])} was found at {world.address(fact.info['location'])}, "
                f"linked to {world.name(fact.info['adult'])}, a sexual or exploitation risk")
