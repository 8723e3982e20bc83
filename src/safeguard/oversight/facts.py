"""Reading the facts the dashboards count, in bulk and through the access layer.

Each reader takes the requesting user and fetches, in one query, every row it needs up to the
moment asked (record versions recorded by then, alerts raised by then, cases opened by then);
what held at a moment is then judged here, so one read answers the page's moment and the
twelve month-ends of its trend alike. No reader runs a query per row.

Record versions are judged with `counts_at` (the same test as `records.selectors.as_of`);
alert status with `alerts.selectors.status_as_of`; a case's stage, risk level and closure with
its log, the case's history in recorded time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, F, Max, Q, When
from django.db.models.fields.json import KT

from safeguard.access.policy import condition, visible
from safeguard.alerts.models import Alert, Partnership
from safeguard.alerts.selectors import status_as_of
from safeguard.casework.models import Investigation, InvestigationLog, Referral, SupervisoryReview
from safeguard.records.models import EventReference, EventSubject, EventVersion, PersonVersion
from safeguard.records.selectors import as_of
from safeguard.rules.settings import RuleSettings

from .filters import Filters


def rule_settings() -> RuleSettings:
    """The partnership's settings when the force has one partnership; otherwise the spec's defaults
    (the dashboards count for the whole force, so there is no single partnership to pick)."""
    partnerships = list(Partnership.objects.values_list("settings", flat=True)[:2])
    return RuleSettings.with_overrides(partnerships[0]) if len(partnerships) == 1 else RuleSettings()


def counts_at(moment: dt.datetime, recorded_at: dt.datetime, valid_to: dt.datetime | None, deleted: bool) -> bool:
    """Whether a version counts at the moment: `records.selectors.as_of`, for rows already read."""
    return not deleted and recorded_at <= moment and (valid_to is None or valid_to > moment)


def moment_attr(attributes: dict, name: str) -> dt.datetime | None:
    """A date-time attribute as sent (ISO 8601 with an offset; the feed refuses any other)."""
    text = attributes.get(name)
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    return value if value.tzinfo else None


# ---- fed events -----------------------------------------------------------------------------

@dataclass(frozen=True)
class EventRow:
    version_id: int
    record_id: int
    reference: str  # source/id
    type: str
    at: dt.datetime | None
    ends_at: dt.datetime | None
    attributes: dict
    recorded_at: dt.datetime
    valid_to: dt.datetime | None
    deleted: bool

    def counts_at(self, moment: dt.datetime) -> bool:
        return counts_at(moment, self.recorded_at, self.valid_to, self.deleted)


def event_versions(user, types: Iterable[str], until: dt.datetime, where: Q | None = None, *,
                   counting_only: bool = False, **attributes: str) -> list[EventRow]:
    """Every version of events of these types recorded by `until` that the user may see; with
    `counting_only`, only those that count at `until` (`records.selectors.as_of`, in the
    database: the same rows `counting(..., until)` keeps). `attributes` keeps versions whose
    attribute has that value: a version whose attribute differs is dropped in the database,
    which changes no count made on the counting version's attributes."""
    qs = visible(user, EventVersion.objects.filter(as_of(until) if counting_only else Q(recorded_at__lte=until),
                                                   type__in=list(types)))
    if where is not None:
        qs = qs.filter(where)
    if attributes:
        qs = qs.filter(**{f"attributes__{name}": value for name, value in attributes.items()})
    rows = qs.values_list("pk", "record_id", "record__source__code", "record__ext_id", "type", "at", "ends_at",
                          "attributes", "recorded_at", "valid_to", "deleted")
    return [EventRow(pk, rec, f"{source}/{ext}", etype, at, ends, attrs or {}, recorded, valid_to, deleted)
            for pk, rec, source, ext, etype, at, ends, attrs, recorded, valid_to, deleted in rows]


def counting(rows: Iterable[EventRow], moment: dt.datetime) -> list[EventRow]:
    """The version of each record that counts at the moment (at most one per record)."""
    return [row for row in rows if row.counts_at(moment)]


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    # SQLite limits the parameters of one statement; PostgreSQL plans long IN lists poorly.
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def subjects(user, versions: list[EventRow], role: str) -> dict[int, list[int]]:
    """The people in `role` of each version, as resolved persons (negative: a source record
    linkage has not placed), so that one child recorded by two agencies is one child."""
    out: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks([v.version_id for v in versions]):
        qs = visible(user, EventSubject.objects.filter(role=role, version_id__in=chunk))
        for version_id, record_id, person_id in qs.values_list("version_id", "person_id",
                                                               "person__person_membership__person_id"):
            out[version_id].append(person_id if person_id is not None else -record_id)
    return out


