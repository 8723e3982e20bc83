"""Writing inspections. Each service runs in one transaction, checks permission inside it and
writes its audit entry in the same transaction. Inspections never write to case files."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Mapping

from django.db import transaction

from safeguard.audit_trail.services import Action, audit_log
from safeguard.casework.models import Investigation
from safeguard.core.calendar import add_months, london_date
from safeguard.core.clock import now
from safeguard.core.errors import PermissionDenied, SafeguardError

from . import permissions
from .models import (
    CaseAudit,
    Criterion,
    CriterionGrade,
    Exercise,
    Framework,
    Grade,
    PlanAction,
    Recommendation,
    SampledCase,
    Topic,
)
from .sampling import draw, stratum_of

ACTION_PLAN_WEEKS = 6
REVISIT_MONTHS = 12


def _log(actor, action: Action, obj, **details) -> None:
    audit_log(actor=actor, action=action, object_type=obj._meta.label_lower, object_ids=[obj.pk], details=details)


# ---- frameworks --------------------------------------------------------------------------------

def ensure_default_framework() -> Framework:
    """The default framework, created if missing (the data migration seeds it; a test flush removes it)."""
    from .defaults import DEFAULT_CODE, DEFAULT_DESCRIPTION, DEFAULT_NAME, DEFAULT_TOPICS

    existing = Framework.objects.filter(code=DEFAULT_CODE).order_by("-version").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        framework = Framework.objects.create(code=DEFAULT_CODE, name=DEFAULT_NAME, description=DEFAULT_DESCRIPTION,
                                             created_at=now())
        for t_order, (title, criteria) in enumerate(DEFAULT_TOPICS, start=1):
            topic = Topic.objects.create(framework=framework, order=t_order, title=title)
            Criterion.objects.bulk_create([Criterion(topic=topic, order=c_order, text=text, guidance=guidance)
                                           for c_order, (text, guidance) in enumerate(criteria, start=1)])
        audit_log(actor=None, action=Action.COLLECTION, object_type="inspections.framework",
                  object_ids=[framework.pk], details={"seeded": DEFAULT_CODE})
    return framework


def framework_new_version(*, framework: Framework, actor) -> Framework:
    """A copy of the framework as its next version, for editing: the one in use stays as it is."""
    if not (actor.is_superuser or actor.has_role("administrator")):
        raise PermissionDenied("Only an administrator may change an audit framework.")
    with transaction.atomic():
        latest = Framework.objects.filter(code=framework.code).order_by("-version").first()
        copy = Framework.objects.create(code=framework.code, version=latest.version + 1, name=framework.name,
                                        description=framework.description, case_types=list(framework.case_types),
                                        created_at=now(), created_by=actor)
        for topic in framework.topics.prefetch_related("criteria"):
            new_topic = Topic.objects.create(framework=copy, order=topic.order, title=topic.title,
                                             description=topic.description)
            Criterion.objects.bulk_create([Criterion(topic=new_topic, order=c.order, text=c.text, guidance=c.guidance)
                                           for c in topic.criteria.all()])
        _log(actor, Action.COLLECTION, copy, copied_from=framework.pk)
    return copy


# ---- exercises ---------------------------------------------------------------------------------

def exercise_create(*, actor, title: str, organisation, framework: Framework, period_start: dt.date,
                    period_end: dt.date, case_types: list[str], teams: Iterable, sample_size: int, seed: int,
                    moderation_percent: int, auditors: Iterable) -> Exercise:
    auditors, teams = list(auditors), list(teams)
    with transaction.atomic():
        if not permissions.may_lead(actor) or not permissions.auditable_organisations(actor).filter(
                pk=organisation.pk).exists():
            raise PermissionDenied("You may not set up an audit of this organisation's case files.")
        if period_end < period_start:
            raise SafeguardError("The end of the period must be on or after its start.")
        if sample_size < 1:
            raise SafeguardError("The sample size must be at least 1.")
        if not 0 <= moderation_percent <= 100:
            raise SafeguardError("The share moderated must be between 0 and 100 per cent.")
        if not auditors:
            raise SafeguardError("Assign at least one auditor.")
        if moderation_percent and len(auditors) < 2:
            raise SafeguardError("Moderation needs a second auditor: assign at least two auditors, or moderate 0%.")
        if framework.case_types and not (case_types and set(case_types) <= set(framework.case_types)):
            raise SafeguardError(f"The framework {framework} is for these case types only: "
                                 f"{', '.join(framework.case_types)}. Choose among them, or another framework.")
        if any(team.organisation_id != organisation.pk for team in teams):
            raise SafeguardError("Choose teams of the organisation being audited.")
        exercise = Exercise.objects.create(
            title=title, organisation=organisation, framework=framework, period_start=period_start,
            period_end=period_end, case_types=sorted(case_types), sample_size=sample_size, seed=seed,
            moderation_percent=moderation_percent, lead=actor, created_at=now())
        exercise.teams.set(teams)
        exercise.auditors.set(auditors)
        _log(actor, Action.COLLECTION, exercise, auditors=[a.pk for a in auditors], sample_size=sample_size)
    return exercise


def exercise_population(exercise: Exercise):
    """The case files in the exercise's scope (the force's own investigations; casework's data)."""
    qs = Investigation.objects.filter(organisation=exercise.organisation_id,
                                      opened_at__date__gte=exercise.period_start,
                                      opened_at__date__lte=exercise.period_end)
    if exercise.case_types:
        qs = qs.filter(category__in=exercise.case_types)
    team_ids = list(exercise.teams.values_list("pk", flat=True))
    if team_ids:
        qs = qs.filter(team__in=team_ids)
    return qs


