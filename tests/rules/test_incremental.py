"""Incremental evaluation after a load (alerts.services.evaluate with the records and resolved ids
a load touched) must leave exactly the alerts a full evaluation gives. Proved on seeded random
loads: people of several agencies at a few shared addresses, with risk markers, plans, missing
episodes, referrals, relationships and assessments arriving in batches, late and out of order."""

from __future__ import annotations

import random

import pytest

from safeguard.access.system import system_reader
from safeguard.alerts.selectors import alerts_export
from safeguard.alerts.services import evaluate
from tests.feed.helpers import load as feed_load

from .builders import (
    adult,
    child,
    episode,
    incident,
    lives,
    offence,
    place,
    plan,
    referral,
    rel,
    risk_assessment,
)
from .conftest import moment

HORIZON = "2026-06-01T12:00:00+00:00"
MIDWAY = "2026-04-01T12:00:00+00:00"
SOURCES = ("police", "csc", "health")


def _when(rng: random.Random) -> str:
    return f"2026-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00+00:00"


def _batches(rng: random.Random, n_batches: int = 5) -> list[list[dict]]:
    """Batches of new records; references only to records of earlier batches or the same one."""
    people: list[tuple[str, str, bool]] = []  # (source/id, source, is child)
    places: list[str] = []
    batches = []
    for b in range(n_batches):
        batch: list[dict] = []
        for i in range(rng.randint(1, 2)):
            source = rng.choice(SOURCES)
            pid = f"L{b}{i}"
            batch.append(place(pid, f"{rng.randint(1, 4)} Maple Road, Kettering", "NN16 8AB", source=source, rec=_when(rng)))
            places.append(f"{source}/{pid}")
        for i in range(rng.randint(2, 4)):
            source, is_child = rng.choice(SOURCES), rng.random() < 0.5
            pid = f"P{b}{i}"
            dob = f"{rng.choice([2012, 2016, 2024]) if is_child else rng.choice([1970, 1990])}-05-05"
            builder = child if is_child else adult
            batch.append(builder(pid, dob, source=source, rec=f"2025-12-{rng.randint(1, 28):02d}T09:00:00+00:00"))
            people.append((f"{source}/{pid}", source, is_child))
        for i in range(rng.randint(2, 6)):
            who, source, is_child = rng.choice(people)
            kind = rng.random()
            rid, rec = f"E{b}{i}", _when(rng)
            if kind < 0.35:
                batch.append(lives(rid, who, rng.choice(places), role=rng.choice(["resides", "stays", "visits"]), rec=rec,
                                   source=source))
            elif kind < 0.5 and not is_child:
                batch.append(offence(rid, who, "2025-06-01T10:00:00+00:00", rng.choice(["violence", "sexual", "other"]),
                                     rng.choice(["convicted", "charged"]), rec=rec))
            elif kind < 0.6 and not is_child:
                batch.append(risk_assessment(rid, who, rec, rec=rec))
            elif kind < 0.7 and is_child:
                batch.append(plan(rid, who, rec))
            elif kind < 0.8 and is_child:
                batch.append(episode(rid, who, rec, risk_level=rng.choice(["high", "medium"])))
            elif kind < 0.85 and is_child:
                batch.append(referral(rid, who, rec))
            elif kind < 0.93:
                other, _, _ = rng.choice(people)
                if other != who:
                    batch.append(rel(rid, who, other, rng.choice(["parent_of", "partner_of"]), rec=rec, source=source))
            else:
                other, _, _ = rng.choice(people)
                batch.append(incident(rid, rec, victim=other, perpetrator=who, dash_score=rng.choice([5, 15])))
        batches.append(batch)
    return batches


def _snapshot(at: str) -> list[tuple]:
    alerts = alerts_export(user=system_reader(), moment=moment(at), include_closed=True)
    return sorted((a["rule"], a["raised_at"], a["due_at"], a["status"], a["closed_at"], a["severity"], a["summary"],
                   str([(s["role"], str(s["records"])) for s in a["subjects"]]),  # in order: the order is part of
                   str([(e["source"], e["id"]) for e in a["evidence"]])) for a in alerts)  # the result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_evaluation_after_each_load_equals_a_full_evaluation(sg, seed):
    rng = random.Random(seed)
    for batch in _batches(rng):
        summary = feed_load(*batch)
        assert summary.rejected == 0, [str(e) for e in summary.errors]
        persons, locations = sg._link()
        evaluate(horizon=moment(HORIZON), records=set(summary.touched_record_ids), persons=persons, locations=locations)
    incremental = _snapshot(HORIZON), _snapshot(MIDWAY)
    again = evaluate(horizon=moment(HORIZON))
    full = _snapshot(HORIZON), _snapshot(MIDWAY)
    assert full[0], "the random loads raised no alert: the comparison proves nothing"
    assert incremental == full
    # nothing stored differs from what the full evaluation computes (it writes only what changed)
    assert (again["created"], again["updated"], again["removed"]) == (0, 0, 0), again
