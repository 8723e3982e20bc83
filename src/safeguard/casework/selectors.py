"""Reading casework for pages and the API: everything through the access layer and
casework.access (within the force), set-based over lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from safeguard.access.policy import visible
from safeguard.accounts.models import Organisation, User
from safeguard.core.calendar import days_after, london_date
from safeguard.core.clock import now
from safeguard.records.models import EventVersion
from safeguard.rules.settings import RuleSettings
from safeguard.web.selectors.common import PersonBrief, counting_event_ids, person_briefs, records_of_persons
from safeguard.web.selectors.people import TimelineItem, timeline_items

from . import bail as pace
from .access import CASE_WORKERS, can_work_on, get_case, is_case_supervisor, visible_cases
from .models import Action, Bail, Investigation, Referral, SupervisoryReview

CASES_PAGE = 50
#: fed events of the case's people shown in its chronology (the newest)
CHRONOLOGY_EVENTS = 60


def rule_settings() -> RuleSettings:
    from safeguard.alerts.models import Partnership

    partnership = Partnership.objects.order_by("pk").first()
    return RuleSettings.with_overrides(partnership.settings if partnership else None)


def supervision_due(investigation: Investigation, s: RuleSettings) -> dt.datetime:
    """When the next supervisory review is due: the cadence for the risk level after the last
    review (or the opening)."""
    return days_after(investigation.last_reviewed_at or investigation.opened_at, s.supervision_days[investigation.risk_level])


# ---- lists -----------------------------------------------------------------------------------

@dataclass
class CaseRow:
    case: Investigation
    supervision_due: dt.datetime
    overdue_actions: int
    open_actions: int
    moment: dt.datetime

    @property
    def supervision_overdue(self) -> bool:
        return self.supervision_due <= self.moment

    @property
    def needs_attention(self) -> bool:
        return self.supervision_overdue or self.overdue_actions > 0


@dataclass
class CaseList:
    tab: str
    page: Page  # of CaseRow, needing attention first
    overdue_directions: list[Action]
    moment: dt.datetime


def _rows(qs: QuerySet, moment: dt.datetime) -> list[CaseRow]:
    s = rule_settings()
    qs = qs.filter(closed_at__isnull=True).select_related("team", "officer").annotate(
        n_overdue=Count("actions", filter=Q(actions__done_at__isnull=True, actions__due_at__lt=moment)),
        n_open=Count("actions", filter=Q(actions__done_at__isnull=True)))
    rows = [CaseRow(c, supervision_due(c, s), c.n_overdue, c.n_open, moment) for c in qs]
    # Overdue supervision and overdue actions first, then the soonest supervision.
    rows.sort(key=lambda r: (not r.supervision_overdue, r.overdue_actions == 0, r.supervision_due))
    return rows


def case_list(user, *, tab: str, page: int | str = 1) -> CaseList:
    """"mine": cases the user leads or has an open action on; "team": every open case of the
    teams the user belongs to or supervises, with the directions overdue in them."""
    moment = now()
    cases = visible_cases(user)
    if tab == "team":
        teams = set(user.teams.values_list("id", flat=True)) | set(user.supervised_teams.values_list("id", flat=True))
        if user.has_role("senior_leader", "inspector"):
            mine = cases
        else:
            mine = cases.filter(team_id__in=teams)
        directions = list(Action.objects.filter(investigation__in=mine.filter(closed_at__isnull=True).values("pk"),
                                                review__isnull=False, done_at__isnull=True, due_at__lt=moment)
                          .select_related("investigation", "owner", "review__reviewer").order_by("due_at"))
    else:
        mine = cases.filter(Q(officer=user) | Q(pk__in=Action.objects.filter(owner=user, done_at__isnull=True)
                                                .values("investigation_id")))
        directions = []
    rows = Paginator(_rows(mine, moment), CASES_PAGE).get_page(page)
    return CaseList(tab=tab, page=rows, overdue_directions=directions, moment=moment)


# ---- the case page ----------------------------------------------------------------------------

@dataclass
class SubjectRow:
    person_id: int
    role: str
    role_label: str
    brief: PersonBrief | None


@dataclass
class ChronologyItem:
    at: dt.datetime | None
    title: str
    text: str
    by: str
    kind: str  # "case" (the case's own log) or "event" (fed by an agency)
    event: TimelineItem | None = None


@dataclass
class ReviewRow:
    review: SupervisoryReview
    directions: list[Action]


@dataclass
class CasePage:
    case: Investigation
    subjects: list[SubjectRow]
    chronology: list[ChronologyItem]
    actions: list[Action]
    reviews: list[ReviewRow]
    referrals: list[Referral]
    bails: list[pace.BailClock]
    supervision_due: dt.datetime
    moment: dt.datetime
    can_work: bool
    can_supervise: bool
    next_stages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def supervision_overdue(self) -> bool:
        return self.case.is_open and self.supervision_due <= self.moment

    @property
    def overdue_actions(self) -> list[Action]:
        return [a for a in self.actions if a.done_at is None and a.due_at <= self.moment]


def _chronology(user, case: Investigation, subjects: list[SubjectRow]) -> list[ChronologyItem]:
    """The case's log merged with the fed events of its people (through the web selectors)."""
    items = [ChronologyItem(e.at, e.get_kind_display(), e.text, e.actor.display_name if e.actor else "Safeguard", "case")
             for e in case.log.select_related("actor").order_by("-at", "-pk")]
    records = [r for rs in records_of_persons({s.person_id for s in subjects}).values() for r in rs]
    if records:
        versions = list(visible(user, EventVersion.objects.filter(pk__in=counting_event_ids(None, Q(person_id__in=records))))
                        .select_related("record__source", "load").order_by("-at", "-pk")[:CHRONOLOGY_EVENTS])
        for item in timeline_items(user, versions, None, set(records)):
            items.append(ChronologyItem(item.at, item.title, ". ".join(item.details), item.source_label, "event", item))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: i.at or epoch, reverse=True)
    return items


