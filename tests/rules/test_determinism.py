"""Deterministic: evaluating at several horizons in turn gives the same alerts as one evaluation at
the last; and the history evaluated up to a later horizon answers "as of" an earlier moment as
an evaluation up to that moment did (rules.md, "Alerts": Deterministic, As of). Property-style,
over small random feeds that mix the rules' ingredients."""

from __future__ import annotations

import datetime as dt
import os

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .builders import (
    adult,
    child,
    episode,
    incident,
    lives,
    offence,
    online,
    place,
    plan,
    referral,
    risk_assessment,
    statutory_visit,
    strategy,
    who,
)

BASE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
HOURS = st.integers(min_value=0, max_value=24 * 40)
DAYS = st.integers(min_value=-20, max_value=45)


def t(hours: int) -> str:
    return (BASE + dt.timedelta(hours=hours)).isoformat()


def day(days: int) -> str:
    return (BASE + dt.timedelta(days=days)).date().isoformat()


@st.composite
def feeds(draw) -> list[dict]:
    records = [place("L1", uprn="100031234567", rec=t(0))]
    records.append(child("C1", draw(st.sampled_from(["2019-05-05", "2008", "2008-03", "2008-03-20", None, "2021-03-15"])),
                         rec=t(draw(HOURS))))
    records.append(lives("CL1", "C1", "L1", rec=t(0), start=draw(st.one_of(st.none(), DAYS.map(day)))))
    for n in (1, 2):
        pid = f"P{n}"
        records.append(adult(pid, draw(st.sampled_from(["1990-01-01", "2008", None])), rec=t(0)))
        # up to three versions of the adult's link to the child's home, at distinct moments
        for moment in draw(st.lists(HOURS, min_size=0, max_size=3, unique=True)):
            start = draw(st.one_of(st.none(), DAYS.map(day)))
            end = draw(st.one_of(st.none(), DAYS.map(day)))
            if start and end and end < start:
                start, end = end, start
            records.append(lives(f"PL{n}", pid, "L1", role=draw(st.sampled_from(["resides", "stays", "visits"])),
                                 start=start, end=end, rec=t(moment)))
        for i, moment in enumerate(draw(st.lists(HOURS, max_size=2, unique=True))):
            records.append(offence(f"O{n}{i}", pid, t(moment - draw(st.integers(0, 24 * 900))),
                                   draw(st.sampled_from(["violence", "sexual", "other"])),
                                   draw(st.sampled_from(["convicted", "suspected", "acquitted"])), role="suspect", rec=t(moment)))
        if draw(st.booleans()):
            records.append(risk_assessment(f"RA{n}", pid, t(draw(HOURS))))
    for i, moment in enumerate(draw(st.lists(HOURS, max_size=4, unique=True))):
        ends = draw(st.one_of(st.none(), st.integers(1, 48)))
        records.append(episode(f"M{i}", "C1", t(moment), rec=t(moment + (ends or 0)),
                               ends_at=t(moment + ends) if ends else None, risk_level=draw(st.sampled_from(["high", "medium"]))))
    if draw(st.booleans()):
        records.append(strategy("SD1", "C1", t(draw(HOURS)), draw(st.sampled_from(["s47", "no_s47"])), source="police"))
    for moment in draw(st.lists(HOURS, max_size=2, unique=True)):
        records.append(referral("R1", "C1", t(0), draw(st.sampled_from(["none_yet", "assessment", "early_help"])),
                                source="police", rec=t(moment)))
    if draw(st.booleans()):
        records.append(incident("DA1", t(draw(HOURS)), victim="P2", perpetrator="P1", location="L1",
                                dash_score=draw(st.integers(0, 27))))
    for moment, level in draw(st.lists(st.tuples(HOURS, st.sampled_from([None, "low", "very_high"])), max_size=2,
                                       unique_by=lambda x: x[0])):
        records.append(online("OR1", "P1", t(0), rec=t(moment), kirat_level=level, triaged_at=t(moment) if level else None))
    if draw(st.booleans()):
        records.append(plan("CPP1", "C1", t(draw(HOURS)), source="police"))
        for i, moment in enumerate(draw(st.lists(HOURS, max_size=2, unique=True))):
            records.append(statutory_visit(f"SV{i}", "C1", t(moment), source="police"))
    return records


def comparable(alerts: list[dict]) -> list[tuple]:
    return sorted((a["rule"], a["raised_at"], a["due_at"], a["status"], a["closed_at"], a["severity"], a["overdue"],
                   tuple(who(a)), tuple(sorted(e["id"] for e in a["evidence"]))) for a in alerts)


def as_of(alerts: list[dict]) -> list[tuple]:
    """What a moment's answer must keep when the history is evaluated further: which alerts had
    been raised, and their status then. (Severity and, for ONLINE-ACTION, the due time are as of
    the moment asked, and evidence and subjects grow with the records.)"""
    return sorted((a["rule"], a["raised_at"], a["status"], a["closed_at"],
                   None if a["rule"] == "ONLINE-ACTION" else a["due_at"]) for a in alerts)


def run(sg, records: list[dict], horizons: list[str]) -> tuple[list, dict]:
    """Load the records, evaluate at each horizon in turn; the final alerts, and each horizon's answer."""
    answers = {}
    with transaction.atomic():
        sg.load(*records)
        for horizon in horizons:
            answers[horizon] = as_of(sg.alerts(horizon))
        final = comparable(sg.alerts(horizons[-1]))
        earlier = {h: as_of(sg.alerts(h, evaluate=False)) for h in horizons}
        transaction.set_rollback(True)
    return final, answers, earlier


@settings(max_examples=int(os.environ.get("SAFEGUARD_PROPERTY_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=feeds(), steps=st.lists(st.integers(0, 24 * 50), min_size=1, max_size=5))
def test_step_by_step_evaluation_equals_one_evaluation_and_replays_the_past(sg, records, steps):
    last = t(24 * 60)
    horizons = [t(h) for h in sorted(set(steps))] + [last]
    once, _, _ = run(sg, records, [last])
    stepwise, answers, replayed = run(sg, records, horizons)
    assert stepwise == once
    # An alert raised at a moment no record was recorded was raised by a clock passing: its rule
    # must say so, for the running system re-evaluates clock rules every minute.
    from safeguard.rules.engine import rules

    recorded = {r["recorded_at"] for r in records}
    for rule, raised_at, *_ in once:
        assert raised_at in recorded or rules()[rule].clock, (rule, raised_at)
    for horizon in horizons:
        assert replayed[horizon] == answers[horizon], horizon