def latest_by_subject(user, etype: str, role: str, moment: dt.datetime,
                      **attributes: tuple[str, ...]) -> dict[int, dt.datetime]:
    """The latest `at` (by the moment) of the counting events of a type, per resolved person in
    `role`, among events with one of these values of each attribute: one grouped query."""
    qs = visible(user, EventSubject.objects.filter(as_of(moment, "version"), role=role, version__type=etype,
                                                   version__at__lte=moment,
                                                   **{f"version__attributes__{k}__in": v for k, v in attributes.items()}))
    out: dict[int, dt.datetime] = {}
    rows = qs.values("person_id", "person__person_membership__person_id").annotate(last=Max("version__at"))
    for row in rows.values_list("person_id", "person__person_membership__person_id", "last"):
        record_id, person_id, last = row
        key = person_id if person_id is not None else -record_id
        if key not in out or last > out[key]:
            out[key] = last
    return out


def references(user, versions: list[EventRow], name: str) -> dict[int, int]:
    """The record each version names in a reference attribute (`episode`, `incident`, ...)."""
    out: dict[int, int] = {}
    for chunk in _chunks([v.version_id for v in versions]):
        rows = visible(user, EventReference.objects.filter(name=name, version_id__in=chunk))
        out.update(rows.values_list("version_id", "target_id"))
    return out


def children_at(user, versions: list[EventRow], role: str, moment: dt.datetime) -> set[int]:
    """Versions whose subject in `role` may be under 18 at the event's `at` (rules.md "Child": a
    partial date of birth counts if any day it could mean makes them a child; unknown: adult),
    judged on the subject's record as it stood at the moment."""
    wanted = {v.version_id: v for v in versions}
    pairs: list[tuple[int, int]] = []
    for chunk in _chunks(list(wanted)):
        pairs += visible(user, EventSubject.objects.filter(role=role, version_id__in=chunk)).values_list(
            "version_id", "person_id")
    latest_dob: dict[int, dt.date | None] = {}
    for chunk in _chunks(sorted({person for _, person in pairs})):
        person_rows = visible(user, PersonVersion.objects.filter(record_id__in=chunk, recorded_at__lte=moment))
        for record_id, dob_latest, recorded_at, valid_to, deleted in person_rows.values_list(
                "record_id", "dob_latest", "recorded_at", "valid_to", "deleted"):
            if counts_at(moment, recorded_at, valid_to, deleted):
                latest_dob[record_id] = dob_latest
    out = set()
    for version_id, person in pairs:
        version = wanted.get(version_id)
        dob = latest_dob.get(person)
        if version is None or dob is None or version.at is None:
            continue
        if _add_years(dob, 18) > version.at.date():
            out.add(version_id)
    return out


def _add_years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:
        return dt.date(day.year + n, 3, 1)


# ---- alerts ---------------------------------------------------------------------------------

@dataclass
class AlertRow:
    pk: int
    rule: str
    severity: str
    raised_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    team: str
    area: str

    def status(self, moment: dt.datetime) -> tuple[str, dt.datetime | None]:
        return status_as_of(self, moment)

    @cached_property
    def open_until(self) -> dt.datetime | None:
        """When it stopped being open or acknowledged: the earlier of the records closing it and
        a person resolving it (status_as_of's order), so that the trend's twelve questions are
        two comparisons each."""
        ends = [t for t in (self.closed_at, self.resolved_at) if t is not None]
        return min(ends) if ends else None

    def is_open(self, moment: dt.datetime) -> bool:
        return self.raised_at <= moment and (self.open_until is None or moment < self.open_until)

    def is_overdue(self, moment: dt.datetime) -> bool:
        return self.is_open(moment) and self.due_at is not None and moment > self.due_at


def alerts(user, filters: Filters, *, raised_after: dt.datetime | None = None, rules: Iterable[str] | None = None,
           due_between: tuple[dt.datetime, dt.datetime] | None = None) -> list[AlertRow]:
    """Alerts raised by the filters' moment that the user may see, in the chosen area and team:
    raised after `raised_after`, of these rules, due in this span."""
    qs = alert_queryset(user, filters)
    if raised_after is not None:
        qs = qs.filter(raised_at__gt=raised_after)
    if rules is not None:
        qs = qs.filter(rule__in=list(rules))
    if due_between is not None:
        qs = qs.filter(due_at__gt=due_between[0], due_at__lte=due_between[1])
    # Not the summary: it names people, and the lists link to each alert's page, which shows it.
    return [alert_row(values) for values in qs.values_list(*ALERT_FIELDS)]


