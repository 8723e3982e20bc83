"""Believable demo casework over the people already in the database (the synthetic force's
children and adults): every stage and risk level, cases whose supervision is overdue, stale
cases, supervisors' directions past their deadline, bail with its clocks (some residence
addresses vague or unverified), and referrals to partners answered on time, late or not at all.

Histories are written as they would have happened (log entries at their own past moments), so
the rules and the oversight dashboards read them as of any date. Bulk inserts, one audit entry.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from safeguard.accounts.models import Organisation, Team, User
from safeguard.audit_trail.services import Action as AuditAction
from safeguard.audit_trail.services import audit_log
from safeguard.core.calendar import working_days_after
from safeguard.core.clock import now
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import PersonVersion

from .models import (
    Action,
    Bail,
    Investigation,
    InvestigationLog,
    InvestigationSubject,
    Referral,
    SupervisoryReview,
)
from .services import AGENCY_OF_KIND

CASES = 48
Kind = InvestigationLog.Kind
Stage = Investigation.Stage
CADENCE = {"high": 7, "medium": 14, "standard": 28}
TITLES = {
    "neglect": ["Home conditions and missed health appointments", "Neglect of a toddler reported by nursery"],
    "physical": ["Unexplained bruising to an infant", "Injury disclosed at school"],
    "sexual": ["Disclosure of sexual abuse by a family member", "Sexual assault reported by a teenager"],
    "emotional": ["Coercive household and a withdrawn child", "Emotional abuse reported by a grandparent"],
    "exploitation": ["County lines: child found out of area", "Child sexual exploitation concerns"],
    "online": ["Indecent images referral (KIRAT)", "Online grooming reported by a parent"],
    "domestic_abuse": ["Domestic abuse with children present", "Repeat domestic abuse incidents at home"],
    "missing": ["Repeat missing episodes and associates", "Missing from care with exploitation indicators"],
}
VAGUE = ["Corby area", "Kettering", "NFA", "Maple Road, Kettering"]
SPECIFIC = ["14 Mill Street, Corby NN17 1AA", "Flat 3, 22 Station Road, Kettering NN16 8BB",
            "Rose Cottage, Church Lane, Brigstock NN14 3EX"]


def _people(today: dt.date) -> tuple[list[int], list[int]]:
    child_born_after = today.replace(year=today.year - 17)
    adult_born_before = today.replace(year=today.year - 20)
    children = PersonMembership.objects.filter(record_id__in=PersonVersion.objects.filter(
        dob_earliest__gte=child_born_after).values("record_id")).values_list("person_id", flat=True).distinct()
    adults = PersonMembership.objects.filter(record_id__in=PersonVersion.objects.filter(
        dob_latest__lte=adult_born_before).values("record_id")).values_list("person_id", flat=True).distinct()
    return sorted(set(children[:2000])), sorted(set(adults[:2000]))


def _staff(police: Organisation) -> tuple[list[Team], dict[int, list[User]], dict[int, list[User]]]:
    teams = list(Team.objects.filter(organisation=police).order_by("pk"))
    workers = {t.pk: list(t.members.filter(groups__name__in=["investigator", "supervisor"]).distinct()) for t in teams}
    supervisors = {t.pk: list(t.supervisors.all()) for t in teams}
    anyone = list(User.objects.filter(organisation=police, groups__name__in=["investigator", "supervisor"]).distinct())
    for team in teams:
        workers[team.pk] = workers[team.pk] or anyone
        supervisors[team.pk] = supervisors[team.pk] or list(User.objects.filter(
            organisation=police, groups__name__in=["supervisor", "senior_leader"]).distinct()) or anyone
    return teams, workers, supervisors


def seed_demo_cases(*, rng_seed: int = 1) -> int:
    """Create the demo's investigations; returns how many. Needs a police organisation with
    case workers (demo_setup) and resolved people (a loaded, linked feed); else creates none."""
    rng = random.Random(rng_seed)  # noqa: S311 - reproducible demo data, not security
    moment = now()
    police = Organisation.objects.filter(kind=Organisation.Kind.POLICE).order_by("pk").first()
    if police is None:
        return 0
    seeded = Investigation.objects.filter(reference__regex=r"^CP-\d{4}-D\d{5}$").count()
    if seeded:
        return seeded  # seeded before: the demo's cases are not made twice
    teams, workers, supervisors = _staff(police)
    teams = [t for t in teams if workers[t.pk]]
    children, adults = _people(moment.date())
    if not teams or not children:
        return 0
    partners = list(Organisation.objects.filter(kind__in=list(AGENCY_OF_KIND)).order_by("pk"))
    with transaction.atomic():
        made = [_one_case(rng, i, moment, teams, workers, supervisors, children, adults, partners) for i in range(CASES)]
        audit_log(actor=None, actor_label="demo casework", action=AuditAction.COLLECTION, object_type="investigation",
                  object_ids=[c.pk for c in made], details={"reason": "demo cases seeded", "seed": rng_seed})
    return len(made)


def _one_case(rng: random.Random, i: int, moment: dt.datetime, teams, workers, supervisors, children, adults,
              partners) -> Investigation:
    # Most cases in the first team (the demo investigator's), the rest spread over the others.
    team = teams[0] if i % 3 else rng.choice(teams)
    officer = rng.choice(workers[team.pk])
    boss = rng.choice(supervisors[team.pk])
    category = rng.choice(list(TITLES))
    risk = rng.choices(["high", "medium", "standard"], weights=[3, 4, 3])[0]
    opened = moment - dt.timedelta(days=rng.randint(4, 160), hours=rng.randint(0, 10))
    case = Investigation.objects.create(
        reference=f"CP-{opened.year}-D{i + 1:05d}", title=rng.choice(TITLES[category]), category=category,
        risk_level=risk, organisation_id=team.organisation_id, team=team, officer=officer,
        origin=rng.choice(list(Investigation.Origin.values)), opened_at=opened, opened_by=officer,
        last_activity_at=opened, summary="Demo case: all details are fictional.")
    logs = [InvestigationLog(investigation=case, at=opened, actor=officer, kind=Kind.OPENED, text=f"Opened: {case.title}",
                             data={"risk": risk, "stage": Stage.REFERRAL})]
    child_ids = rng.sample(children, k=min(len(children), rng.choice([1, 1, 2, 3])))
    suspect_ids = rng.sample(adults, k=1) if adults and category not in ("missing", "neglect") else []
    InvestigationSubject.objects.bulk_create(
        [InvestigationSubject(investigation=case, person_id=p, role="child", added_at=opened) for p in child_ids]
        + [InvestigationSubject(investigation=case, person_id=p, role="suspect", added_at=opened) for p in suspect_ids])

    # A case's life: activity every few days, except stale cases that went quiet.
    # Older cases often finished some weeks ago; some open ones went quiet (stale).
    finishes = (moment - opened).days > 45 and rng.random() < 0.5
    stale = not finishes and rng.random() < 0.15
    quiet_from = (moment - dt.timedelta(days=rng.randint(8, 40)) if finishes
                  else moment - dt.timedelta(days=rng.randint(30, 45)) if stale else moment)
    at = opened
    stage = Stage.REFERRAL
    path = [Stage.STRATEGY_DISCUSSION, rng.choice([Stage.SECTION_47, Stage.CRIMINAL_INVESTIGATION])]
    if rng.random() < 0.5:
        path.append(Stage.CRIMINAL_INVESTIGATION if path[-1] == Stage.SECTION_47 else Stage.SECTION_47)
    while True:
        at += dt.timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 6))
        if at >= min(moment, quiet_from):
            break
        if path and rng.random() < 0.35:
            nxt = path.pop(0)
            logs.append(InvestigationLog(investigation=case, at=at, actor=officer, kind=Kind.STAGE,
                                         text="Decision recorded.", data={"from": stage, "to": nxt}))
            stage = nxt
        elif rng.random() < 0.08:
            new_risk = rng.choice([r for r in CADENCE if r != risk])
            logs.append(InvestigationLog(investigation=case, at=at, actor=officer, kind=Kind.RISK,
                                         text=f"Risk level changed from {risk} to {new_risk}",
                                         data={"from": risk, "to": new_risk}))
            risk = new_risk
        else:
            logs.append(InvestigationLog(investigation=case, at=at, actor=officer, kind=Kind.NOTE,
                                         text=rng.choice(["Home visit; child seen alone.", "Call with the school DSL.",
                                                          "ABE interview planned.", "Medical examination arranged.",
                                                          "Statement taken from the mother.", "Devices seized."])))
    last_activity = max(log.at for log in logs)

    # Supervision at the cadence, except where it slipped (overdue now).
    slipping = rng.random() < 0.3
    reviewed = opened
    reviews = []
    while True:
        reviewed += dt.timedelta(days=CADENCE[risk] + rng.randint(-2, 1 if not slipping else 12))
        if reviewed >= min(moment, last_activity + dt.timedelta(days=1)):
            break
        review = SupervisoryReview.objects.create(investigation=case, reviewer=boss, reviewed_at=reviewed,
                                                  scope="Risk assessment, investigation plan and the log.",
                                                  rationale="Reviewed; direction of the investigation agreed.")
        reviews.append(review)
        logs.append(InvestigationLog(investigation=case, at=reviewed, actor=boss, kind=Kind.REVIEW, text=review.rationale,
                                     data={"review": review.pk}))
    actions = []
    for review in reviews[-2:]:
        due = review.reviewed_at + dt.timedelta(days=rng.randint(3, 14))
        done = due - dt.timedelta(days=1) if (finishes or rng.random() < 0.6) and due < moment else None
        actions.append(Action(investigation=case, review=review, description=rng.choice(
            ["Complete the section 47 joint visit", "Obtain the medical report", "Submit devices for examination",
             "Update the risk assessment", "Arrange the ABE interview"]), owner=officer, due_at=due,
            created_at=review.reviewed_at, created_by=boss, done_at=done, done_by=officer if done else None))
    Action.objects.bulk_create(actions)

    _bail(rng, case, suspect_ids, opened, moment, officer)
    _referrals(rng, case, partners, child_ids, opened, moment, officer, logs)

    closed_at = None
    if finishes and all(a.done_at for a in actions):
        outcome_at = max([last_activity, *(a.done_at for a in actions)]) + dt.timedelta(hours=2)
        if stage == Stage.REFERRAL:
            logs.append(InvestigationLog(investigation=case, at=outcome_at, actor=officer, kind=Kind.STAGE,
                                         text="Strategy discussion held.", data={"from": stage, "to": Stage.STRATEGY_DISCUSSION}))
            stage = Stage.STRATEGY_DISCUSSION
        outcome = rng.choice(list(Investigation.Outcome.values))
        logs += [InvestigationLog(investigation=case, at=outcome_at, actor=officer, kind=Kind.OUTCOME,
                                  text="Outcome recorded.", data={"outcome": outcome}),
                 InvestigationLog(investigation=case, at=outcome_at, actor=officer, kind=Kind.STAGE, text="",
                                  data={"from": stage, "to": Stage.OUTCOME})]
        case.outcome, case.outcome_at, case.outcome_rationale, stage = outcome, outcome_at, "Demo outcome.", Stage.OUTCOME
        if rng.random() < 0.7:
            closed_at = outcome_at + dt.timedelta(days=rng.randint(1, 5))
            if closed_at < moment:
                case.closure_rationale = "Outcome recorded; safeguarding plan in place with partners."
                case.closure_requested_at, case.closure_requested_by = outcome_at, officer
                case.closure_signed_off_by, case.closed_at = boss, closed_at
                logs += [InvestigationLog(investigation=case, at=outcome_at, actor=officer, kind=Kind.CLOSURE_REQUESTED,
                                          text=case.closure_rationale),
                         InvestigationLog(investigation=case, at=closed_at, actor=boss, kind=Kind.CLOSED,
                                          text=case.closure_rationale, data={"from": stage, "to": Stage.CLOSED})]
                stage = Stage.CLOSED
    InvestigationLog.objects.bulk_create(logs)
    case.stage, case.risk_level = stage, risk
    case.last_activity_at = max(log.at for log in logs)
    case.last_reviewed_at = reviews[-1].reviewed_at if reviews else None
    case.save()
    return case


def _bail(rng, case, suspects, opened, moment, officer) -> None:
    if not suspects or rng.random() < 0.5:
        return
    start = (opened + dt.timedelta(days=rng.randint(1, 5))).date()
    if rng.random() < 0.3:
        Bail.objects.create(investigation=case, suspect_id=suspects[0], kind=Bail.Kind.RUI, starts_on=start,
                            recorded_at=opened, recorded_by=officer)
        return
    address = rng.choice(VAGUE + SPECIFIC)
    Bail.objects.create(
        investigation=case, suspect_id=suspects[0], kind=Bail.Kind.PRE_CHARGE_BAIL, starts_on=start,
        expires_on=start + dt.timedelta(days=rng.choice([30, 60, 89])), authority=Bail.Authority.CUSTODY_OFFICER,
        authorised_by="PS 4411 Demo", conditions="Not to contact the child; to live and sleep at the address given.",
        residence_address=address, residence_verified_at=opened if address in SPECIFIC and rng.random() < 0.5 else None,
        residence_verified_by=officer if address in SPECIFIC else None, recorded_at=opened, recorded_by=officer)


def _referrals(rng, case, partners, children, opened, moment, officer, logs) -> None:
    for partner in rng.sample(partners, k=min(len(partners), rng.choice([0, 1, 1, 2]))):
        sent = opened + dt.timedelta(hours=rng.randint(2, 72))
        if sent >= moment:
            continue
        due = working_days_after(sent, 3)
        fate = rng.choices(["on_time", "late", "none"], weights=[5, 3, 2])[0]
        answered = {"on_time": due - dt.timedelta(hours=6), "late": due + dt.timedelta(days=rng.randint(2, 10))}.get(fate)
        answered = answered if answered and answered < moment else None
        escalated = due + dt.timedelta(hours=1) if due < moment and (answered is None or answered > due) else None
        referral = Referral.objects.create(
            investigation=case, to_organisation=partner, agency=AGENCY_OF_KIND[partner.kind],
            shared="The allegation, the household and the police checks.",
            reason="To safeguard a child (Children Act 1989 s 47; Data Protection Act 2018 Sch 8 para 4).",
            request="Share what you hold and join the strategy discussion.", sent_at=sent, sent_by=officer,
            response_due_at=due, decision=rng.choice(list(Referral.Decision.values)) if answered else "",
            response="Information shared; practitioner will attend." if answered else "", responded_at=answered,
            escalated_at=escalated, escalation_note="No response when due: escalated." if escalated else "")
        referral.subjects.set(children)
        logs.append(InvestigationLog(investigation=case, at=sent, actor=officer, kind=Kind.REFERRAL,
                                     text=f"Referral to {partner.name}", data={"referral": referral.pk}))
        if answered:
            logs.append(InvestigationLog(investigation=case, at=answered, kind=Kind.REFERRAL_RESPONSE,
                                         text=f"{partner.name}: {referral.get_decision_display()}",
                                         data={"referral": referral.pk, "late": answered > due}))
