"""Children's social care and police protection."""

from __future__ import annotations

from collections import defaultdict

from safeguard.core.calendar import hours_after, months_after, working_days_after, working_days_before

from ..engine import Fact, Rule, register
from ..intervals import INF, clip, intersect, union
from ..scope import REFS
from .common import moments_of, plans
from .rso import baseline_segments, cadence_facts


def held(versions, since) -> list:
    """When a record is held (any version counts), from `since` on: a delete ends it."""
    return clip(union((v.start, v.end) for v in versions), since)


def _version_facts(world, rule_key, events, predicate, role="child", **info):
    """Facts over the spans of versions that satisfy `predicate`, keyed by the record."""
    spans = defaultdict(list)
    first = {}
    for e in events:
        if predicate(e):
            spans[e.record].append((e.start, e.end))
            first.setdefault(e.record, e)
    for record, record_spans in spans.items():
        e = first[record]
        for start, end in union(record_spans):
            yield Fact(rule_key(e), start, end, [(p, role) for p in e.persons(role)], [record], {"event": e, **info})


@register
class ReferralDecision(Rule):
    code = "REFERRAL-DECISION"
    severity = "medium"

    def facts(self, world, s):
        # Received: from the first version that says it went to children's social care, while the
        # referral is held. Fixed: it held for ever, so a deleted referral stayed open.
        for e in world.events.get("referral", ()):
            versions = world.event_versions[e.record]
            if e is versions[0] and any(v.attrs.get("to_agency") == "csc" for v in versions):
                first = next(v for v in versions if v.attrs.get("to_agency") == "csc")
                for start, end in held(versions, first.start):
                    yield Fact((e.record,), start, end, [(p, "child") for p in first.persons("child")], [e.record],
                               {"event": first})

    def satisfiers(self, world, s, keys):
        return {(r,): moments_of(world.event_versions.get(r, ()), lambda e: e.attrs.get("decision") not in (None, "none_yet"))
                for (r,) in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(fact.info["event"].at, 1)

    def summary(self, fact, world):
        child = fact.subjects[0][0] if fact.subjects else None
        return f"Referral about {world.name(child) if child else 'a child'} needs a decision within one working day"


@register
class Assessment45(Rule):
    code = "ASSESSMENT-45"
    severity = "medium"
    reads = frozenset({REFS})

    def facts(self, world, s):
        yield from _version_facts(world, lambda e: (e.record,), world.events.get("referral", ()),
                                  lambda e: e.attrs.get("decision") == "assessment")

    def satisfiers(self, world, s, keys):
        of_referral: dict[int, list] = defaultdict(list)
        for e in world.events.get("assessment", ()):
            of_referral[e.refs.get("referral")].append(e)
        return {(r,): moments_of(of_referral.get(r, ()), lambda e: e.attrs.get("completed_at")) for (r,) in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(fact.info["event"].at, 45)

    def summary(self, fact, world):
        child = fact.subjects[0][0] if fact.subjects else None
        return (f"Assessment of {world.name(child) if child else 'a child'} must be completed by "
                f"{working_days_after(fact.info['event'].at, 45):%d %b %Y}")


@register
class Icpc15(Rule):
    code = "ICPC-15"
    severity = "high"

    def facts(self, world, s):
        yield from _version_facts(world, lambda e: (e.record,), world.events.get("strategy_discussion", ()),
                                  lambda e: e.attrs.get("outcome") == "s47")

    def satisfiers(self, world, s, keys):
        out = {}
        for (record,) in keys:
            versions = world.event_versions.get(record, [])
            children = {p for v in versions for p in v.persons("child")}
            at = versions[0].at if versions else None
            out[(record,)] = moments_of(world.events_of("child_protection_conference", *children), lambda e, c=children, at=at: e.attrs.get("conference_type") == "initial"
                                        and bool(c & set(e.persons("child"))) and at is not None and e.at >= at)
        return out

    def due(self, fact, raised_at, s):
        return working_days_after(fact.info["event"].at, 15)

    def summary(self, fact, world):
        child = fact.subjects[0][0] if fact.subjects else None
        return f"Initial child protection conference for {world.name(child) if child else 'a child'} due within 15 working days"


def _conferences(world, child, kind):
    return [e for e in world.events_of("child_protection_conference", child)
            if child in e.persons("child") and e.attrs.get("conference_type") == kind]


@register
class CpReview(Rule):
    code = "CP-REVIEW"
    severity = "medium"
    clock = True

    def facts(self, world, s):
        for child, child_plans in plans(world).items():
            for (plan_start, plan_end), plan in child_plans:
                initial = [c for c in _conferences(world, child, "initial") if c.attrs.get("outcome") == "plan"
                           and c.at <= plan.at]
                base = max((c.at for c in initial), default=plan.at)
                reviews = sorted({c.record: c for c in _conferences(world, child, "review") if c.at >= base}.values(),
                                 key=lambda c: c.at)
                due, number = months_after(base, 3), 1
                for review in [*reviews, None]:
                    raise_at = working_days_before(due, 20)
                    stop = review.start if review is not None else INF
                    for start, end in intersect([(max(raise_at, plan_start), min(plan_end, stop))], [(plan_start, plan_end)]):
                        yield Fact((plan.record, number), start, end, [(child, "child")], [plan.record], {"due": due})
                    if review is None:
                        break
                    due, number = months_after(review.at, 6), number + 1

    def satisfiers(self, world, s, keys):
        out = {}
        for record, number in keys:
            versions = world.event_versions.get(record, [])
            children = {p for v in versions for p in v.persons("child")}
            out[(record, number)] = moments_of(world.events_of("child_protection_conference", *children),
                                               lambda e, c=children: e.attrs.get("conference_type") == "review"
                                               and bool(c & set(e.persons("child"))))
        return out

    def due(self, fact, raised_at, s):
        return fact.info["due"]

    def summary(self, fact, world):
        return (f"Review conference for {world.name(fact.subjects[0][0])}'s child protection plan is due "
                f"{fact.info['due']:%d %b %Y}")


@register
class CpVisit(Rule):
    code = "CP-VISIT"
    severity = "high"
    clock = True

    def facts(self, world, s):
        n = s.cp_visit_working_days
        baselines = world.__dict__.setdefault("_cp_visit_baselines", {})
        for child, child_plans in plans(world).items():
            visits = [(e.at, e.start, e.record) for e in world.events_of("statutory_visit", child) if child in e.persons("child")]
            for (plan_start, plan_end), plan in child_plans:
                segments = baseline_segments([v for v in visits if v[0] >= plan.at], (plan.at, plan.start, plan.record))
                for fact in cadence_facts(None, segments, lambda b: working_days_after(b, n - 2), [(plan_start, plan_end)],
                                          [(child, "child")], {}):
                    due = working_days_after(fact.info["baseline"], n)
                    fact.key = (child, due.isoformat())
                    fact.info["due"] = due
                    baselines[fact.key] = fact.info["baseline"]
                    yield fact

    def satisfiers(self, world, s, keys):
        # Fixed: any visit recorded after the alert was raised satisfied it, even one made before
        # the visit the clock already counts from (recorded late), which moves no clock: the child
        # stayed unvisited with the alert closed. Only a visit after the key's baseline satisfies.
        baselines = world.__dict__.get("_cp_visit_baselines", {})
        return {key: moments_of(world.events_of("statutory_visit", key[0]),
                                lambda e, c=key[0], b=baselines[key]: c in e.persons("child") and e.at > b)
                for key in keys}

    def due(self, fact, raised_at, s):
        return fact.info["due"]

    def summary(self, fact, world):
        return f"{world.name(fact.key[0])} (on a child protection plan) must be visited by {fact.info['due']:%d %b %Y}"


@register
class PoliceProtection72h(Rule):
    code = "POLICE-PROTECTION-72H"
    severity = "critical"
    clock = True

    def facts(self, world, s):
        for e in world.events.get("police_protection", ()):
            if e.ends_at is None:
                for start, end in intersect([(max(e.start, hours_after(e.at, 48)), e.end)], [(e.start, e.end)]):
                    yield Fact((e.record,), start, end, [(p, "child") for p in e.persons("child")], [e.record], {"event": e})

    def satisfiers(self, world, s, keys):
        return {(r,): moments_of(world.event_versions.get(r, ()), lambda e: e.ends_at is not None) for (r,) in keys}

    def due(self, fact, raised_at, s):
        return hours_after(fact.info["event"].at, 72)

    def summary(self, fact, world):
        child = fact.subjects[0][0] if fact.subjects else None
        return (f"{world.name(child) if child else 'A child'} has been in police protection for 48 hours: "
                "it ends at 72 hours")