ALERT_FIELDS = ("pk", "rule", "severity", "raised_at", "due_at", "closed_at", "close_reason", "acknowledged_at",
                "resolved_at", "owner_team__name", "owner_team__area")


def alert_row(values: tuple) -> AlertRow:
    return AlertRow(*values[:9], team=values[9] or "No team", area=values[10] or "No area")


def alert_queryset(user, filters: Filters):
    """Alerts raised by the filters' moment that the user may see, in the chosen area and team.
    What the user may see is a semi-join (`pk IN (...)`): the access rule crosses the alerts'
    evidence, and a join would repeat an alert once per record in the counts made from this."""
    seen = visible(user, Alert.objects.filter(raised_at__lte=filters.moment))
    if condition(user, Alert) != Q():
        # Not for those who see everything: their rule adds no join, and the semi-join would
        # read the whole alerts table a second time.
        seen = Alert.objects.filter(pk__in=seen.values("pk"))
    return _owned(seen, filters, "owner_team")


def open_at(moment: dt.datetime) -> Q:
    """Open or acknowledged at the moment: `alerts.selectors.status_as_of` as a filter (closed by
    the records, or resolved by a person, only from when that happened)."""
    return (Q(raised_at__lte=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gt=moment))
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=moment)))


def overdue_at(moment: dt.datetime) -> Q:
    return open_at(moment) & Q(due_at__lt=moment)


def acknowledged_by(moment: dt.datetime) -> Q:
    return Q(acknowledged_at__lte=moment)


def resolved_by(moment: dt.datetime) -> Q:
    """`status_as_of` says "resolved": a person resolved it by the moment, before the records
    closed it (or the records had not closed it by then)."""
    return Q(resolved_at__lte=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gt=moment)
                                         | Q(resolved_at__lt=F("closed_at")))


def closed_by_records(moment: dt.datetime, reason: str) -> Q:
    """`status_as_of` says `reason` (satisfied, lapsed): the records closed it by the moment, and
    no person had resolved it before that."""
    return Q(closed_at__lte=moment, close_reason=reason) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=moment) | Q(resolved_at__gte=F("closed_at")))


def closed_by(moment: dt.datetime) -> Q:
    """Closed in any way by the moment (`status_as_of` gives it a closing time)."""
    return Q(resolved_at__lte=moment) | Q(closed_at__lte=moment)


def closing_time(moment: dt.datetime) -> Case:
    """`status_as_of`'s closing time, for alerts `closed_by` the moment."""
    return Case(When(resolved_by(moment), then=F("resolved_at")), default=F("closed_at"))


def alert_rows(queryset, order: tuple[str, ...] = ("raised_at", "pk")):
    """The queryset's alerts as `AlertRow` values, oldest first (for lists read a page at a time).
    A list filtered on another time than raising is best ordered by it: with the page's LIMIT,
    ordering by `raised_at` can make PostgreSQL walk the raised-at index from the oldest alert."""
    return queryset.order_by(*order).values_list(*ALERT_FIELDS)


def _owned(qs, filters: Filters, team_path: str):
    if filters.team:
        qs = qs.filter(**{f"{team_path}_id": filters.team})
    if filters.area:
        qs = qs.filter(**{f"{team_path}__area": filters.area})
    return qs


# ---- investigations held in Safeguard --------------------------------------------------------