def exercise_draw_sample(*, exercise: Exercise, actor) -> list[SampledCase]:
    """Draw the sample and share it among the auditors; a share goes to a second auditor to moderate."""
    with transaction.atomic():
        exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if not permissions.is_lead(actor, exercise):
            raise PermissionDenied("Only the exercise's lead may draw its sample.")
        if exercise.status != Exercise.Status.DRAFT:
            raise SafeguardError("The sample has already been drawn.")
        rows = [(pk, stratum_of(cat, risk)) for pk, cat, risk in
                exercise_population(exercise).values_list("pk", "category", "risk_level")]
        drawn = draw(rows, exercise.sample_size, exercise.seed)
        auditors = sorted(exercise.auditors.values_list("pk", flat=True))
        moderated = _moderated_positions(len(drawn), exercise.moderation_percent, exercise.seed)
        cases = [SampledCase(exercise=exercise, investigation_id=pk, position=i + 1, stratum=stratum,
                             auditor_id=auditors[i % len(auditors)],
                             moderator_id=auditors[(i + 1) % len(auditors)] if i in moderated else None)
                 for i, (pk, stratum) in enumerate(drawn)]
        SampledCase.objects.bulk_create(cases)
        sizes: dict[str, list[int]] = {}
        for _, stratum in rows:
            sizes.setdefault(stratum, [0, 0])[0] += 1
        for _, stratum in drawn:
            sizes[stratum][1] += 1
        exercise.strata, exercise.population = sizes, len(rows)
        exercise.status, exercise.sampled_at = Exercise.Status.AUDITING, now()
        exercise.save(update_fields=["strata", "population", "status", "sampled_at"])
        _log(actor, Action.COLLECTION, exercise, drawn=len(cases), population=len(rows), seed=exercise.seed)
    return list(exercise.cases.all())


def _moderated_positions(n: int, percent: int, seed: int) -> set[int]:
    # A separate generator from the sample's, so the moderated share never changes which cases are drawn.
    count = math.ceil(n * percent / 100)
    return set(random.Random(f"moderation:{seed}").sample(range(n), count))  # noqa: S311 (reproducible on purpose, not secret)


# ---- grading -----------------------------------------------------------------------------------

