"""The rule engine: each rule says when its condition holds (facts over recorded time, per
key), what satisfies it, its due time, severity and summary. The engine turns that into the
alert history the spec defines (shared/spec/rules.md, "Alerts"):

- raised_at is the start of a span in which the condition holds without a break, so it is the
  moment a record arrived or a clock passed, never the moment the program ran;
- an alert closes as `satisfied` at the first satisfying record recorded at or after raised_at,
  or `lapsed` when the condition stops holding first; a satisfier arriving at the very moment
  the condition does means no alert at all;
- one alert per key at a time; a closed key opens again only when the condition breaks and
  holds again.

Evaluating once or many times gives the same alerts: everything is derived from the records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .intervals import INF, union
from .settings import RuleSettings
from .world import World

Key = tuple


@dataclass
class Fact:
    """The condition holds for `key` during [start, end)."""

    key: Key
    start: dt.datetime
    end: dt.datetime
    subjects: list[tuple[int, str]]
    evidence: list[int]
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class AlertData:
    rule: str
    key: str
    raised_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    severity: str
    summary: str
    subjects: list[tuple[int, str]]
    evidence: list[int]


class Rule:
    code: str = ""
    severity: str = "medium"
    #: rules whose condition depends on the clock alone must be re-evaluated as time passes
    clock: bool = False

    def facts(self, world: World, s: RuleSettings) -> Iterable[Fact]:
        raise NotImplementedError

    def satisfiers(self, world: World, s: RuleSettings, keys: set[Key]) -> dict[Key, list[dt.datetime]]:
        """Moments (recorded_at) at which a record satisfying each key arrived. A satisfier may
        arrive at the very moment the condition stops holding (a new version of the record that
        made it true): that closes the alert as satisfied, not lapsed."""
        return {}

    def due(self, fact: Fact, raised_at: dt.datetime, s: RuleSettings) -> dt.datetime | None:
        return None

    def severity_of(self, fact: Fact, raised_at: dt.datetime, world: World, s: RuleSettings) -> str:
        return self.severity

    def summary(self, fact: Fact, world: World) -> str:
        return self.code


_RULES: dict[str, Rule] = {}


def register(rule_class: type[Rule]) -> type[Rule]:
    """Rules register themselves here; other layers (casework) register theirs the same way."""
    _RULES[rule_class.code] = rule_class()
    return rule_class


def rules() -> dict[str, Rule]:
    from . import catalogue  # noqa: F401 - importing the catalogue registers its rules

    return dict(_RULES)


def key_text(rule: str, key: Key) -> str:
    return ":".join([rule, *(str(part) for part in key)])


def run_rule(rule: Rule, world: World, s: RuleSettings) -> list[AlertData]:
    facts_by_key: dict[Key, list[Fact]] = defaultdict(list)
    for fact in rule.facts(world, s):
        if fact.start < fact.end and fact.start <= world.horizon:
            facts_by_key[fact.key].append(fact)
    satisfiers = rule.satisfiers(world, s, set(facts_by_key))
    alerts = []
    for key, facts in facts_by_key.items():
        moments = sorted(m for m in satisfiers.get(key, ()) if m <= world.horizon)
        for start, end in union((f.start, f.end) for f in facts):
            if start > world.horizon:
                continue
            satisfied = next((m for m in moments if start <= m <= end), None)
            if satisfied == start:
                continue  # the condition and what satisfies it arrived together: nothing to do
            closed_at, reason = (satisfied, "satisfied") if satisfied else ((end, "lapsed") if end != INF else (None, ""))
            stop = closed_at or INF
            inside = [f for f in facts if f.start < stop and f.end > start]
            first = min((f for f in inside if f.start <= start), key=lambda f: f.start, default=inside[0])
            subjects = list(dict.fromkeys(subject for f in inside for subject in f.subjects))
            evidence = list(dict.fromkeys(record for f in inside for record in f.evidence))
            alerts.append(AlertData(
                rule=rule.code, key=key_text(rule.code, key), raised_at=start, due_at=rule.due(first, start, s),
                closed_at=closed_at, close_reason=reason, severity=rule.severity_of(first, start, world, s),
                summary=rule.summary(first, world), subjects=subjects, evidence=evidence,
            ))
    return alerts


def compute(horizon: dt.datetime, s: RuleSettings | None = None, only: set[str] | None = None) -> list[AlertData]:
    world = World(horizon)
    s = s or RuleSettings()
    out = []
    for code, rule in rules().items():
        if only is None or code in only:
            out.extend(run_rule(rule, world, s))
    return out