@dataclass
class CaseRow:
    pk: int
    reference: str
    title: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    stage: str
    risk: str
    team: str
    log: list[tuple[dt.datetime, str, dict]] = field(default_factory=list)
    reviews: list[dt.datetime] = field(default_factory=list)

    def is_open(self, moment: dt.datetime) -> bool:
        if self.opened_at > moment:
            return False
        closures = [kind for at, kind, _ in self.log if kind in ("closed", "reopened") and at <= moment]
        if closures:
            return closures[-1] == "reopened"
        return self.closed_at is None or self.closed_at > moment

    def _as_of(self, kinds: tuple[str, ...], moment: dt.datetime, current: str) -> str:
        changes = [(at, data) for at, k, data in self.log if k in kinds]
        before = [data.get("to") for at, data in changes if at <= moment and data.get("to")]
        if before:
            return before[-1]
        after = [data.get("from") for at, data in changes if at > moment and data.get("from")]
        return after[0] if after else current

    def stage_at(self, moment: dt.datetime) -> str:
        # Closing (and reopening) a case changes its stage too, and logs it under its own kind.
        return self._as_of(("stage", "closed", "reopened"), moment, self.stage)

    def risk_at(self, moment: dt.datetime) -> str:
        return self._as_of(("risk",), moment, self.risk)

    def last_reviewed(self, moment: dt.datetime) -> dt.datetime:
        done = [at for at in self.reviews if at <= moment]
        return max(done) if done else self.opened_at


def investigations(user, filters: Filters, open_from: dt.datetime | None = None) -> list[CaseRow]:
    """Cases opened by the filters' moment that the user may see, in the chosen area and team,
    with their log of stage, risk and closure changes and their supervisory reviews up to then.

    With `open_from`, only the cases that can be open at some moment from then on: not closed
    before it (a case's `closed_at` is its latest closure), and any case ever reopened, whose
    log decides. Every other case is closed at every such moment (`CaseRow.is_open`)."""
    qs = _owned(visible(user, Investigation.objects.filter(opened_at__lte=filters.moment)), filters, "team")
    if open_from is not None:
        reopened = InvestigationLog.objects.filter(kind="reopened").values("investigation_id")
        qs = qs.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=open_from) | Q(pk__in=reopened))
    cases = {pk: CaseRow(pk, ref, title, opened, closed, stage, risk, team or "No team")
             for pk, ref, title, opened, closed, stage, risk, team in qs.values_list(
                 "pk", "reference", "title", "opened_at", "closed_at", "stage", "risk_level", "team__name")}
    if not cases:
        return []
    # Every change, in time order: those recorded after the moment still say what the stage was
    # before them ("from"). Only a change's "from" and "to" are read, as text (decoding every
    # entry's JSON was a third of this).
    logs = InvestigationLog.objects.filter(investigation__in=qs.values("pk"),
                                           kind__in=("stage", "risk", "closed", "reopened")).order_by("at", "pk")
    for case_id, at, kind, before, after in logs.values_list("investigation_id", "at", "kind", KT("data__from"),
                                                             KT("data__to")):
        cases[case_id].log.append((at, kind, {"from": before, "to": after}))
    reviews = SupervisoryReview.objects.filter(investigation__in=qs.values("pk"), reviewed_at__lte=filters.moment)
    for case_id, at in reviews.values_list("investigation_id", "reviewed_at"):
        cases[case_id].reviews.append(at)
    return list(cases.values())


# ---- referrals from cases to partners --------------------------------------------------------

@dataclass(frozen=True)
class ReferralRow:
    pk: int
    case_reference: str
    partner: str
    agency: str
    sent_at: dt.datetime
    response_due_at: dt.datetime
    responded_at: dt.datetime | None


REFERRAL_FIELDS = ("pk", "investigation__reference", "to_organisation__name", "agency", "sent_at", "response_due_at",
                   "responded_at")


def partner_referral_queryset(user, filters: Filters):
    """Referrals to partners sent in the period (by the filters' moment) that the user may see, in
    the chosen area and team; a semi-join where the access rule is not empty, so that counts
    grouped from this count each referral once."""
    seen = visible(user, Referral.objects.filter(sent_at__gt=filters.start, sent_at__lte=filters.moment))
    if condition(user, Referral) != Q():
        seen = Referral.objects.filter(pk__in=seen.values("pk"))
    return _owned(seen, filters, "investigation__team")


def referral_rows(queryset):
    """The queryset's referrals as `ReferralRow` values, oldest first (lists read a page at a time)."""
    return queryset.order_by("sent_at", "pk").values_list(*REFERRAL_FIELDS)


def partner_referrals(user, filters: Filters) -> list[ReferralRow]:
    """Referrals to partners sent in the period (by the filters' moment) that the user may see."""
    qs = _owned(visible(user, Referral.objects.filter(sent_at__gt=filters.start, sent_at__lte=filters.moment)),
                filters, "investigation__team")
    return [ReferralRow(*row) for row in qs.values_list(
        "pk", "investigation__reference", "to_organisation__name", "agency", "sent_at", "response_due_at",
        "responded_at")]
