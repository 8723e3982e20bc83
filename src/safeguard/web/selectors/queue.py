"""The work queue: the open alerts a user must act on, what needs acting on first at the top."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from safeguard.access.policy import get_visible, visible, visible_organisation_ids
from safeguard.accounts.models import Team, User
from safeguard.alerts.models import Alert, AlertEvidence, AlertHistory, AlertSubject, EvaluationState
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


def _tabs(user, team_ids: list[int], supervised: dict[int, int]) -> list[tuple[Tab, Q]]:
    """The tabs and their scopes; `supervised` is filled in with the organisation of each team the
    user supervises."""
    tabs: list[tuple[Tab, Q]] = [(Tab("mine", "My work", "Alerts assigned to you."), Q(assigned_to=user))]
    team_q = Q(owner_team_id__in=team_ids)
    if user.organisation_id:
        team_q |= Q(owner_team__isnull=True, owner_organisation_id=user.organisation_id)
    tabs.append((Tab("team", "My team's work",
                     "Alerts for your teams, and alerts for your organisation that no team has been given yet."), team_q))
    for team in user.supervised_teams.select_related("organisation").order_by("name"):
        supervised[team.pk] = team.organisation_id
        tabs.append((Tab(f"team-{team.pk}", team.name,
                         f"Alerts for {team.name}, and alerts for {team.organisation.name} that no team has been given yet."),
                     Q(owner_team=team) | Q(owner_team__isnull=True, owner_organisation_id=team.organisation_id)))
    tabs.append((Tab("all", "Everything you can see",
                     "Every open alert you may see, including alerts other organisations must act on."), Q()))
    return tabs


def _open_alerts(user, moment: dt.datetime, where: Q | None = None) -> QuerySet:
    """Open alerts the user may see (and `where` picks out). The access rule for alerts joins
    nothing that repeats rows (its evidence condition is an EXISTS), so the counts and the sorted
    page are read from it directly; were it ever to need DISTINCT, it is asked once as a subquery
    (`where` inside it, so that an index on it can be used) and the counts and the page need none."""
    inner = alerts_as_of(user=user, moment=moment)
    if where is not None:
        inner = inner.filter(where)
    if not inner.query.distinct:
        return inner.order_by()
    return Alert.objects.filter(pk__in=inner.order_by().values("pk"))


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
    for alert_id, record_id in AlertEvidence.objects.filter(alert_id__in=ids).order_by("pk").values_list("alert_id", "record_id"):
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


def assignees_for(user, *, supervisor: bool | None = None) -> list[tuple[int, str]]:
    """Whom the user may give alerts to: themself, and for supervisors (`supervisor`, when the
    caller knows already) the members of their teams and of the teams they supervise."""
    people = {user.pk: user.display_name}
    if is_supervisor(user) if supervisor is None else supervisor:
        teams = Team.objects.filter(Q(supervisors=user) | Q(members=user))
        for member in User.objects.filter(teams__in=teams, is_active=True).distinct().order_by("first_name", "last_name",
                                                                                                 "username"):
            people.setdefault(member.pk, member.display_name)
    return sorted(people.items(), key=lambda kv: (kv[0] != user.pk, kv[1]))


#: How long a user's queue counts are reused (seconds). They are read again sooner when alerts are
#: raised, acted on by anyone, or evaluated (see _counts_version).
COUNTS_SECONDS = 60
COUNTS_MEMO = "web.queue.counts"


@dataclass(frozen=True)
class Group:
    """Open alerts the user may see that share an owner, severity, rule and lateness."""

    team: int | None
    organisation: int | None
    area: str
    severity: str
    rule: str
    overdue: bool
    count: int


def _grouped(qs: QuerySet, moment: dt.datetime) -> list[Group]:
    """One grouped query: how many alerts per owner, severity, rule and lateness (a few hundred
    groups at most, whatever the number of alerts)."""
    rows = qs.annotate(
        late=Case(When(due_at__lt=moment, then=Value(1)), default=Value(0), output_field=IntegerField()),
    ).order_by().values_list("owner_team_id", "owner_organisation_id", "owner_team__area", "severity", "rule",
                             "late").annotate(n=Count("pk"))
    return [Group(team, org, area or "", sev, rule, bool(late), n) for team, org, area, sev, rule, late, n in rows]


def _counts_version(user, tabs_key: list) -> list:
    """What the memoised counts depend on, read in one cheap query (index look-ups only): the
    newest alert, the newest human action on any alert, the last evaluation (which closes and
    re-grades alerts), and who the user is and sees."""
    latest = Alert.objects.order_by("-pk").values("pk").annotate(
        history=Subquery(AlertHistory.objects.order_by("-pk").values("pk")[:1]),
        evaluated=Subquery(EvaluationState.objects.order_by("-evaluated_at").values("evaluated_at")[:1]),
    ).values_list("pk", "history", "evaluated").first()
    latest = [latest[0], latest[1], latest[2].isoformat() if latest[2] else None] if latest else []
    return [user.pk, sorted(visible_organisation_ids(user)), tabs_key, latest]


def _open_q(moment: dt.datetime) -> Q:
    """alerts_as_of's "open at the moment", for the ordering of candidates (see _page_source)."""
    return (Q(raised_at__lte=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gt=moment))
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=moment)))