def case_audit_submit(*, case: SampledCase, actor, overall_grade: str, rationale: str,
                      grades: Mapping[int, tuple[str, str]]) -> CaseAudit:
    """Record one auditor's grades for a case: every criterion of the framework, and the overall grade."""
    with transaction.atomic():
        case = SampledCase.objects.select_related("exercise").get(pk=case.pk)
        exercise = case.exercise
        if exercise.status != Exercise.Status.AUDITING:
            raise SafeguardError("This exercise is not open for grading.")
        if actor.pk == case.auditor_id:
            kind = CaseAudit.Kind.FIRST
        elif actor.pk == case.moderator_id:
            kind = CaseAudit.Kind.MODERATION
        else:
            raise PermissionDenied("This case file is not assigned to you.")
        if CaseAudit.objects.filter(case=case, kind=kind).exists():
            raise SafeguardError("You have already graded this case file.")
        criteria = set(Criterion.objects.filter(topic__framework=exercise.framework_id).values_list("pk", flat=True))
        missing = criteria - set(grades)
        if missing or set(grades) - criteria:
            raise SafeguardError(f"Grade every criterion: {len(missing)} not graded.")
        valid = set(Grade.values)
        if overall_grade not in valid or any(g not in valid for g, _ in grades.values()):
            raise SafeguardError("Choose good, requires improvement or inadequate.")
        if not rationale.strip():
            raise SafeguardError("Give the rationale for the overall grade.")
        audit = CaseAudit.objects.create(case=case, kind=kind, auditor=actor, overall_grade=overall_grade,
                                         rationale=rationale.strip(), submitted_at=now())
        CriterionGrade.objects.bulk_create([CriterionGrade(audit=audit, criterion_id=pk, grade=grade,
                                                           comment=comment.strip())
                                            for pk, (grade, comment) in grades.items()])
        _log(actor, Action.COLLECTION, audit, case=case.pk, kind=kind, grade=overall_grade)
    return audit


def case_settle(*, case: SampledCase, actor, grade: str, note: str) -> SampledCase:
    """The lead settles a disagreement between the auditor and the moderator, and says why."""
    with transaction.atomic():
        case = SampledCase.objects.select_for_update().select_related("exercise").get(pk=case.pk)
        if not permissions.is_lead(actor, case.exercise):
            raise PermissionDenied("Only the exercise's lead may settle a disagreement.")
        overall = dict(CaseAudit.objects.filter(case=case).values_list("kind", "overall_grade"))
        if len(overall) < 2 or len(set(overall.values())) < 2:
            raise SafeguardError("There is no disagreement to settle on this case file.")
        if grade not in Grade.values:
            raise SafeguardError("Choose good, requires improvement or inadequate.")
        if not note.strip():
            raise SafeguardError("Record how the disagreement was settled.")
        case.settled_grade, case.settled_by, case.settled_at, case.settlement_note = grade, actor, now(), note.strip()
        case.save(update_fields=["settled_grade", "settled_by", "settled_at", "settlement_note"])
        _log(actor, Action.ALTERATION, case, settled=grade, first=overall.get("first"),
             moderation=overall.get("moderation"))
    return case


def outstanding(exercise: Exercise) -> list[str]:
    """What is left to do before the report can be published, in words."""
    cases = list(exercise.cases.all())
    audits: dict[int, dict[str, str]] = {}
    for case_id, kind, grade in CaseAudit.objects.filter(case__exercise=exercise).values_list(
            "case_id", "kind", "overall_grade"):
        audits.setdefault(case_id, {})[kind] = grade
    ungraded = sum(1 for c in cases if "first" not in audits.get(c.pk, {}))
    unmoderated = sum(1 for c in cases if c.moderator_id and "moderation" not in audits.get(c.pk, {}))
    unsettled = sum(1 for c in cases if len(set(audits.get(c.pk, {}).values())) > 1 and not c.settled_grade)
    out = []
    if not cases:
        out.append("Draw the sample.")
    if ungraded:
        out.append(f"{ungraded} case file{'s' if ungraded != 1 else ''} not graded yet.")
    if unmoderated:
        out.append(f"{unmoderated} case file{'s' if unmoderated != 1 else ''} not moderated yet.")
    if unsettled:
        out.append(f"{unsettled} disagreement{'s' if unsettled != 1 else ''} to settle.")
    return out