def case_page(user, pk: int) -> CasePage:
    from .services import NEXT_STAGES

    case = get_case(user, pk)
    moment = now()
    subject_rows = list(case.subjects.filter(removed_at__isnull=True).order_by("role", "pk"))
    briefs = person_briefs(user, {s.person_id for s in subject_rows})
    subjects = [SubjectRow(s.person_id, s.role, s.get_role_display(), briefs.get(s.person_id)) for s in subject_rows]
    actions = list(case.actions.select_related("owner", "done_by", "review").order_by("done_at", "due_at"))
    reviews = list(case.reviews.select_related("reviewer").order_by("-reviewed_at"))
    by_review: dict[int, list[Action]] = {}
    for action in actions:
        if action.review_id:
            by_review.setdefault(action.review_id, []).append(action)
    bails = list(case.bails.all())
    chain = {b.pk: b for b in bails}
    today = london_date(moment)
    return CasePage(
        case=case, subjects=subjects, chronology=_chronology(user, case, subjects), actions=actions,
        reviews=[ReviewRow(r, by_review.get(r.pk, [])) for r in reviews],
        referrals=list(case.referrals.select_related("to_organisation", "sent_by", "responded_by")),
        bails=[pace.clock(b, chain, today) for b in bails], supervision_due=supervision_due(case, rule_settings()),
        moment=moment, can_work=case.is_open and can_work_on(user, case), can_supervise=case.is_open and is_case_supervisor(user, case),
        next_stages=[(s, Investigation.Stage(s).label) for s in NEXT_STAGES.get(case.stage, ())])


def case_for_work(user, pk: int) -> Investigation:
    """A case the user may see (else 404); services decide whether they may change it."""
    return get_case(user, pk)


def colleagues(user) -> QuerySet:
    """People of the user's organisation who work on cases (officers in charge, owners of actions)."""
    return User.objects.filter(organisation_id=user.organisation_id, is_active=True,
                               groups__name__in=CASE_WORKERS).distinct().order_by("first_name", "last_name", "username")