def _memoised_groups(user, moment: dt.datetime, memo, tabs_key: list) -> tuple[list[Group], list[Group] | None, str]:
    """The grouped counts of every open alert the user may see, and of every open alert (to tell
    whether a tab holds only alerts the user may see: see _page_source), and what they were read
    for (the newest alert, action and evaluation: see _counts_version). Kept in `memo` (the
    user's session) for COUNTS_SECONDS unless something they depend on changed. Without a memo
    only the first is read."""
    if memo is None:
        return _grouped(_open_alerts(user, moment), moment), None, ""
    version = _counts_version(user, tabs_key)
    latest = repr(version[-1])
    kept = memo.get(COUNTS_MEMO)
    if kept and kept.get("version") == version and 0 <= moment.timestamp() - kept.get("at", 0) < COUNTS_SECONDS:
        return [Group(*g) for g in kept["groups"]], [Group(*g) for g in kept["all"]], latest
    at, groups = _shared(lambda: ("seen", _seen_key(user), latest), moment,
                         lambda: _grouped(_open_alerts(user, moment), moment))
    _, every = _shared(lambda: ("every", latest), moment, lambda: _grouped(Alert.objects.filter(_open_q(moment)), moment))
    memo[COUNTS_MEMO] = {"version": version, "at": at,
                         "groups": [[g.team, g.organisation, g.area, g.severity, g.rule, g.overdue, g.count]
                                    for g in groups],
                         "all": [[g.team, g.organisation, g.area, g.severity, g.rule, g.overdue, g.count]
                                 for g in every]}
    return groups, every, latest


#: Grouped counts shared, within a server process, by the users who may see the same alerts (a
#: force's investigators): one of them reads them, the others reuse them for COUNTS_SECONDS (at most
#: SHARED_KEYS sets are kept). Production only: tests and development load records under a running
#: process and reuse ids, which the keys (see _memoised_groups) would not tell apart.
SHARED_KEYS = 64
_shared_counts: OrderedDict[tuple, tuple[float, list[Group]]] = OrderedDict()
_shared_lock = threading.Lock()
_shared_reading: dict[tuple, threading.Lock] = {}
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _seen_key(user) -> str:
    """The SQL, with its parameters, that picks the open alerts the user may see (at a fixed
    moment): users with the same one see the same alerts."""
    sql, params = _open_alerts(user, _EPOCH).query.sql_with_params()
    return f"{sql} {params!r}"


