"""The demo inspection: 21 case files graded like the 2019 inspection, published, with an action plan under way."""

from __future__ import annotations

from safeguard.inspections import selectors
from safeguard.inspections.demo import seed_demo_inspection
from safeguard.inspections.models import Exercise, PlanAction


def test_the_demo_inspection_is_published_with_an_action_plan_in_progress(force, cases):
    seed_demo_inspection(rng_seed=1)
    seed_demo_inspection(rng_seed=1)  # a second run leaves it as it is

    exercise = Exercise.objects.get()
    results = selectors.results(exercise)
    assert exercise.status == Exercise.Status.PUBLISHED
    assert results.headline == "21 case files: 0 good, 10 requires improvement, 11 inadequate"
    assert exercise.cases.exclude(settled_grade="").count() == 1  # the moderator's disagreement, settled
    plan = selectors.plan(force.senior, exercise)
    assert len(plan.recommendations) == 4
    assert 0 < plan.actions_done < plan.actions_total
    assert PlanAction.objects.filter(status="in_progress").exists()


def test_no_demo_inspection_without_case_files(force):
    seed_demo_inspection()
    assert not Exercise.objects.exists()
