"""A demo inspection like the one behind Safeguard: 21 case files sampled and graded (none good,
most inadequate), moderated, published with recommendations and an action plan under way.

Everything goes through the services, so the demo's audit trail reads like real use."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count, Max, Min

from safeguard.accounts.models import Organisation, User
from safeguard.casework.models import Investigation
from safeguard.core.calendar import london_date
from safeguard.core.clock import now

from . import services
from .models import CaseAudit, Criterion, Exercise, Grade, PlanAction

DEMO_TITLE = "Child protection case-file audit (demo inspection)"
SAMPLE = 21

RECOMMENDATIONS = [
    ("immediate", "Make sure every child protection investigation has a recorded supervisory review at "
                  "allocation and at each key decision, with a rationale and directions.",
     [("Brief every detective sergeant on the supervision standard", "done", "Briefing slides and attendance list"),
      ("Dip-sample 20 cases a month for supervisory reviews and report to the senior leader", "in_progress", "")]),
    ("3_months", "Take part in every strategy discussion and record the police's contribution and agreed actions.",
     [("Agree attendance arrangements with children's social care", "in_progress", ""),
      ("Add a strategy discussion template to the case file", "not_started", "")]),
    ("3_months", "Assess and review risk with a structured method whenever circumstances change.",
     [("Train investigators in the structured risk assessment", "not_started", "")]),
    ("6_months", "Use bail with conditions rather than release under investigation where it protects the child.",
     [("Publish guidance on bail for child protection suspects", "not_started", "")]),
]


def _weighted(rng: random.Random, overall: str) -> str:
    weights = {Grade.INADEQUATE: (10, 40, 50), Grade.REQUIRES_IMPROVEMENT: (20, 60, 20)}[overall]
    return rng.choices([Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE], weights=weights)[0]


def _pick_force() -> Organisation | None:
    top = (Investigation.objects.filter(organisation__kind="police").values("organisation")
           .annotate(n=Count("pk")).order_by("-n").first())
    return Organisation.objects.get(pk=top["organisation"]) if top else None


def _users(force: Organisation) -> tuple[User, list[User], User] | None:
    inspectors = list(User.objects.filter(groups__name="inspector", is_active=True).order_by("pk"))
    if not inspectors:
        return None
    lead = inspectors[0]
    others = list(User.objects.filter(groups__name__in=("inspector", "supervisor"), is_active=True)
                  .exclude(pk=lead.pk).order_by("pk")[:1])
    owner = (User.objects.filter(groups__name="senior_leader", organisation=force, is_active=True).order_by("pk").first()
             or User.objects.filter(organisation=force, is_active=True).order_by("pk").first())
    return lead, [lead, *others], owner


def seed_demo_inspection(*, rng_seed: int = 1) -> None:
    """Create the demo inspection if there are case files to audit and it does not exist yet."""
    if Exercise.objects.filter(title=DEMO_TITLE).exists():
        return
    force = _pick_force()
    people = _users(force) if force else None
    if force is None or people is None or people[2] is None:
        return
    lead, auditors, owner = people
    span = Investigation.objects.filter(organisation=force).aggregate(first=Min("opened_at"), last=Max("opened_at"))
    population = Investigation.objects.filter(organisation=force).count()
    rng = random.Random(rng_seed)  # noqa: S311 (a reproducible demo, not a secret)
    exercise = services.exercise_create(
        actor=lead, title=DEMO_TITLE, organisation=force, framework=services.ensure_default_framework(),
        period_start=london_date(span["first"]), period_end=london_date(span["last"]), case_types=[], teams=[],
        sample_size=min(SAMPLE, population), seed=rng_seed, moderation_percent=20 if len(auditors) > 1 else 0,
        auditors=auditors)
    cases = services.exercise_draw_sample(exercise=exercise, actor=lead)
    _grade(cases, exercise, rng)
    for case in exercise.cases.all():
        overall = set(CaseAudit.objects.filter(case=case).values_list("overall_grade", flat=True))
        if len(overall) > 1:
            services.case_settle(case=case, actor=lead, grade=Grade.INADEQUATE,
                                 note="Discussed at the moderation meeting: the lack of supervision outweighs the prompt first response.")
    exercise = services.exercise_publish(
        exercise=exercise, actor=lead,
        summary="No case file was good. Supervision was missing or superficial in most cases, risk was not "
                "reassessed when circumstances changed, and partners were not always involved in decisions.")
    _plan(exercise, lead, owner)


def _grade(cases, exercise: Exercise, rng: random.Random) -> None:
    n = len(cases)
    inadequate = round(n * 11 / 21)
    overall = [Grade.INADEQUATE] * inadequate + [Grade.REQUIRES_IMPROVEMENT] * (n - inadequate)
    rng.shuffle(overall)
    criteria = list(Criterion.objects.filter(topic__framework=exercise.framework_id).values_list("pk", flat=True))
    disagreed = False
    for case, grade in zip(cases, overall, strict=True):
        services.case_audit_submit(case=case, actor=case.auditor, overall_grade=grade,
                                   rationale="Judged on the whole file against the framework.",
                                   grades={pk: (_weighted(rng, grade), "") for pk in criteria})
        if case.moderator_id:
            # One moderator disagrees, so the demo shows a settled disagreement.
            second = Grade.REQUIRES_IMPROVEMENT if grade == Grade.INADEQUATE and not disagreed else grade
            disagreed = disagreed or second != grade
            services.case_audit_submit(case=case, actor=case.moderator, overall_grade=second,
                                       rationale="Moderation: second reading of the file.",
                                       grades={pk: (_weighted(rng, second), "") for pk in criteria})


def _plan(exercise: Exercise, lead: User, owner: User) -> None:
    today = london_date(now())
    for priority, text, actions in RECOMMENDATIONS:
        rec = services.recommendation_add(exercise=exercise, actor=lead, text=text, priority=priority, owner=owner)
        weeks = {"immediate": 2, "3_months": 12, "6_months": 24}[priority]
        for description, status, evidence in actions:
            action = services.plan_action_add(recommendation=rec, actor=owner, description=description, owner=owner,
                                              due_on=today + dt.timedelta(weeks=weeks))
            if status != PlanAction.Status.NOT_STARTED:
                services.plan_action_update(action=action, actor=owner, status=status, evidence=evidence)