def _shared(key_of, moment: dt.datetime, read) -> tuple[float, list[Group]]:
    """(when read, groups) for the key (`key_of()`): kept ones if read less than COUNTS_SECONDS
    before the moment; else read now, once for all the requests of this process that ask
    meanwhile."""
    if not settings.PRODUCTION:
        return moment.timestamp(), read()
    key, at = key_of(), moment.timestamp()

    def kept():
        found = _shared_counts.get(key)
        return found if found is not None and -COUNTS_SECONDS < at - found[0] < COUNTS_SECONDS else None

    with _shared_lock:
        found = kept()
        if found is not None:
            return found
        reading = _shared_reading.setdefault(key, threading.Lock())
    with reading:
        with _shared_lock:
            found = kept()
        if found is not None:
            return found
        groups = read()
        with _shared_lock:
            _shared_counts[key] = (at, groups)
            _shared_counts.move_to_end(key)
            while len(_shared_counts) > SHARED_KEYS:
                _shared_counts.popitem(last=False)
            _shared_reading.pop(key, None)
        return at, groups


class _PageSource:
    """What Paginator slices: the count is known, and only the slice asked for is read."""

    def __init__(self, count: int, fetch):
        self._count, self._fetch = count, fetch

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, part: slice) -> list[Alert]:
        return self._fetch(part.start or 0, part.stop)


def _fetch_by_ids(user, ordered_ids: QuerySet):
    """A page read in two steps: the ids in queue order among the tab's alerts (no access join:
    an indexable scan of the open alerts), then those alerts through the access layer. An alert
    the user may not see is left out (the page is one row short until the counts are read
    again), never shown."""

    def fetch(start: int, stop: int) -> list[Alert]:
        ids = list(ordered_ids[start:stop]) if stop is None or stop > start else []
        if not ids:
            return []
        found = {a.pk: a for a in visible(user, Alert.objects.filter(pk__in=ids)).select_related(*RELATED)}
        return [found[i] for i in ids if i in found]

    return fetch


RELATED = ("owner_organisation", "owner_team", "assigned_to", "acknowledged_by")


class _QueueOrderIds:
    """The ids of `candidates` (open at `moment`) in queue order, as _ordered gives them, read
    along the index of open alerts in queue order (alerts.models, "alert_open_queue": severity
    rank, due time, raised time, id, where neither closed nor resolved) instead of sorting every
    open alert of the tab. The overdue and the not yet overdue are read apart (each an ordered
    walk of that index, the first `stop` of each), then the first `stop` of the alerts open at
    `moment` but closed or resolved since (alerts that lapse later, e.g. when a child turns 18:
    about one open alert in eight in the demo force; found by alert_closed and alert_resolved,
    then sorted), and the three merged here."""

    FIELDS = ("pk", "due_at", "severity", "raised_at")
    #: beyond this position (10 pages) the page is read in one sorted query
    DEEPEST = 10 * PAGE_SIZE

    def __init__(self, candidates: QuerySet, moment: dt.datetime, lapsing: _Lapsing | None = None):
        """`lapsing`, when given, answers the third walk (the candidates open at the moment but
        closed or resolved since) from rows kept a short while (see _Lapsing)."""
        self._candidates, self._moment, self._lapsing = candidates, moment, lapsing

    def __getitem__(self, part: slice) -> list[int]:
        start, stop = part.start or 0, part.stop
        if stop is None or stop > self.DEEPEST:
            # Deep pages: each part would be read up to the page; one sorted query is as quick.
            return list(_ordered(self._candidates, self._moment).values_list("pk", flat=True)[start:stop])
        moment = self._moment
        order = (SEVERITY_RANK, F("due_at").asc(nulls_last=True), "raised_at", "pk")
        still_open = self._candidates.filter(closed_at__isnull=True, resolved_at__isnull=True)
        if self._lapsing is not None:
            lapsing = self._lapsing.first(moment, stop)
        else:
            lapsing = list(_ordered(self._candidates.filter(Q(closed_at__gt=moment) | Q(resolved_at__gt=moment)),
                                    moment).values_list(*self.FIELDS)[:stop])
        rows = [*still_open.filter(due_at__lt=moment).order_by(*order).values_list(*self.FIELDS)[:stop],
                *still_open.filter(Q(due_at__gte=moment) | Q(due_at__isnull=True)).order_by(*order)
                .values_list(*self.FIELDS)[:stop],
                *lapsing]
        rows.sort(key=lambda r: self._key(*r))
        return [r[0] for r in rows[start:stop]]

    def _key(self, pk: int, due_at: dt.datetime | None, severity: str, raised_at: dt.datetime) -> tuple:
        """_ordered's ORDER BY for one row."""
        overdue = due_at is not None and due_at < self._moment
        return (0 if overdue else 1, *_rank_key(pk, due_at, severity, raised_at))


