"""Grading, moderation, results, publishing, frameworks and the action plan, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.audit_trail.models import AuditEntry
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.inspections import selectors, services
from safeguard.inspections.models import CaseAudit, Criterion, Exercise, Framework, Grade, PlanAction

from .conftest import criteria_of as _criteria
from .conftest import grade, grade_everything

GOOD, RI, INADEQUATE = Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE


@pytest.fixture
def sampled(force, cases, exercise_factory):
    exercise = exercise_factory()
    services.exercise_draw_sample(exercise=exercise, actor=force.inspector)
    return exercise


def test_grades_aggregate_into_the_headline_by_case_type_and_by_topic(sampled):
    # Positions 1-10 requires improvement, 11-21 inadequate, as in the 2019 inspection.
    criteria = _criteria(sampled)
    worst = criteria[0]
    grade_everything(sampled, lambda c: RI if c.position <= 10 else INADEQUATE, per_criterion={worst: INADEQUATE})

    results = selectors.results(sampled)

    assert results.headline == "21 case files: 0 good, 10 requires improvement, 11 inadequate"
    assert results.counts == {"good": 0, "requires_improvement": 10, "inadequate": 11}
    assert sum(sum(c.values()) for _, c in results.by_type) == 21
    expected_by_type = {}
    for row in selectors.sample(sampled):
        counts = expected_by_type.setdefault(row.category, {"good": 0, "requires_improvement": 0, "inadequate": 0})
        counts[row.final] += 1
    assert dict(results.by_type) == expected_by_type
    # Each topic has 3 criteria, graded on 21 files by the first auditor: 63 grades a topic.
    assert [sum(c.values()) for _, c in results.by_topic] == [63] * 6
    leadership = dict(results.by_topic)["Leadership and supervision"]
    assert leadership == {"good": 0, "requires_improvement": 20, "inadequate": 43}
    # The criterion graded inadequate on every file comes first.
    assert results.worst_criteria[0][1] == Criterion.objects.get(pk=worst).text
    assert results.worst_criteria[0][2] == 21


def test_a_disagreement_must_be_settled_by_the_lead_before_publishing(force, sampled):
    moderated = list(sampled.cases.exclude(moderator=None))
    assert len(moderated) == 5  # 20% of 21, rounded up
    disputed = moderated[0]
    grade_everything(sampled, lambda c: INADEQUATE,
                     moderation_of=lambda c: RI if c.pk == disputed.pk else INADEQUATE)

    assert services.outstanding(sampled) == ["1 disagreement to settle."]
    assert selectors.results(sampled).total == 20  # the disputed file counts only once settled
    with pytest.raises(SafeguardError, match="1 disagreement to settle"):
        services.exercise_publish(exercise=sampled, actor=force.inspector, summary="Findings.")
    with pytest.raises(PermissionDenied):
        services.case_settle(case=disputed, actor=force.auditor, grade=RI, note="Agreed.")
    with pytest.raises(SafeguardError, match="no disagreement"):
        services.case_settle(case=moderated[1], actor=force.inspector, grade=RI, note="Agreed.")
    with pytest.raises(SafeguardError, match="Record how"):
        services.case_settle(case=disputed, actor=force.inspector, grade=RI, note="  ")

    services.case_settle(case=disputed, actor=force.inspector, grade=RI, note="Moderation meeting: agreed RI.")

    assert selectors.results(sampled).counts == {"good": 0, "requires_improvement": 1, "inadequate": 20}
    published = services.exercise_publish(exercise=sampled, actor=force.inspector, summary="Findings.")
    day = published.published_at.date()
    assert published.status == Exercise.Status.PUBLISHED
    assert published.action_plan_due_on - dt.timedelta(weeks=6) in (day, day + dt.timedelta(days=1))
    assert published.revisit_on.year == day.year + 1
    assert AuditEntry.objects.filter(object_type="inspections.sampledcase", object_ids=[str(disputed.pk)],
                                     action="alteration").exists()


def test_only_the_assigned_auditors_grade_and_each_grades_once_with_every_criterion(force, sampled):
    case = sampled.cases.get(position=1)
    criteria = _criteria(sampled)
    with pytest.raises(PermissionDenied):
        grade(case, force.outsider, RI, criteria)
    with pytest.raises(SafeguardError, match="Grade every criterion: 1 not graded"):
        grade(case, case.auditor, RI, criteria[1:])
    with pytest.raises(SafeguardError, match="Choose good"):
        grade(case, case.auditor, "excellent", criteria)
    grade(case, case.auditor, RI, criteria)
    with pytest.raises(SafeguardError, match="already graded"):
        grade(case, case.auditor, RI, criteria)
    assert CaseAudit.objects.filter(case=case).count() == 1


def test_a_framework_in_use_never_changes_editing_makes_a_new_version(force, sampled, make_user):
    admin = make_user("admin", roles=("administrator",))
    used = sampled.framework
    assert used.in_use
    with pytest.raises(PermissionDenied):
        services.framework_new_version(framework=used, actor=force.inspector)

    copy = services.framework_new_version(framework=used, actor=admin)

    assert (copy.code, copy.version) == (used.code, used.version + 1)
    assert Criterion.objects.filter(topic__framework=copy).count() == Criterion.objects.filter(
        topic__framework=used).count() == 18
    assert not copy.in_use
    assert Framework.objects.get(pk=used.pk).exercises.get() == sampled


def test_the_admin_refuses_to_edit_a_framework_in_use(rf, sampled, make_user):
    from django.contrib import admin

    superuser = make_user("root", roles=("administrator",), is_superuser=True, is_staff=True)
    request = rf.get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[Framework]
    assert not model_admin.has_change_permission(request, sampled.framework)
    assert not any(inline.has_change_permission(request, sampled.framework) or inline.has_add_permission(
        request, sampled.framework) for inline in model_admin.get_inline_instances(request, sampled.framework))
    assert model_admin.has_change_permission(request, services.framework_new_version(
        framework=sampled.framework, actor=superuser))


def test_the_action_plan_is_tracked_to_done_with_evidence(force, sampled):
    grade_everything(sampled, lambda c: INADEQUATE)
    services.exercise_publish(exercise=sampled, actor=force.inspector, summary="Findings.")
    with pytest.raises(SafeguardError, match="work for the organisation audited"):
        services.recommendation_add(exercise=sampled, actor=force.inspector, text="Supervise.",
                                    priority="immediate", owner=force.auditor)
    rec = services.recommendation_add(exercise=sampled, actor=force.inspector, text="Supervise every case.",
                                      priority="immediate", owner=force.senior)
    action = services.plan_action_add(recommendation=rec, actor=force.senior, description="Brief sergeants.",
                                      owner=force.senior, due_on=dt.date(2026, 12, 1))
    with pytest.raises(PermissionDenied):
        services.plan_action_update(action=action, actor=force.investigator, status="done", evidence="x")
    with pytest.raises(SafeguardError, match="evidence"):
        services.plan_action_update(action=action, actor=force.senior, status="done", evidence="")

    services.plan_action_update(action=action, actor=force.senior, status="done", evidence="Briefing notes.")

    plan = selectors.plan(force.senior, sampled)
    assert [r.status for r in plan.recommendations] == ["Done"]
    assert (plan.actions_done, plan.actions_total, plan.percent_done) == (1, 1, 100)
    assert PlanAction.objects.get(pk=action.pk).done_at is not None


def test_the_force_sees_its_exercises_and_an_inspector_only_the_ones_they_are_on(force, sampled):
    assert list(selectors.exercises(force.senior)) == [sampled]
    assert list(selectors.exercises(force.auditor)) == [sampled]
    assert list(selectors.exercises(force.outsider)) == []
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.exercises(force.investigator)  # not a role that uses inspections


def test_an_exercise_is_refused_with_a_reason_when_its_setup_is_wrong(force, cases, exercise_factory):
    with pytest.raises(SafeguardError, match="second auditor"):
        exercise_factory(auditors=[force.inspector])
    with pytest.raises(SafeguardError, match="end of the period"):
        exercise_factory(period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        exercise_factory(actor=force.investigator)
    neglect_only = Framework.objects.create(code="neglect", name="Neglect audit", case_types=["neglect"],
                                            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(SafeguardError, match="for these case types only: neglect"):
        exercise_factory(framework=neglect_only, case_types=["neglect", "sexual"])
    exercise = exercise_factory(sample_size=500)
    with pytest.raises(SafeguardError, match="larger than the number of cases in scope"):
        services.exercise_draw_sample(exercise=exercise, actor=force.inspector)
    assert not exercise.cases.exists()


def test_results_compare_with_the_forces_earlier_exercise(force, cases, exercise_factory):
    earlier = exercise_factory(title="Audit 2025", seed=1)
    services.exercise_draw_sample(exercise=earlier, actor=force.inspector)
    grade_everything(earlier, lambda c: INADEQUATE)
    services.exercise_publish(exercise=earlier, actor=force.inspector, summary="Findings.")
    later = exercise_factory(title="Revisit", seed=2)
    services.exercise_draw_sample(exercise=later, actor=force.inspector)
    grade_everything(later, lambda c: GOOD if c.position <= 7 else RI)

    results = selectors.results(later)

    assert results.earlier == earlier
    assert results.earlier_counts == {"good": 0, "requires_improvement": 0, "inadequate": 21}
    assert results.counts == {"good": 7, "requires_improvement": 14, "inadequate": 0}
    assert selectors.results(earlier).earlier is None


def test_the_access_layers_two_questions_agree_for_every_inspection_object(force, sampled, make_user):
    from django.db.models import Model

    from safeguard.access.policy import can_view, registered, visible

    exercise = sampled
    grade_everything(exercise, lambda c: RI)
    rec = services.recommendation_add(exercise=exercise, actor=force.inspector, text="Supervise.",
                                      priority="immediate", owner=force.senior)
    services.plan_action_add(recommendation=rec, actor=force.senior, description="Brief.", owner=force.senior,
                             due_on=dt.date(2026, 12, 1))
    other_force = make_user("elsewhere", organisation="Southshire Police", roles=("senior_leader",))
    models: list[type[Model]] = [m for m in registered() if m._meta.app_label == "inspections"]
    assert len(models) == 6
    for user in (force.inspector, force.auditor, force.senior, force.outsider, other_force):
        for model in models:
            seen = set(visible(user, model.objects.all()).values_list("pk", flat=True))
            assert seen == {o.pk for o in model.objects.all() if can_view(user, o)}, (user, model)
            assert bool(seen) == (user in (force.inspector, force.auditor, force.senior)), (user, model)
