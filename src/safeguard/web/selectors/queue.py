"""The work queue: the open alerts a user must act on, what needs acting on first at the top."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from safeguard.access.policy import get_visible, visible
from safeguard.accounts.models import Team, User
from safeguard.alerts.models import Alert, AlertEvidence, AlertSubject
from safeguard.alerts.selectors import OPEN, alerts_as_of, status_as_of
from safeguard.alerts.summaries import as_seen_by
from safeguard.core.clock import now
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import PersonVersion, SourceRecord
from safeguard.records.selectors import as_of

from ..words import SEVERITY_ORDER, rule_title, source_label
from .common import PersonBrief, person_briefs

PAGE_SIZE = 25
SEVERITY_RANK = Case(*[When(severity=s, then=Value(i)) for i, s in enumerate(SEVERITY_ORDER)],
                     default=Value(len(SEVERITY_ORDER)), output_field=IntegerField())


@dataclass(frozen=True)
class QueueFilters:
    rule: str = ""
    severity: str = ""
    overdue: bool = False
    team: str = ""  # a team id, or "none" for alerts no team has yet
    area: str = ""
    subject: str = ""

    @property
    def active(self) -> bool:
        return any((self.rule, self.severity, self.overdue, self.team, self.area, self.subject))


@dataclass
class Tab:
    key: str
    label: str
    description: str
    count: int = 0


@dataclass
class Subject:
    role: str
    person_id: int
    brief: PersonBrief | None


@dataclass
class QueueRow:
    alert: Alert
    status: str
    overdue: bool
    subjects: list[Subject] = field(default_factory=list)
    evidence_sources: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return rule_title(self.alert.rule)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass
class Queue:
    tabs: list[Tab]
    tab: Tab
    page: Page
    rows: list[QueueRow]
    counts: dict[str, int]
    rule_choices: list[tuple[str, str]]
    team_choices: list[tuple[str, str]]
    area_choices: list[str]
    assignees: list[tuple[int, str]]
    can_bulk_assign: bool
    moment: dt.datetime


def is_supervisor(user) -> bool:
    return bool(user.is_superuser or user.has_role("supervisor"))


def _tabs(user) -> list[tuple[Tab, Q]]:
    tabs: list[tuple[Tab, Q]] = [(Tab("mine", "My work", "Alerts assigned to you."), Q(assigned_to=user))]
    team_ids = list(user.teams.values_list("id", flat=True))
    team_q = Q(owner_team_id__in=team_ids)
    if user.organisation_id:
        team_q |= Q(owner_team__isnull=True, owner_organisation_id=user.organisation_id)
    tabs.append((Tab("team", "My team's work",
                     "Alerts for your teams, and alerts for your organisation that no team has been given yet."), team_q))
    for team in user.supervised_teams.select_related("organisation").order_by("name"):
        tabs.append((Tab(f"team-{team.pk}", team.name,
                         f"Alerts for {team.name}, and alerts for {team.organisation.name} that no team has been given yet."),
                     Q(owner_team=team) | Q(owner_team__isnull=True, owner_organisation_id=team.organisation_id)))
    tabs.append((Tab("all", "Everything you can see",
                     "Every open alert you may see, including alerts other organisations must act on."), Q()))
    return tabs


def _open_alerts(user, moment: dt.datetime) -> QuerySet:
    """Open alerts the user may see. The access rule may join the evidence (and so need
    DISTINCT); asked once as a subquery, the counts and the sorted page need no DISTINCT."""
    return Alert.objects.filter(pk__in=alerts_as_of(user=user, moment=moment).order_by().values("pk"))


def _subject_person_ids(user, text: str) -> list[int]:
    """People the user may see whose current name contains every word typed."""
    versions = visible(user, PersonVersion.objects.filter(as_of(None)))
    for token in text.split()[:4]:
        versions = versions.filter(Q(given_names__icontains=token) | Q(family_name__icontains=token))
    record_ids = list(versions.values_list("record_id", flat=True)[:2000])
    placed = dict(PersonMembership.objects.filter(record_id__in=record_ids).values_list("record_id", "person_id"))
    return sorted({placed.get(r, -r) for r in record_ids})


def _filtered(user, qs: QuerySet, filters: QueueFilters, moment: dt.datetime) -> QuerySet:
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.overdue:
        qs = qs.filter(due_at__lt=moment)
    if filters.team == "none":
        qs = qs.filter(owner_team__isnull=True)
    elif filters.team.isdigit():
        qs = qs.filter(owner_team_id=int(filters.team))
    if filters.area:
        qs = qs.filter(owner_team__area=filters.area)
    if filters.subject.strip():
        qs = qs.filter(pk__in=AlertSubject.objects.filter(
            person_id__in=_subject_person_ids(user, filters.subject)).values("alert_id"))
    return qs


def _ordered(qs: QuerySet, moment: dt.datetime) -> QuerySet:
    """Overdue first, then by severity, then the soonest due; alerts with no due time last."""
    return qs.annotate(
        overdue_rank=Case(When(due_at__lt=moment, then=Value(0)), default=Value(1), output_field=IntegerField()),
        severity_rank=SEVERITY_RANK,
    ).order_by("overdue_rank", "severity_rank", F("due_at").asc(nulls_last=True), "raised_at", "pk")


def _rows(user, alerts: list[Alert], moment: dt.datetime) -> list[QueueRow]:
    """The page's alerts with their subjects and evidence sources, read in bulk (no query per row)."""
    as_seen_by(user, alerts, moment)  # summary masked for this user, severity as of the moment
    ids = [a.pk for a in alerts]
    subjects: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for alert_id, person_id, role in AlertSubject.objects.filter(alert_id__in=ids).order_by("pk").values_list(
            "alert_id", "person_id", "role"):
        subjects[alert_id].append((person_id, role))
    briefs = person_briefs(user, {p for rows in subjects.values() for p, _ in rows}, with_markers=False)
    evidence: dict[int, list[int]] = defaultdict(list)
    for alert_id, record_id in AlertEvidence.objects.filter(alert_id__in=ids).values_list("alert_id", "record_id"):
        evidence[alert_id].append(record_id)
    shown = dict(visible(user, SourceRecord.objects.filter(pk__in={r for rs in evidence.values() for r in rs}))
                 .values_list("pk", "source__code"))
    rows = []
    for alert in alerts:
        status, _ = status_as_of(alert, moment)
        rows.append(QueueRow(
            alert=alert, status=status,
            overdue=status in OPEN and alert.due_at is not None and moment > alert.due_at,
            subjects=[Subject(role, p, briefs.get(p)) for p, role in subjects[alert.pk]],
            evidence_sources=sorted({source_label(shown[r]) for r in evidence[alert.pk] if r in shown}),
        ))
    return rows