def colleague(user, pk) -> User | None:
    return colleagues(user).filter(pk=pk).first()


def partner_organisations() -> QuerySet:
    from .services import AGENCY_OF_KIND

    return Organisation.objects.filter(kind__in=list(AGENCY_OF_KIND)).order_by("name")


def action_for_work(user, pk: int) -> Action:
    action = Action.objects.select_related("investigation").filter(pk=pk).first()
    if action is None:
        raise Http404("Not found")
    get_case(user, action.investigation_id)
    return action


def bail_for_work(user, pk: int) -> Bail:
    bail = Bail.objects.select_related("investigation").filter(pk=pk).first()
    if bail is None:
        raise Http404("Not found")
    get_case(user, bail.investigation_id)
    return bail


# ---- partners --------------------------------------------------------------------------------

def partner_referrals(user) -> list[Referral]:
    """Referrals addressed to the user's organisation: unanswered first, then the newest."""
    if not getattr(user, "organisation_id", None):
        return []
    qs = visible(user, Referral.objects.filter(to_organisation_id=user.organisation_id))
    return sorted(qs.select_related("to_organisation", "investigation__organisation", "sent_by"),
                  key=lambda r: (r.responded_at is not None, r.response_due_at))


def partner_referral(user, pk: int) -> Referral:
    """One referral addressed to the user's organisation, or 404."""
    referral = visible(user, Referral.objects.filter(to_organisation_id=getattr(user, "organisation_id", None))).select_related(
        "investigation__organisation", "sent_by", "responded_by", "to_organisation").filter(pk=pk).first()
    if referral is None:
        raise Http404("Not found")
    return referral


def referral_subjects(user, referral: Referral) -> list[PersonBrief | None]:
    ids = list(referral.subjects.values_list("pk", flat=True))
    briefs = person_briefs(user, ids)
    return [briefs.get(p) for p in ids]


# ---- choices for the case's forms ------------------------------------------------------------

def _names(user, person_ids) -> dict[int, str]:
    briefs = person_briefs(user, person_ids)
    return {p: briefs[p].name if p in briefs else "A person not shared with you" for p in person_ids}


def case_people(user, case: Investigation, role: str | None = None) -> list[tuple[int, str]]:
    """The case's current subjects (optionally of one role) as (person id, name) choices."""
    qs = case.subjects.filter(removed_at__isnull=True)
    if role:
        qs = qs.filter(role=role)
    ids = list(dict.fromkeys(qs.order_by("pk").values_list("person_id", flat=True)))
    names = _names(user, ids)
    return [(p, names[p]) for p in ids]


def bail_periods(user, case: Investigation) -> list[tuple[Bail, str]]:
    """Pre-charge bail periods of the case that an extension may extend, with their labels."""
    periods = list(case.bails.filter(kind=Bail.Kind.PRE_CHARGE_BAIL).order_by("starts_on"))
    names = _names(user, {b.suspect_id for b in periods})
    return [(b, f"Bail of {names[b.suspect_id]} to {b.expires_on:%d %B %Y}") for b in periods]


def person(pk: int):
    from safeguard.linkage.models import ResolvedPerson

    return ResolvedPerson.objects.get(pk=pk)


def persons(pks) -> list:
    from safeguard.linkage.models import ResolvedPerson

    return list(ResolvedPerson.objects.filter(pk__in=pks))


def people_found(user, name: str) -> list[tuple[int, str]]:
    """People the user may see whose name matches (the web app's search), as choices."""
    from safeguard.web.selectors.search import search

    if not name.strip():
        return []
    results = search(user, name=name[:100]).people
    return [(r.id, " ".join(p for p in (r.brief.name, r.brief.dob and f"born {r.brief.dob}",
                                         r.brief.age and f"({r.brief.age})") if p)) for r in results if r.id > 0]


def person_for_case(user, pk: int):
    """A resolved person the user may see (some record of theirs), or 404."""
    if pk not in person_briefs(user, [pk]):
        raise Http404("Not found")
    return person(pk)
