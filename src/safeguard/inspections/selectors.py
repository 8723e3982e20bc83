"""Reading inspections through the access layer, and the read-only case file auditors grade.

Inspectors read case files they could not otherwise open (casework is need-to-know, own force
only). They reach them only here, and only for cases sampled into an exercise they lead or audit;
the view logs each opening as a consultation. Casework's own policy is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404

from safeguard.access.policy import get_visible, visible
from safeguard.alerts.models import Alert, AlertSubject
from safeguard.alerts.selectors import status_as_of
from safeguard.casework.models import Investigation, InvestigationSubject
from safeguard.core.calendar import london_date
from safeguard.core.clock import now
from safeguard.web.selectors import people as people_selectors

from . import permissions
from .models import (
    CaseAudit,
    Criterion,
    CriterionGrade,
    Exercise,
    Grade,
    PlanAction,
    Recommendation,
    SampledCase,
    Topic,
)

GRADES = [(g.value, g.label) for g in Grade]
CATEGORY_LABELS = dict(Investigation.Category.choices)
RISK_LABELS = dict(Investigation.Risk.choices)


def _require_use(user) -> None:
    if not permissions.may_use(user):
        raise Http404("Not found")


def exercises(user):
    _require_use(user)
    return visible(user, Exercise.objects.select_related("organisation", "framework", "lead")).order_by("-created_at")


def exercise(user, exercise_id: int) -> Exercise:
    _require_use(user)
    return get_visible(user, Exercise.objects.select_related("organisation", "framework", "lead"), pk=exercise_id)


# ---- the sample ----------------------------------------------------------------------------------

@dataclass
class SampleRow:
    case: SampledCase
    reference: str
    category: str
    risk: str
    first: str = ""
    moderation: str = ""

    @property
    def disagreement(self) -> bool:
        return bool(self.first and self.moderation and self.first != self.moderation)

    @property
    def final(self) -> str:
        """The grade that counts: the settled one where the auditors disagreed."""
        if self.case.settled_grade:
            return self.case.settled_grade
        return "" if self.disagreement else self.first


def sample(exercise: Exercise) -> list[SampleRow]:
    """The sampled case files with their grades (the exercise was read through the access layer)."""
    cases = list(exercise.cases.select_related("investigation", "auditor", "moderator"))
    audits: dict[int, dict[str, str]] = defaultdict(dict)
    for case_id, kind, grade in CaseAudit.objects.filter(case__exercise=exercise).values_list(
            "case_id", "kind", "overall_grade"):
        audits[case_id][kind] = grade
    return [SampleRow(case=c, reference=c.investigation.reference,
                      category=CATEGORY_LABELS.get(c.investigation.category, c.investigation.category),
                      risk=RISK_LABELS.get(c.investigation.risk_level, c.investigation.risk_level),
                      first=audits[c.pk].get("first", ""), moderation=audits[c.pk].get("moderation", ""))
            for c in cases]


def strata_rows(exercise: Exercise) -> list[tuple[str, str, int, int]]:
    return [(CATEGORY_LABELS.get(key.split("|")[0], key), RISK_LABELS.get(key.split("|")[1], ""), sizes[0], sizes[1])
            for key, sizes in sorted(exercise.strata.items())]


# ---- the case file, read-only ----------------------------------------------------------------------

@dataclass
class SubjectView:
    person_id: int
    role: str
    name: str
    chronology: list = field(default_factory=list)
    total: int = 0
    shared: bool = True


@dataclass
class AlertView:
    id: int
    rule: str
    summary: str
    severity: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    status: str

    @property
    def acted_on(self) -> bool:
        return bool(self.acknowledged_at or self.resolved_at)


@dataclass
class CaseFile:
    exercise: Exercise
    case: SampledCase
    investigation: Investigation
    log: list
    reviews: list
    actions: list
    referrals: list
    bails: list
    subjects: list[SubjectView]
    alerts: list[AlertView]
    role: str  # "auditor", "moderator" or "lead"
    topics: list
    mine: CaseAudit | None
    audits: dict[str, CaseAudit]


def sampled_case(user, exercise_id: int, case_id: int) -> tuple[Exercise, SampledCase]:
    """A sampled case the user may read: one of an exercise they lead or audit; otherwise 404."""
    ex = exercise(user, exercise_id)
    if not permissions.may_read_case_files(user, ex):
        raise Http404("Not found")
    case = SampledCase.objects.select_related("investigation").filter(exercise=ex, pk=case_id).first()
    if case is None:
        raise Http404("Not found")
    return ex, case


def case_file(user, exercise_id: int, case_id: int) -> CaseFile:
    ex, case = sampled_case(user, exercise_id, case_id)
    inv = Investigation.objects.select_related("team", "officer", "organisation").get(pk=case.investigation_id)
    subjects = _subjects(user, inv)
    audits = {a.kind: a for a in CaseAudit.objects.filter(case=case).select_related("auditor").prefetch_related("grades")}
    role = "auditor" if user.pk == case.auditor_id else "moderator" if user.pk == case.moderator_id else "lead"
    mine = audits.get("first" if role == "auditor" else "moderation") if role != "lead" else None
    return CaseFile(
        exercise=ex, case=case, investigation=inv,
        log=list(inv.log.select_related("actor").order_by("at", "pk")),
        reviews=list(inv.reviews.select_related("reviewer")),
        actions=list(inv.actions.select_related("owner")),
        referrals=list(inv.referrals.select_related("to_organisation")),
        bails=list(inv.bails.all()),
        subjects=subjects, alerts=alerts_on_cases([inv.pk]).get(inv.pk, []), role=role,
        topics=framework_topics(ex), mine=mine, audits=audits)


def _subjects(user, inv: Investigation) -> list[SubjectView]:
    """The case's people with their fed chronology, as far as the reader may see it (access layer)."""
    out = []
    for subject in InvestigationSubject.objects.filter(investigation=inv, removed_at__isnull=True).order_by("role", "pk"):
        role = subject.get_role_display()
        try:
            header = people_selectors.person_header(user, subject.person_id, None)
        except Http404:
            out.append(SubjectView(person_id=subject.person_id, role=role, name="Records not shared with you",
                                   shared=False))
            continue
        chron = people_selectors.chronology(user, header, None, filters={}, page=1)
        out.append(SubjectView(person_id=subject.person_id, role=role, name=header.name, chronology=chron.items,
                               total=chron.total))
    return out