def _rank_key(pk: int, due_at: dt.datetime | None, severity: str, raised_at: dt.datetime) -> tuple:
    """_ordered's ORDER BY for one row after its first term (overdue or not): severity, the
    soonest due (none last), raised time, id. It does not depend on the moment."""
    rank = SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
    return (rank, due_at is None, due_at or raised_at, raised_at, pk)


class _Lapsing:
    """The queue's third walk (_QueueOrderIds) from rows kept a short while: the candidates
    (`base`, a tab's scope and filters, without the moment) that close or were resolved after a
    moment. At force scale they are about one open alert in eight (10,865 of the police's
    84,000: closures known for a later date, such as a child's eighteenth birthday), scattered
    over the alerts table: 90-150 ms of reading each time, and the same rows for every member of
    a team. They are read for the moment less COUNTS_SECONDS, kept in queue order (but for
    lateness), shared within the process as the counts are (`_shared`: production only; again
    when alerts are raised, acted on or evaluated, `latest`), and judged at each moment here:
    raised by then, neither closed nor resolved by then, and overdue then when asked
    (`overdue_only`). Ids only and the times that order them: the page itself is read through
    the access layer (_fetch_by_ids)."""

    FIELDS = ("pk", "due_at", "severity", "raised_at", "closed_at", "resolved_at")

    def __init__(self, base: QuerySet, latest: str, *, overdue_only: bool = False):
        self._base, self._latest, self._overdue_only = base, latest, overdue_only

    def _rows(self, moment: dt.datetime) -> list[tuple]:
        def read() -> list[tuple]:
            since = moment - dt.timedelta(seconds=COUNTS_SECONDS)
            rows = list(self._base.filter(Q(closed_at__gt=since) | Q(resolved_at__gt=since)).order_by()
                        .values_list(*self.FIELDS))
            rows.sort(key=lambda r: _rank_key(*r[:4]))
            return rows

        def key() -> tuple:
            sql, params = self._base.query.sql_with_params()
            return "lapsing", f"{sql} {params!r}", self._latest

        return _shared(key, moment, read)[1]

    def first(self, moment: dt.datetime, stop: int) -> list[tuple]:
        """The first `stop` overdue and the first `stop` not overdue of those open at the moment
        and closed or resolved after it, as (pk, due_at, severity, raised_at)."""
        overdue, later = [], []
        for pk, due_at, severity, raised_at, closed_at, resolved_at in self._rows(moment):
            if raised_at > moment or (closed_at is None or closed_at <= moment) and (
                    resolved_at is None or resolved_at <= moment):
                continue  # not raised yet, or neither closes nor is resolved after the moment
            if (closed_at is not None and closed_at <= moment) or (resolved_at is not None and resolved_at <= moment):
                continue  # closed or resolved by the moment
            late = due_at is not None and due_at < moment
            if late:
                if len(overdue) < stop:
                    overdue.append((pk, due_at, severity, raised_at))
            elif not self._overdue_only and len(later) < stop:
                later.append((pk, due_at, severity, raised_at))
            if len(overdue) >= stop and (self._overdue_only or len(later) >= stop):
                break
        return overdue + later


def _in_scope(tab_key: str, user, team_ids: set[int], supervised: dict[int, int]):
    """The tab's scope (as _tabs' Q) as a test on a group's owner."""
    if tab_key == "team":
        return lambda g: g.team in team_ids or (g.team is None and g.organisation == user.organisation_id
                                                 and user.organisation_id is not None)
    if tab_key.startswith("team-"):
        team = int(tab_key[5:])
        return lambda g: g.team == team or (g.team is None and g.organisation == supervised[team])
    return lambda g: True


def _matches(g: Group, filters: QueueFilters) -> bool:
    if filters.rule and g.rule != filters.rule:
        return False
    if filters.severity and g.severity != filters.severity:
        return False
    if filters.overdue and not g.overdue:
        return False
    if filters.team == "none" and g.team is not None:
        return False
    if filters.team.isdigit() and g.team != int(filters.team):
        return False
    return not (filters.area and g.area != filters.area)


