"""The rule engine: each rule says when its condition holds (facts over recorded time, per
key), what satisfies it, its due time, severity and summary. The engine turns that into the
alert history the spec defines (shared/spec/rules.md, "Alerts"):

- raised_at is the start of a span in which the condition holds without a break, so it is the
  moment a record arrived or a clock passed, never the moment the program ran;
- an alert closes as `satisfied` at the first satisfying record recorded at or after raised_at,
  or `lapsed` when the condition stops holding first; a satisfier arriving at the very moment
  the condition does means no alert at all;
- one alert per key at a time; a closed key opens again when the condition breaks and holds
  again, or when a new record makes it true again;
- severity is kept for every moment the alert was open, as the spec asks it "as of the moment
  asked".

Evaluating once or many times gives the same alerts: everything is derived from the records.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .intervals import INF, union
from .scope import Scope
from .settings import RuleSettings
from .world import World

Key = tuple

#: rules.md "Alerts": severity is as of the moment asked. The engine judges it at each moment it
#: may change (fact boundaries, the due time, and whatever a rule adds) and keeps the changes.
MICROSECOND = dt.timedelta(microseconds=1)


@dataclass
class Fact:
    """The condition holds for `key` during [start, end)."""

    key: Key
    start: dt.datetime
    end: dt.datetime
    subjects: list[tuple[int, str]]
    evidence: list[int]
    info: dict[str, Any] = field(default_factory=dict)
    #: what, new, re-opens a closed key (rules.md, "One alert per situation": "a new record ... that
    #: makes the condition true"): by default any record of the evidence; a rule names less when
    #: some of its evidence only repeats what was known (another agency's record of the same home)
    reopen_by: list | None = None

    @property
    def news(self) -> list:
        return self.evidence if self.reopen_by is None else self.reopen_by


@dataclass
class AlertData:
    rule: str
    key: str
    raised_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    severity: str  # as of the last moment the alert was open (by the horizon)
    summary: str  # in full, as the system reader sees it
    subjects: list[tuple[int, str]]
    evidence: list[int]
    #: (since, severity) for each change of severity while the alert was open, first at raised_at
    severities: list[tuple[dt.datetime, str]] = field(default_factory=list)
    #: the summary as text and maskable parts (world.Summary), rendered per viewer by the alerts app
    summary_parts: list = field(default_factory=list)


class Rule:
    code: str = ""
    severity: str = "medium"
    #: rules whose condition depends on the clock alone must be re-evaluated as time passes
    clock: bool = False
    #: what the rule reads about a subject besides the subject's own records, events (with their
    #: other subjects), links and relationships: kinds of rules.scope (PLACES, REFS, FOUND,
    #: INCIDENT_HOMES). The scope of an incremental evaluation follows only these, so a rule that
    #: reads more than it declares is judged from too little: tests/rules/test_scope.py and
    #: test_incremental.py.
    reads: frozenset[str] = frozenset()

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
        """The severity at the moment the engine asks about (world.asking; see
        catalogue.common.asked_moment)."""
        return self.severity

    def severity_moments(self, fact: Fact, world: World, s: RuleSettings) -> Iterable[dt.datetime]:
        """Moments, besides the key's fact boundaries and just after the due time, at which this
        rule's severity may change (a child coming onto a plan, a new level)."""
        return ()

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


@dataclass
class Life:
    """One alert of a key: raised, closed (or not) and the facts that held meanwhile."""

    raised_at: dt.datetime
    closed_at: dt.datetime | None
    reason: str
    first: Fact  # the fact that raised it: its details name the alert
    inside: list[Fact]


def lifecycles(facts: list[Fact], moments: list[dt.datetime], horizon: dt.datetime) -> list[Life]:
    """The alerts of one key (rules.md, "One alert per situation"): a span in which the condition
    holds raises an alert, which closes at the first satisfier recorded in the span, else lapses at
    its end. After it closes, the key opens again within the same span only when a new record
    (not one already among its evidence) makes the condition true; a fact whose records all
    arrived with or before the satisfier does not reopen it."""
    out = []
    for start, end in union((f.start, f.end) for f in facts):
        raised: dt.datetime | None = start
        known: set[int] = set()
        while raised is not None and raised <= horizon:
            satisfied = next((m for m in moments if raised <= m <= end), None)
            if satisfied != raised:  # else the condition and what satisfies it arrived together
                closed_at, reason = (satisfied, "satisfied") if satisfied else ((end, "lapsed") if end != INF else (None, ""))
                stop = closed_at or INF
                inside = [f for f in facts if f.start < stop and f.end > raised]
                first = min((f for f in inside if f.start <= raised and (not known or not known.issuperset(f.news))),
                            key=lambda f: f.start, default=inside[0])
                out.append(Life(raised, closed_at, reason, first, inside))
            if satisfied is None:
                break
            known.update(r for f in facts if f.start <= satisfied and f.end > raised for r in f.news)
            raised = min((f.start for f in facts if satisfied < f.start < end and not known.issuperset(f.news)),
                         default=None)
    return out