def assignees_for(user) -> list[tuple[int, str]]:
    """Whom the user may give alerts to: themself, and for supervisors the members of their teams
    and of the teams they supervise."""
    people = {user.pk: user.display_name}
    if is_supervisor(user):
        teams = Team.objects.filter(Q(supervisors=user) | Q(members=user))
        for member in User.objects.filter(teams__in=teams, is_active=True).distinct().order_by("first_name", "last_name",
                                                                                                 "username"):
            people.setdefault(member.pk, member.display_name)
    return sorted(people.items(), key=lambda kv: (kv[0] != user.pk, kv[1]))


def work_queue(user, *, tab: str = "", filters: QueueFilters | None = None, page: int | str = 1) -> Queue:
    moment = now()
    filters = filters or QueueFilters()
    base = _open_alerts(user, moment)
    tabs = _tabs(user)
    tab_counts = base.aggregate(**{t.key: Count("pk", filter=q) for t, q in tabs})
    for t, _ in tabs:
        t.count = tab_counts[t.key]
    by_key = {t.key: (t, q) for t, q in tabs}
    if tab not in by_key:
        tab = "mine" if by_key["mine"][0].count else "team"
    current, scope = by_key[tab]
    scoped = base.filter(scope)
    counts = scoped.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=moment)),
        **{s: Count("pk", filter=Q(severity=s)) for s in SEVERITY_ORDER},
    )
    listed = _ordered(_filtered(user, scoped, filters, moment), moment).select_related(
        "owner_organisation", "owner_team", "assigned_to", "acknowledged_by")
    paginator = Paginator(listed, PAGE_SIZE)
    page_obj = paginator.get_page(page)
    rules = sorted(set(base.order_by().values_list("rule", flat=True).distinct()), key=rule_title)
    teams = Team.objects.filter(Q(organisation_id=user.organisation_id) | Q(supervisors=user)).distinct().order_by("name")
    return Queue(
        tabs=[t for t, _ in tabs], tab=current, page=page_obj, rows=_rows(user, list(page_obj.object_list), moment),
        counts=counts, rule_choices=[(r, rule_title(r)) for r in rules],
        team_choices=[(str(t.pk), t.name) for t in teams] + [("none", "No team yet")],
        area_choices=sorted({t.area for t in teams if t.area}),
        assignees=assignees_for(user), can_bulk_assign=is_supervisor(user), moment=moment,
    )


def queue_row(user, alert_id: int) -> QueueRow:
    """One alert as the queue shows it (after an action in place); 404 when the user may not see it."""
    alert = get_visible(user, Alert.objects.select_related("owner_organisation", "owner_team", "assigned_to",
                                                           "acknowledged_by"), pk=alert_id)
    return _rows(user, [alert], now())[0]


def alert_for_action(user, alert_id: int) -> Alert:
    return get_visible(user, Alert.objects.all(), pk=alert_id)


def alerts_for_bulk(user, alert_ids: list[int]) -> list[Alert]:
    found = list(visible(user, Alert.objects.filter(pk__in=alert_ids)))
    if len(found) != len(set(alert_ids)):
        raise Http404("Not found")
    return found


def assignee(user, assignee_id: int) -> User | None:
    """A user the actor may give alerts to, or None."""
    if assignee_id not in dict(assignees_for(user)):
        return None
    return User.objects.filter(pk=assignee_id, is_active=True).first()