def framework_topics(ex: Exercise) -> list[Topic]:
    return list(Topic.objects.filter(framework=ex.framework_id).prefetch_related("criteria"))


# ---- alerts on the audited cases: did the system flag it, and did anyone act? -------------------------

def alerts_on_cases(investigation_ids: list[int]) -> dict[int, list[AlertView]]:
    """Alerts whose subjects are among each case's people, in a fixed number of queries for any sample.

    Read for the exercise (the caller has established the reader may audit these cases), not
    through the reader's own alert visibility: an inspector must see what the force was shown."""
    people: dict[int, set[int]] = defaultdict(set)
    for inv_id, person_id in InvestigationSubject.objects.filter(investigation__in=investigation_ids).values_list(
            "investigation_id", "person_id"):
        people[inv_id].add(person_id)
    all_people = set().union(*people.values()) if people else set()
    alert_people: dict[int, set[int]] = defaultdict(set)
    for alert_id, person_id in AlertSubject.objects.filter(person_id__in=all_people).values_list("alert_id", "person_id"):
        alert_people[alert_id].add(person_id)
    moment = now()
    alerts = {a.pk: a for a in Alert.objects.filter(pk__in=alert_people)}
    out: dict[int, list[AlertView]] = {}
    for inv_id, persons in people.items():
        rows = []
        for alert_id, who in alert_people.items():
            if who & persons:
                a = alerts[alert_id]
                rows.append(AlertView(id=a.pk, rule=a.rule, summary=a.summary, severity=a.severity,
                                      raised_at=a.raised_at, acknowledged_at=a.acknowledged_at,
                                      resolved_at=a.resolved_at, closed_at=a.closed_at,
                                      status=status_as_of(a, moment)[0]))
        out[inv_id] = sorted(rows, key=lambda r: (r.raised_at, r.id))
    return out


# ---- results -----------------------------------------------------------------------------------------

@dataclass
class CaseResult:
    position: int
    reference: str
    category: str
    risk: str
    grade: str
    alerts: int
    acted_on: int
    first_raised: dt.datetime | None


@dataclass
class Results:
    total: int
    counts: dict[str, int]
    by_type: list[tuple[str, dict[str, int]]]
    by_topic: list[tuple[str, dict[str, int]]]
    worst_criteria: list[tuple[str, str, int]]
    cases: list[CaseResult]
    headline: str
    earlier: Exercise | None = None
    earlier_counts: dict[str, int] | None = None

    @property
    def chart(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.counts[value]) for value, label in GRADES]


def _headline(total: int, counts: dict[str, int]) -> str:
    parts = ", ".join(f"{counts[v]} {label.lower()}" for v, label in GRADES)
    return f"{total} case file{'s' if total != 1 else ''}: {parts}"


def _counts(grades) -> dict[str, int]:
    tally = Counter(grades)
    return {value: tally.get(value, 0) for value, _ in GRADES}