def run_rule(rule: Rule, world: World, s: RuleSettings) -> list[AlertData]:
    facts_by_key: dict[Key, list[Fact]] = defaultdict(list)
    for fact in rule.facts(world, s):
        if fact.start < fact.end and fact.start <= world.horizon:
            facts_by_key[fact.key].append(fact)
    satisfiers = rule.satisfiers(world, s, set(facts_by_key))
    alerts = []
    for key, facts in facts_by_key.items():
        moments = sorted(m for m in satisfiers.get(key, ()) if m <= world.horizon)
        for life in lifecycles(facts, moments, world.horizon):
            alerts.append(_alert(rule, key, life, facts, world, s))
    world.asking = None
    return alerts


def _alert(rule: Rule, key: Key, life: Life, facts: list[Fact], world: World, s: RuleSettings) -> AlertData:
    # Due and summary are judged at the last moment the alert was open by the horizon.
    last = max(life.raised_at, min(world.horizon, life.closed_at - MICROSECOND if life.closed_at else INF))
    world.asking = last
    due = rule.due(life.first, life.raised_at, s)
    text, parts = world.render(rule.summary(life.first, world))
    candidates = {life.raised_at, *(m for f in facts for m in (f.start, f.end)),
                  *rule.severity_moments(life.first, world, s)}
    if due is not None and due < INF:
        candidates.add(due + MICROSECOND)  # "overdue" is strictly after due_at
    severities: list[tuple[dt.datetime, str]] = []
    for moment in sorted(m for m in candidates if life.raised_at <= m <= last):
        world.asking = moment
        severity = rule.severity_of(life.first, life.raised_at, world, s)
        if not severities or severities[-1][1] != severity:
            severities.append((moment, severity))
    subjects = _in_role_order(subject for f in life.inside for subject in f.subjects)
    evidence = sorted({record for f in life.inside for record in f.evidence})
    return AlertData(
        rule=rule.code, key=key_text(rule.code, key), raised_at=life.raised_at, due_at=due, closed_at=life.closed_at,
        close_reason=life.reason, severity=severities[-1][1], summary=text, subjects=subjects, evidence=evidence,
        severities=severities, summary_parts=parts,
    )


def _in_role_order(subjects: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Each (person, role) once: roles in the order the rule named them first (the adult before
    the children), the people of a role by id, whatever order the facts came in."""
    by_role: dict[str, set[int]] = {}
    for person, role in subjects:
        by_role.setdefault(role, set()).add(person)
    return [(person, role) for role, people in by_role.items() for person in sorted(people)]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an evaluation runs. The World holds millions of
    small objects that live exactly as long as the evaluation, and each collection of the oldest
    generation walks all of them again while the rules allocate: at 20,000 people that was a
    large share of the CPU. Reference counting still frees everything the engine drops (it builds
    no reference cycles of any size), and the collector runs again as soon as the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compute(horizon: dt.datetime, s: RuleSettings | None = None, only: set[str] | None = None,
            scope: Scope | None = None) -> list[AlertData]:
    """Every alert as of the horizon; with a scope (rules.scope), only the alerts of keys that have
    an alert with a subject in its core, judged from the records of its people and places."""
    s = s or RuleSettings()
    out = []
    with gc_paused():
        world = World(horizon, scope)
        for code, rule in rules().items():
            if only is None or code in only:
                out.extend(run_rule(rule, world, s))
        del world
    if scope is not None:
        # Whole keys: a key's earlier alerts go with its later ones (alerts.services._existing).
        keys = {a.key for a in out if any(person in scope.core for person, _ in a.subjects)}
        out = [a for a in out if a.key in keys]
    return out