def exercise_publish(*, exercise: Exercise, actor, summary: str) -> Exercise:
    """Publish the report: the action plan is due 6 weeks later, the revisit within 12 months."""
    with transaction.atomic():
        exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if not permissions.is_lead(actor, exercise):
            raise PermissionDenied("Only the exercise's lead may publish its report.")
        if exercise.status != Exercise.Status.AUDITING:
            raise SafeguardError("Only an exercise being audited can be published.")
        left = outstanding(exercise)
        if left:
            raise SafeguardError("The report cannot be published yet: " + " ".join(left))
        if not summary.strip():
            raise SafeguardError("Write the report's summary of findings.")
        published = now()
        day = london_date(published)
        exercise.summary, exercise.published_at, exercise.status = summary.strip(), published, Exercise.Status.PUBLISHED
        exercise.action_plan_due_on = day + dt.timedelta(weeks=ACTION_PLAN_WEEKS)
        exercise.revisit_on = add_months(day, REVISIT_MONTHS)
        exercise.save(update_fields=["summary", "published_at", "status", "action_plan_due_on", "revisit_on"])
        _log(actor, Action.ALTERATION, exercise, published=True)
    return exercise


# ---- recommendations and the action plan --------------------------------------------------------

def recommendation_add(*, exercise: Exercise, actor, text: str, priority: str, owner) -> Recommendation:
    with transaction.atomic():
        exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
        if not permissions.may_manage_plan(actor, exercise):
            raise PermissionDenied("You may not make recommendations on this exercise.")
        if not text.strip():
            raise SafeguardError("Enter the recommendation.")
        if priority not in Recommendation.Priority.values:
            raise SafeguardError("Choose when the recommendation must be met.")
        if owner.organisation_id != exercise.organisation_id:
            raise SafeguardError("The owner must work for the organisation audited.")
        number = (exercise.recommendations.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        rec = Recommendation.objects.create(exercise=exercise, number=number, text=text.strip(), priority=priority,
                                            owner=owner, created_at=now(), created_by=actor)
        _log(actor, Action.COLLECTION, rec, exercise=exercise.pk, priority=priority)
    return rec


def plan_action_add(*, recommendation: Recommendation, actor, description: str, owner, due_on: dt.date) -> PlanAction:
    with transaction.atomic():
        if not permissions.may_manage_plan(actor, recommendation.exercise) and recommendation.owner_id != actor.pk:
            raise PermissionDenied("You may not add actions to this recommendation.")
        if not description.strip():
            raise SafeguardError("Describe the action.")
        if owner.organisation_id != recommendation.exercise.organisation_id:
            raise SafeguardError("The owner must work for the organisation audited.")
        moment = now()
        action = PlanAction.objects.create(recommendation=recommendation, description=description.strip(), owner=owner,
                                           due_on=due_on, created_at=moment, updated_at=moment)
        _log(actor, Action.COLLECTION, action, recommendation=recommendation.pk)
    return action


def plan_action_update(*, action: PlanAction, actor, status: str, evidence: str) -> PlanAction:
    """Move an action on; an action is done only with the evidence that it is."""
    with transaction.atomic():
        action = PlanAction.objects.select_for_update().select_related("recommendation__exercise").get(pk=action.pk)
        if not permissions.may_update_action(actor, action):
            raise PermissionDenied("You may not update this action.")
        if status not in PlanAction.Status.values:
            raise SafeguardError("Choose the action's status.")
        if status == PlanAction.Status.DONE and not evidence.strip():
            raise SafeguardError("Give the evidence that the action is done.")
        moment = now()
        changed = [f for f, v in (("status", status), ("evidence", evidence.strip())) if getattr(action, f) != v]
        action.status, action.evidence, action.updated_at = status, evidence.strip(), moment
        action.done_at = moment if status == PlanAction.Status.DONE else None
        action.save(update_fields=["status", "evidence", "updated_at", "done_at"])
        _log(actor, Action.ALTERATION, action, fields=changed, status=status)
    return action
