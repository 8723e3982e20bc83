"""A force with case files of several types and risk levels, an inspector, a second auditor and
the force's senior leader."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pytest

from safeguard.accounts.models import Organisation, Team, User
from safeguard.casework.models import Investigation, InvestigationLog
from safeguard.inspections.models import Criterion
from safeguard.inspections.services import case_audit_submit

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"
OPENED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
#: (category, risk level): how many case files; 60 in all
MIX = {("neglect", "high"): 12, ("neglect", "medium"): 6, ("sexual", "high"): 18, ("physical", "medium"): 9,
       ("online", "standard"): 9, ("exploitation", "high"): 6}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Force:
    org: Organisation
    team: Team
    other_team: Team
    inspector: User
    auditor: User
    senior: User
    investigator: User
    outsider: User


@pytest.fixture
def force(make_user) -> Force:
    org = Organisation.objects.create(name="Northshire Police", kind="police")
    hmi = Organisation.objects.create(name="HM Inspectorate", kind="other")
    team = Team.objects.create(organisation=org, name="Child Protection North")
    other_team = Team.objects.create(organisation=org, name="Child Protection South")
    make = make_user
    return Force(
        org=org, team=team, other_team=other_team,
        inspector=make("inspector", organisation=hmi.name, roles=("inspector",), password=PASSWORD,
                       first_name="Ida", last_name="Inspector"),
        auditor=make("auditor", organisation=hmi.name, roles=("inspector",), password=PASSWORD,
                     first_name="Alan", last_name="Auditor"),
        senior=make("senior", organisation=org.name, roles=("senior_leader",), password=PASSWORD,
                    first_name="Sam", last_name="Senior"),
        investigator=make("investigator", organisation=org.name, roles=("investigator",), password=PASSWORD),
        outsider=make("outsider", organisation=hmi.name, roles=("inspector",), password=PASSWORD),
    )


def make_cases(force: Force, mix: dict[tuple[str, str], int] = MIX) -> list[Investigation]:
    cases = []
    n = 0
    for (category, risk), count in mix.items():
        for _ in range(count):
            n += 1
            cases.append(Investigation(
                reference=f"CP-2026-{n:06d}", title=f"Case {n}", category=category, risk_level=risk,
                organisation=force.org, team=force.team if n % 3 else force.other_team, officer=force.investigator,
                opened_at=OPENED + dt.timedelta(days=n), opened_by=force.investigator,
                last_activity_at=OPENED + dt.timedelta(days=n)))
    Investigation.objects.bulk_create(cases)
    saved = list(Investigation.objects.filter(organisation=force.org).order_by("pk"))
    InvestigationLog.objects.bulk_create([InvestigationLog(investigation=i, at=i.opened_at, actor=force.investigator,
                                                           kind="opened", text="Opened from a referral")
                                          for i in saved])
    return saved


@pytest.fixture
def cases(force) -> list[Investigation]:
    return make_cases(force)


@pytest.fixture
def framework(db):
    from safeguard.inspections.services import ensure_default_framework

    return ensure_default_framework()


@pytest.fixture
def exercise_factory(force, framework):
    from safeguard.inspections.services import exercise_create

    def make(**overrides):
        args = dict(actor=force.inspector, title="Audit 2026", organisation=force.org, framework=framework,
                    period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31), case_types=[], teams=[],
                    sample_size=21, seed=42, moderation_percent=20, auditors=[force.inspector, force.auditor])
        args.update(overrides)
        return exercise_create(**args)

    return make


# ---- grading helpers ---------------------------------------------------------------------------

def criteria_of(exercise) -> list[int]:
    return list(Criterion.objects.filter(topic__framework=exercise.framework_id).values_list("pk", flat=True))


def grade(case, actor, overall, criteria, per_criterion=None):
    grades = {pk: ((per_criterion or {}).get(pk, overall), "") for pk in criteria}
    return case_audit_submit(case=case, actor=actor, overall_grade=overall, rationale="Because.", grades=grades)


def grade_everything(exercise, overall_of, *, moderation_of=None, per_criterion=None):
    criteria = criteria_of(exercise)
    for case in exercise.cases.select_related("auditor", "moderator"):
        grade(case, case.auditor, overall_of(case), criteria, per_criterion)
        if case.moderator_id:
            grade(case, case.moderator, (moderation_of or overall_of)(case), criteria, per_criterion)




@pytest.fixture
def published(force, cases, exercise_factory):
    """21 case files graded like the 2019 inspection (10 requires improvement, 11 inadequate), published."""
    from safeguard.inspections import services

    exercise = exercise_factory()
    services.exercise_draw_sample(exercise=exercise, actor=force.inspector)
    grade_everything(exercise, lambda c: "requires_improvement" if c.position <= 10 else "inadequate")
    services.exercise_publish(exercise=exercise, actor=force.inspector, summary="No case file was good.")
    services.recommendation_add(exercise=exercise, actor=force.inspector, priority="immediate", owner=force.senior,
                                text="Record supervisory reviews at every key decision.")
    exercise.refresh_from_db()
    return exercise
