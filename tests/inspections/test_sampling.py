"""The sample: random, stratified by case type and risk level, reproducible from its seed."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.core.errors import SafeguardError
from safeguard.inspections.models import Exercise
from safeguard.inspections.sampling import allocate, draw
from safeguard.inspections.services import exercise_draw_sample

from .conftest import MIX


def _population() -> list[tuple[int, str]]:
    rows, n = [], 0
    for (category, risk), count in MIX.items():
        for _ in range(count):
            n += 1
            rows.append((n, f"{category}|{risk}"))
    return rows


def test_the_same_seed_draws_the_same_sample_whatever_order_the_cases_come_in():
    population = _population()
    assert draw(population, 21, seed=7) == draw(list(reversed(population)), 21, seed=7)


def test_another_seed_draws_another_sample():
    population = _population()
    assert {c for c, _ in draw(population, 21, seed=7)} != {c for c, _ in draw(population, 21, seed=8)}


def test_each_stratum_gets_its_proportional_share():
    # 60 cases, 21 drawn: each stratum gets 21 x its share of 60 (18 sexual/high: 6.3, 12 neglect/high:
    # 4.2, 9: 3.15, 6: 2.1); the one left over goes to the largest remainder (sexual/high, 0.3).
    drawn = Counter(stratum for _, stratum in draw(_population(), 21, seed=1))
    assert drawn == {"sexual|high": 7, "neglect|high": 4, "physical|medium": 3, "online|standard": 3,
                     "neglect|medium": 2, "exploitation|high": 2}
    assert sum(drawn.values()) == 21


def test_a_sample_larger_than_the_scope_is_refused_with_a_reason():
    with pytest.raises(SafeguardError, match="larger than the number of cases in scope"):
        allocate({"neglect|high": 3}, 4)


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.integers(min_value=0, max_value=200), min_size=1,
                       max_size=12), st.data())
def test_allocation_is_within_one_of_the_exact_share_and_sums_to_the_sample(sizes, data):
    total = sum(sizes.values())
    n = data.draw(st.integers(min_value=0, max_value=total))
    shares = allocate(sizes, n)
    assert sum(shares.values()) == n
    for key, size in sizes.items():
        exact = n * size / total if total else 0
        assert exact - 1 < shares[key] <= size
        assert shares[key] < exact + 1


def test_drawing_an_exercise_samples_its_scope_and_shares_the_cases_among_auditors(force, cases, exercise_factory):
    exercise = exercise_factory(case_types=["neglect", "sexual"], teams=[force.team], sample_size=10)
    sampled = exercise_draw_sample(exercise=exercise, actor=force.inspector)

    in_scope = {c.pk for c in cases if c.category in ("neglect", "sexual") and c.team_id == force.team.pk}
    assert len(sampled) == 10
    assert {s.investigation_id for s in sampled} <= in_scope
    exercise.refresh_from_db()
    assert exercise.status == Exercise.Status.AUDITING
    assert exercise.population == len(in_scope)
    assert sum(drawn for _, drawn in exercise.strata.values()) == 10
    # Shared between the two auditors; 20% moderated, each by the other auditor.
    assert Counter(s.auditor_id for s in sampled) == {force.inspector.pk: 5, force.auditor.pk: 5}
    moderated = [s for s in sampled if s.moderator_id]
    assert len(moderated) == 2
    assert all(s.moderator_id != s.auditor_id for s in moderated)


def test_redrawing_with_the_same_seed_gives_the_same_exercise_sample(force, cases, exercise_factory):
    first = exercise_draw_sample(exercise=exercise_factory(seed=99), actor=force.inspector)
    second = exercise_draw_sample(exercise=exercise_factory(seed=99), actor=force.inspector)
    assert [s.investigation_id for s in first] == [s.investigation_id for s in second]


def test_a_sample_is_drawn_once_and_only_by_the_lead(force, cases, exercise_factory):
    exercise = exercise_factory()
    with pytest.raises(SafeguardError, match="Only the exercise's lead"):
        exercise_draw_sample(exercise=exercise, actor=force.auditor)
    exercise_draw_sample(exercise=exercise, actor=force.inspector)
    with pytest.raises(SafeguardError, match="already been drawn"):
        exercise_draw_sample(exercise=exercise, actor=force.inspector)
