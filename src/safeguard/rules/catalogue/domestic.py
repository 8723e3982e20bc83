"""Domestic abuse."""

from __future__ import annotations

import datetime as dt

from safeguard.core.calendar import months_after, next_working_day_at, working_days_after

from ..engine import Fact, Rule, register
from ..intervals import intersect
from ..scope import INCIDENT_HOMES, REFS
from .common import moments_of, residence_links


@register
class Encompass(Rule):
    code = "ENCOMPASS"
    severity = "medium"
    reads = frozenset({INCIDENT_HOMES, REFS})

    def facts(self, world, s):
        for e in world.events.get("domestic_abuse_incident", ()):
            span = [(e.start, e.end)]
            for child in e.persons("child_present"):
                for start, end in intersect(span, world.child_spans(child, at=e.at)):
                    yield Fact((e.record, child), start, end, [(child, "child")], [e.record], {"incident": e},
                               reopen_by=[e.record])
            if e.location is None:
                continue
            # "A child residing or staying at the incident's location at its `at`": the link's dates
            # must cover the incident's own moment (not the moment it was recorded, which can be days
            # later), as known while both records count. Fixed: this used the household *now*, so an
            # incident recorded late missed a child who had since moved out and caught one who had
            # since moved in.
            for link in residence_links(world).get(e.location, ()):
                if not link.true_at(e.at):
                    continue
                child = link.person
                for start, end in intersect(intersect(span, [link.recorded]), world.child_spans(child, at=e.at)):
                    # Another record of the child at that home tells nothing new about the incident:
                    # the key re-opens only if the condition stops holding and holds again.
                    yield Fact((e.record, child), start, end, [(child, "child")], [e.record, link.record], {"incident": e},
                               reopen_by=[e.record])

    def satisfiers(self, world, s, keys):
        return {(i, c): moments_of(world.events_of("encompass_notification", c), lambda e, i=i, c=c: e.refs.get("incident") == i and c in e.persons("child"))
                for i, c in keys}

    def due(self, fact, raised_at, s):
        return next_working_day_at(fact.info["incident"].at, dt.time(9))

    def summary(self, fact, world):
        return (f"{world.name(fact.key[1])} was present at or lives where domestic abuse happened on "
                f"{fact.info['incident'].at:%d %b %Y}: tell the school before the next school day (Operation Encompass)")


@register
class DaMarac(Rule):
    code = "DA-MARAC"
    severity = "high"

    def facts(self, world, s):
        incidents = world.events.get("domestic_abuse_incident", ())
        for e in incidents:
            score, level = e.attrs.get("dash_score"), e.attrs.get("risk_level")
            high = (isinstance(score, int) and score >= 14) or level == "high"
            for victim in e.persons("victim"):
                reason = "high risk" if high else None
                start = e.start
                if not high:
                    window = sorted((o for o in world.events_of("domestic_abuse_incident", victim) if victim in o.persons("victim")
                                     and months_after(o.at, 12) >= e.at and o.at <= e.at), key=lambda o: o.start)
                    records = {o.record for o in window}
                    if len(records) >= 3:
                        reason = "third incident in 12 months"
                        seen, start = set(), e.start
                        for o in window:
                            seen.add(o.record)
                            if len(seen) == 3:
                                start = max(e.start, o.start)
                                break
                if reason:
                    yield Fact((e.record,), start, e.end if high else max(e.end, start), [(victim, "victim")], [e.record],
                               {"reason": reason, "victim": victim})

    def satisfiers(self, world, s, keys):
        out = {}
        for (record,) in keys:
            victims = {p for v in world.event_versions.get(record, ()) for p in v.persons("victim")}
            out[(record,)] = moments_of(world.events_of("marac_referral", *victims),
                                        lambda e, v=victims: bool(v & set(e.persons("victim"))))
        return out

    def due(self, fact, raised_at, s):
        return working_days_after(raised_at, 2)

    def summary(self, fact, world):
        return f"Refer {world.name(fact.info['victim'])} to MARAC: domestic abuse, {fact.info['reason']}"
