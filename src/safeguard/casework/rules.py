"""SUPERVISION-DUE and INVESTIGATION-STALE (shared/spec/rules.md, "Investigations held in
Safeguard"), registered with the rule engine.

Investigations are not fed: their "as of" is their own history. As of the engine's horizon a
case is open between its `opened` (or `reopened`) and `closed` log entries, its risk level is
the one its log says (the `opened` entry's `risk`, then each `risk` entry's `to`), its
supervision is its reviews' `reviewed_at`, and its activity is every log entry's `at`. The
current columns (`last_reviewed_at`, `last_activity_at`) are not read here: they know nothing
of the past. Everything is read in four set-based queries for all cases at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from safeguard.core.calendar import days_after, london_date
from safeguard.rules.engine import Fact, Rule, register
from safeguard.rules.intervals import INF, Interval, intersect, union

from .models import Investigation, InvestigationLog, InvestigationSubject, SupervisoryReview

Kind = InvestigationLog.Kind
WARN_BEFORE = dt.timedelta(days=2)  # rules.md: raised 2 days before the cadence's end


@dataclass
class CaseHistory:
    pk: int
    reference: str
    open: list[Interval] = field(default_factory=list)
    risks: list[tuple[dt.datetime, str]] = field(default_factory=list)  # (from when, risk level)
    activity: list[dt.datetime] = field(default_factory=list)
    reviews: list[dt.datetime] = field(default_factory=list)
    children: list[int] = field(default_factory=list)

    @property
    def opened_at(self) -> dt.datetime:
        return self.activity[0]

    def risk_segments(self) -> list[tuple[dt.datetime, dt.datetime, str]]:
        ends = [at for at, _ in self.risks[1:]] + [INF]
        return [(at, end, risk) for (at, risk), end in zip(self.risks, ends, strict=True) if at < end]


def histories(world) -> dict[int, CaseHistory]:
    """Every case's history as of the horizon; loaded once per evaluation."""
    cached = getattr(world, "_casework_histories", None)
    if cached is not None:
        return cached
    horizon = world.horizon
    cases: dict[int, CaseHistory] = {}
    opened: dict[int, dt.datetime | None] = {}
    spans: dict[int, list[Interval]] = defaultdict(list)
    references = dict(Investigation.objects.values_list("pk", "reference"))
    for pk, at, kind, data in InvestigationLog.objects.filter(at__lte=horizon).order_by("investigation_id", "at", "pk").values_list(
            "investigation_id", "at", "kind", "data").iterator(chunk_size=10_000):
        case = cases.setdefault(pk, CaseHistory(pk, references.get(pk, str(pk))))
        case.activity.append(at)
        if kind in (Kind.OPENED, Kind.REOPENED) and opened.get(pk) is None:
            opened[pk] = at
        elif kind == Kind.CLOSED and opened.get(pk) is not None:
            spans[pk].append((opened[pk], at))
            opened[pk] = None
        if kind == Kind.OPENED and data.get("risk"):
            case.risks.append((at, data["risk"]))
        elif kind == Kind.RISK and data.get("to"):
            case.risks.append((at, data["to"]))
    for pk, start in opened.items():
        if start is not None:
            spans[pk].append((start, INF))
    for pk, case in cases.items():
        case.open = union(spans[pk])
    for pk, at in SupervisoryReview.objects.filter(reviewed_at__lte=horizon).order_by("reviewed_at").values_list(
            "investigation_id", "reviewed_at"):
        if pk in cases:
            cases[pk].reviews.append(at)
    for pk, person, removed in InvestigationSubject.objects.filter(
            role=InvestigationSubject.Role.CHILD, added_at__lte=horizon).values_list(
            "investigation_id", "person_id", "removed_at"):
        if pk in cases and (removed is None or removed > horizon):
            cases[pk].children.append(person)
    world._casework_histories = cases
    return cases


def _subjects(case: CaseHistory) -> list[tuple[int, str]]:
    return [(person, "child") for person in sorted(set(case.children))]


@register
class SupervisionDue(Rule):
    code = "SUPERVISION-DUE"
    severity = "medium"
    clock = True

    def facts(self, world, s):
        for case in histories(world).values():
            if not case.open or not case.risks:
                continue
            anchors = sorted({case.opened_at, *case.reviews})
            segments = case.risk_segments()
            for i, anchor in enumerate(anchors):
                following = anchors[i + 1] if i + 1 < len(anchors) else INF
                for seg_start, seg_end, risk in segments:
                    if seg_end <= anchor or seg_start >= following:
                        continue  # this risk level did not hold in this cadence
                    due = days_after(anchor, s.supervision_days[risk])
                    window = [(max(due - WARN_BEFORE, seg_start, anchor), min(seg_end, following))]
                    for start, end in intersect(union(window), case.open):
                        yield Fact((case.pk, london_date(due).isoformat()), start, end, _subjects(case), [],
                                   {"due": due, "risk": risk, "reference": case.reference,
                                    "days": s.supervision_days[risk]})

    def satisfiers(self, world, s, keys):
        cases = histories(world)
        return {key: list(cases[key[0]].reviews) for key in keys}

    def due(self, fact, raised_at, s):
        return fact.info["due"]

    def severity_of(self, fact, raised_at, world, s):
        # "high once overdue", as of the moment the engine asks about (else the horizon)
        moment = getattr(world, "asking", None) or world.horizon
        return "high" if moment > fact.info["due"] else "medium"

    def summary(self, fact, world):
        info = fact.info
        return (f"Investigation {info['reference']} needs a supervisory review by {info['due']:%d %B %Y} "
                f"({info['risk']} risk: reviewed every {info['days']} days)")


@register
class InvestigationStale(Rule):
    code = "INVESTIGATION-STALE"
    severity = "medium"
    clock = True

    def facts(self, world, s):
        for case in histories(world).values():
            moments = sorted(set(case.activity))
            for i, at in enumerate(moments):
                following = moments[i + 1] if i + 1 < len(moments) else INF
                quiet_from = days_after(at, s.investigation_stale_days)
                for start, end in intersect([(quiet_from, following)] if quiet_from < following else [], case.open):
                    yield Fact((case.pk,), start, end, _subjects(case), [],
                               {"reference": case.reference, "last": at, "days": s.investigation_stale_days})

    def satisfiers(self, world, s, keys):
        cases = histories(world)
        return {key: list(cases[key[0]].activity) for key in keys}

    def due(self, fact, raised_at, s):
        return raised_at

    def summary(self, fact, world):
        info = fact.info
        return (f"Investigation {info['reference']} has had no recorded activity since {info['last']:%d %B %Y} "
                f"({info['days']} days or more)")