def _tile_counts(groups: list[Group]) -> dict[str, int]:
    counts = {"total": sum(g.count for g in groups), "overdue": sum(g.count for g in groups if g.overdue)}
    counts.update({s: sum(g.count for g in groups if g.severity == s) for s in SEVERITY_ORDER})
    return counts


def work_queue(user, *, tab: str = "", filters: QueueFilters | None = None, page: int | str = 1,
               memo=None) -> Queue:
    """The user's queue. Counts come from one grouped query (the user's own work read afresh,
    the rest memoised in `memo`, the session, for up to a minute); only the page shown is read."""
    moment = now()
    filters = filters or QueueFilters()
    team_ids = set(user.teams.values_list("id", flat=True))
    supervised: dict[int, int] = {}
    tabs = _tabs(user, sorted(team_ids), supervised)
    everything, every_open, latest = _memoised_groups(user, moment, memo,
                                              [sorted(team_ids), [list(kv) for kv in sorted(supervised.items())]])
    mine = _grouped(_open_alerts(user, moment, Q(assigned_to=user)), moment)  # small, and never stale
    in_scope = {t.key: _in_scope(t.key, user, team_ids, supervised) for t, _ in tabs}
    scoped_groups = {t.key: mine if t.key == "mine" else [g for g in everything if in_scope[t.key](g)] for t, _ in tabs}
    for t, _ in tabs:
        t.count = sum(g.count for g in scoped_groups[t.key])
    by_key = {t.key: (t, q) for t, q in tabs}
    if tab not in by_key:
        tab = "mine" if by_key["mine"][0].count else "team"
    current, scope = by_key[tab]
    counts = _tile_counts(scoped_groups[tab])
    if tab == "mine":
        scoped = _open_alerts(user, moment, Q(assigned_to=user))
    else:
        scoped = _open_alerts(user, moment).filter(scope)
    listed = _ordered(_filtered(user, scoped, filters, moment), moment).select_related(*RELATED)
    if filters.subject.strip():
        paginator = Paginator(listed, PAGE_SIZE)  # counts, once
    else:
        shown = sum(g.count for g in scoped_groups[tab] if _matches(g, filters))
        fetch = lambda start, stop: list(listed[start:stop]) if stop is None or stop > start else []  # noqa: E731
        if tab != "mine" and every_open is not None and shown == sum(
                g.count for g in every_open if in_scope[tab](g) and _matches(g, filters)):
            # Every open alert of the tab is one the user may see (a team's own work): the page's
            # ids are found without the access layer's condition (its evidence test for every open
            # alert), along the queue-order index, and the page itself is read through it.
            candidates = _filtered(user, Alert.objects.filter(_open_q(moment)).filter(scope), filters, moment)
            base = _filtered(user, Alert.objects.filter(scope), replace(filters, overdue=False), moment)
            lapsing = _Lapsing(base, latest, overdue_only=filters.overdue)
            fetch = _fetch_by_ids(user, _QueueOrderIds(candidates, moment, lapsing))
        paginator = Paginator(_PageSource(shown, fetch), PAGE_SIZE)
    page_obj = paginator.get_page(page)
    rules = sorted({g.rule for g in everything} | {g.rule for g in mine}, key=rule_title)
    teams = Team.objects.filter(Q(organisation_id=user.organisation_id) | Q(supervisors=user)).distinct().order_by("name")
    supervisor = is_supervisor(user)
    return Queue(
        tabs=[t for t, _ in tabs], tab=current, page=page_obj, rows=_rows(user, list(page_obj.object_list), moment),
        counts=counts, rule_choices=[(r, rule_title(r)) for r in rules],
        team_choices=[(str(t.pk), t.name) for t in teams] + [("none", "No team yet")],
        area_choices=sorted({t.area for t in teams if t.area}),
        assignees=assignees_for(user, supervisor=supervisor), can_bulk_assign=supervisor, moment=moment,
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