def results(ex: Exercise) -> Results:
    rows = sample(ex)
    graded = [r for r in rows if r.final]
    counts = _counts(r.final for r in graded)
    types: dict[str, list[str]] = defaultdict(list)
    for r in graded:
        types[r.category].append(r.final)
    # Criterion grades come from the first audit of each case: moderation checks the overall judgement.
    first = CriterionGrade.objects.filter(audit__case__exercise=ex, audit__kind=CaseAudit.Kind.FIRST)
    topic_counts: dict[int, dict[str, int]] = defaultdict(lambda: _counts([]))
    for topic_id, grade, n in first.values_list("criterion__topic_id", "grade").annotate(n=Count("pk")):
        topic_counts[topic_id][grade] = n
    topics = framework_topics(ex)
    criteria = {c.pk: c for c in Criterion.objects.filter(topic__framework=ex.framework_id).select_related("topic")}
    worst = [(criteria[cid].topic.title, criteria[cid].text, n) for cid, n in
             first.filter(grade=Grade.INADEQUATE).values_list("criterion_id").annotate(n=Count("pk")).order_by("-n", "criterion_id")[:5]]
    alerts = alerts_on_cases([r.case.investigation_id for r in rows])
    cases = []
    for r in rows:
        flagged = alerts.get(r.case.investigation_id, [])
        cases.append(CaseResult(position=r.case.position, reference=r.reference, category=r.category, risk=r.risk,
                                grade=r.final, alerts=len(flagged), acted_on=sum(1 for a in flagged if a.acted_on),
                                first_raised=flagged[0].raised_at if flagged else None))
    earlier = (Exercise.objects.filter(organisation=ex.organisation_id, status=Exercise.Status.PUBLISHED,
                                       published_at__lt=ex.published_at or now()).exclude(pk=ex.pk)
               .order_by("-published_at").first())
    out = Results(total=len(graded), counts=counts, by_type=sorted((k, _counts(v)) for k, v in types.items()),
                  by_topic=[(t.title, topic_counts[t.pk]) for t in topics], worst_criteria=worst, cases=cases,
                  headline=_headline(len(graded), counts))
    if earlier is not None:
        out.earlier, out.earlier_counts = earlier, _counts(r.final for r in sample(earlier) if r.final)
    return out


# ---- the action plan ---------------------------------------------------------------------------------

@dataclass
class RecommendationView:
    recommendation: Recommendation
    actions: list[PlanAction]

    @property
    def status(self) -> str:
        statuses = {a.status for a in self.actions}
        if statuses == {PlanAction.Status.DONE}:
            return "Done"
        if statuses - {PlanAction.Status.NOT_STARTED}:
            return "In progress"
        return "Not started"


@dataclass
class Plan:
    recommendations: list[RecommendationView]
    actions_total: int
    actions_done: int
    overdue: int

    @property
    def percent_done(self) -> int:
        return round(100 * self.actions_done / self.actions_total) if self.actions_total else 0


def plan(user, ex: Exercise) -> Plan:
    recs = list(visible(user, Recommendation.objects.filter(exercise=ex)).select_related("owner"))
    actions: dict[int, list[PlanAction]] = defaultdict(list)
    for a in visible(user, PlanAction.objects.filter(recommendation__exercise=ex)).select_related("owner"):
        actions[a.recommendation_id].append(a)
    every = [a for rows in actions.values() for a in rows]
    today = london_date(now())
    return Plan(recommendations=[RecommendationView(r, actions[r.pk]) for r in recs], actions_total=len(every),
                actions_done=sum(1 for a in every if a.status == PlanAction.Status.DONE),
                overdue=sum(1 for a in every if a.status != PlanAction.Status.DONE and a.due_on < today))


def plan_action(user, ex: Exercise, action_id: int) -> PlanAction:
    return get_visible(user, PlanAction.objects.filter(recommendation__exercise=ex).select_related(
        "recommendation__exercise"), pk=action_id)


def recommendation(user, ex: Exercise, number: int) -> Recommendation:
    return get_visible(user, Recommendation.objects.filter(exercise=ex).select_related("exercise"), number=number)


def force_users(ex: Exercise):
    """People of the audited organisation who may own recommendations and actions."""
    from safeguard.accounts.models import User

    return User.objects.filter(organisation=ex.organisation_id, is_active=True).order_by("last_name", "first_name", "username")


def possible_auditors(user):
    from safeguard.accounts.models import User

    return User.objects.filter(is_active=True).filter(
        Q(groups__name__in=("inspector", "senior_leader", "supervisor")) | Q(pk=user.pk)).distinct().order_by(
        "last_name", "first_name", "username")
