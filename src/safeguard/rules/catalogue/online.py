"""Online child sexual abuse referrals."""

from __future__ import annotations

from safeguard.core.calendar import hours_after, working_days_after
from safeguard.feed.schema import parse_datetime

from ..engine import Fact, Rule, register
from ..intervals import INF
from .common import moments_of
from .csc import _version_facts

LEVEL_SEVERITY = {"very_high": "critical", "high": "high", "medium": "medium", "low": "low"}


@register
class OnlineTriage(Rule):
    code = "ONLINE-TRIAGE"
    severity = "medium"

    def facts(self, world, s):
        for e in world.events.get("online_csea_referral", ()):
            if e is world.event_versions[e.record][0]:
                yield Fact((e.record,), e.start, INF, [(p, "suspect") for p in e.persons("suspect")], [e.record], {"event": e})

    def satisfiers(self, world, s, keys):
        return {(r,): moments_of(world.event_versions.get(r, ()), lambda e: e.attrs.get("kirat_level")) for (r,) in keys}

    def due(self, fact, raised_at, s):
        return working_days_after(fact.info["event"].at, s.online_triage_working_days)

    def summary(self, fact, world):
        return f"Online child abuse referral {fact.info['event'].attrs.get('reference', '')} is waiting for triage".replace("  ", " ")


@register
class OnlineAction(Rule):
    code = "ONLINE-ACTION"
    severity = "medium"

    def facts(self, world, s):
        yield from _version_facts(world, lambda e: (e.record,), world.events.get("online_csea_referral", ()),
                                  lambda e: e.attrs.get("kirat_level") and e.attrs.get("triaged_at")
                                  and not e.attrs.get("actioned_at"), role="suspect")

    def satisfiers(self, world, s, keys):
        return {(r,): moments_of(world.event_versions.get(r, ()), lambda e: e.attrs.get("actioned_at")) for (r,) in keys}

    def _level(self, fact, world, raised_at):
        versions = [v for v in world.event_versions.get(fact.key[0], ()) if v.start <= raised_at and v.attrs.get("kirat_level")]
        return (versions[-1] if versions else fact.info["event"]).attrs["kirat_level"], fact.info["event"]

    def due(self, fact, raised_at, s):
        event = fact.info["event"]
        return hours_after(parse_datetime(event.attrs["triaged_at"], "triaged_at"), s.online_action_hours[event.attrs["kirat_level"]])

    def severity_of(self, fact, raised_at, world, s):
        return LEVEL_SEVERITY[fact.info["event"].attrs["kirat_level"]]

    def summary(self, fact, world):
        level = fact.info["event"].attrs["kirat_level"].replace("_", " ")
        return f"Online child abuse referral triaged {level}: action it"
