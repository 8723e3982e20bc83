"""The four dashboards, as of any moment: backlogs and delays, compliance with statutory clocks,
alerts, and partners' response times. Each is a `Board` whose counts carry the rows behind them.

Every figure is over what the requesting user may see (facts.py reads through the access layer)
and as of the filters' moment: only records recorded by then, alerts raised and acted on by
then, case history logged by then. The clocks are rules.md's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db import connections
from django.db.models import Count, F, Min, Q, Value
from django.db.models.functions import Coalesce, NullIf

from safeguard.casework.models import Investigation
from safeguard.core.calendar import (
    LONDON,
    add_months,
    at_london,
    days_after,
    hours_after,
    london_date,
    months_after,
    start_of_day,
    working_days_after,
)

from . import facts, sql
from .board import Board, Filed, Item, Queried, Row, Table, median, share
from .facts import AlertRow, CaseRow, EventRow, ReferralRow, moment_attr
from .filters import Filters

KIRAT_LEVELS = (("very_high", "Very high"), ("high", "High"), ("medium", "Medium"), ("low", "Low"))
RSO_LEVELS = (("very_high", "Very high"), ("high", "High"), ("medium", "Medium"), ("low", "Low"))
CASE_RISKS = (("high", "High"), ("medium", "Medium"), ("standard", "Standard"))
AGE_BANDS = ((0, 28, "Under 28 days"), (28, 90, "28 to 89 days"), (90, 180, "90 to 179 days"),
             (180, None, "180 days or more"))
HOUR = dt.timedelta(hours=1)
STAGE_LABELS = dict(Investigation.Stage.choices)


def _days(delta: dt.timedelta) -> int:
    return delta.days


def _record_item(row: EventRow, what: str, detail: str = "") -> Item:
    return Item("record", row.record_id, row.reference, what, row.at, detail)


def _alert_item(alert: AlertRow, detail: str = "") -> Item:
    return Item("alert", alert.pk, f"Alert {alert.pk}", f"{alert.rule} ({alert.severity})", alert.raised_at, detail)


def _alert_values(values: tuple) -> Item:
    return _alert_item(facts.alert_row(values))


def _case_item(case: CaseRow, moment: dt.datetime, detail: str = "") -> Item:
    stage = STAGE_LABELS.get(case.stage_at(moment), case.stage_at(moment))
    return Item("investigation", case.pk, case.reference, f"{case.title} ({stage})", case.opened_at, detail)


def _referral_item(ref: ReferralRow, detail: str = "") -> Item:
    return Item("referral", ref.pk, f"Referral {ref.pk} ({ref.case_reference})", f"To {ref.partner}", ref.sent_at,
                detail)


def month_ends(moment: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The ends of the eleven London months before the moment's month, then the moment itself:
    the trend's twelve points, the last of which is the dashboard's own figures."""
    this_month = london_date(moment).replace(day=1)
    out = []
    for back in range(11, 0, -1):
        first = add_months(this_month, -back)
        end = at_london(add_months(first, 1)) - dt.timedelta(microseconds=1)
        out.append((first.strftime("%b %Y"), end))
    out.append((f"{moment.astimezone(LONDON):%d %b %Y} (as of)", moment))
    return out


# ---- backlogs and delays --------------------------------------------------------------------

def _online_queue(row: EventRow, moment: dt.datetime, settings) -> tuple[str, bool] | None:
    """Which queue an online referral waits in at the moment, and whether it is over its limit
    (rules.md ONLINE-TRIAGE and ONLINE-ACTION); None once it has been actioned."""
    level = row.attributes.get("kirat_level")
    if not level:
        return "triage", row.at is not None and moment > working_days_after(row.at, settings.online_triage_working_days)
    if moment_attr(row.attributes, "actioned_at") is not None:
        return None
    triaged = moment_attr(row.attributes, "triaged_at")
    hours = settings.online_action_hours.get(level)
    # Without a triage time the action clock cannot be started: waiting, but not known to be late.
    return level, triaged is not None and hours is not None and moment > hours_after(triaged, hours)


def _online_waiting(rows: list[EventRow], moment: dt.datetime, settings) -> dict[str, list[tuple[EventRow, bool]]]:
    out: dict[str, list[tuple[EventRow, bool]]] = defaultdict(list)
    for row in facts.counting(rows, moment):
        queue = _online_queue(row, moment, settings)
        if queue is not None:
            out[queue[0]].append((row, queue[1]))
    return out


def _age_band(age_days: int) -> int:
    return next(i for i, (low, high, _) in enumerate(AGE_BANDS) if age_days >= low and (high is None or age_days < high))


def backlogs(user, filters: Filters) -> Board:
    moment, settings = filters.moment, facts.rule_settings()
    board = Board("backlogs", "Backlogs and delays")
    points = month_ends(moment)
    trend_start = points[0][1]
    online = facts.event_versions(user, ["online_csea_referral"], moment,
                                  Q(valid_to__isnull=True) | Q(valid_to__gt=trend_start))
    cases = facts.investigations(user, filters, open_from=trend_start)

    # Online child sexual abuse referrals: waiting triage, waiting action by KIRAT level.
    waiting = _online_waiting(online, moment, settings)
    table = Table("online", "Online child sexual abuse referrals waiting",
                  "Referrals waiting triage (2 working days) and, once triaged, waiting action by KIRAT level "
                  "(very high 24 hours, high 7 days, medium 14 days, low 30 days after triage).",
                  ["Queue", "Waiting", "Over time limit", "Within time limit", "Oldest (days)"],
                  chart=("bar", (1, 2)), stacked=True)
    for queue, label in (("triage", "Waiting triage"), *[(code, f"Waiting action: {name}") for code, name in KIRAT_LEVELS]):
        rows = waiting.get(queue, [])
        ages = [_days(moment - r.at) for r, _ in rows if r.at]
        code = f"online.{queue}"
        table.rows.append(Row(label, [
            board.count(f"{code}.waiting", f"Online referrals: {label.lower()}",
                        [_record_item(r, label, f"{_days(moment - r.at)} days old") for r, _ in rows]),
            board.count(f"{code}.over", f"Online referrals: {label.lower()}, over time limit",
                        [_record_item(r, label, "over time limit") for r, over in rows if over]),
            board.count(f"{code}.within", f"Online referrals: {label.lower()}, within time limit",
                        [_record_item(r, label) for r, over in rows if not over]),
            board.over(f"{code}.waiting", max(ages) if ages else None),
        ]))
    board.tables.append(table)

    # Investigations by stage and age.
    open_cases = [c for c in cases if c.is_open(moment)]
    table = Table("investigations", "Open investigations by stage and age",
                  "Child protection investigations open on the day, by their stage then and how long they had been open.",
                  ["Stage", *[band for _, _, band in AGE_BANDS], "Total"], chart=("bar", (0, 1, 2, 3)), stacked=True)
    stage_of = {c.pk: c.stage_at(moment) for c in open_cases}
    band_of = {c.pk: _age_band(_days(moment - c.opened_at)) for c in open_cases}
    as_item = partial(_case_item, moment=moment)
    for stage, label in Investigation.Stage.choices:
        if stage == Investigation.Stage.CLOSED:
            continue
        at_stage = [c for c in open_cases if stage_of[c.pk] == stage]
        bands = [[c for c in at_stage if band_of[c.pk] == i] for i in range(len(AGE_BANDS))]
        table.rows.append(Row(label, [
            *[board.count(f"cases.{stage}.age{i}", f"Open investigations at {label.lower()} stage, {AGE_BANDS[i][2].lower()}",
                          Filed(band, as_item)) for i, band in enumerate(bands)],
            board.count(f"cases.{stage}.all", f"Open investigations at {label.lower()} stage", Filed(at_stage, as_item)),
        ]))
    board.tables.append(table)

    # Open alerts by rule, counted by the database: a force has tens of thousands open.
    alerts_base = facts.alert_queryset(user, filters)
    table = Table("alerts", "Open alerts by rule", "Alerts open or acknowledged on the day, and those past their due time.",
                  ["Rule", "Open", "Overdue", "Longest overdue (days)"], chart=("bar", (0, 1)))
    # One scan for this table and the trend below: the alerts still open at the trend's first
    # point or raised since (only they can be open at any of its points), counted at each point
    # per rule. The last point is the moment, so its counts are this table's.
    points_by_rule = list(alerts_base.filter(facts.open_at(trend_start) | Q(raised_at__gt=trend_start)).values(
        "rule").annotate(**{
            f"{kind}{i}": Count("pk", filter=test(point))
            for i, (_, point) in enumerate(points) for kind, test in (("open", facts.open_at), ("overdue", facts.overdue_at))},
        earliest_due=Min("due_at", filter=facts.overdue_at(moment))).order_by("rule"))
    last = len(points) - 1
    by_rule = [{"rule": row["rule"], "open": row[f"open{last}"], "overdue": row[f"overdue{last}"],
                "earliest_due": row["earliest_due"]} for row in points_by_rule if row[f"open{last}"]]
    for row in by_rule:
        rule = row["rule"]
        table.rows.append(Row(rule, [
            board.counted(f"alerts.{rule}.open", f"Open {rule} alerts", row["open"], Queried(
                facts.alert_rows(alerts_base.filter(facts.open_at(moment), rule=rule)), _alert_values)),
            board.counted(f"alerts.{rule}.overdue", f"Overdue {rule} alerts", row["overdue"], Queried(
                facts.alert_rows(alerts_base.filter(facts.overdue_at(moment), rule=rule)), _alert_values)),
            board.over(f"alerts.{rule}.overdue", _days(moment - row["earliest_due"]) if row["earliest_due"] else None),
        ]))
    board.tables.append(table)
    trend_alerts = {f"{kind}{i}": sum(row[f"{kind}{i}"] for row in points_by_rule)
                    for i in range(len(points)) for kind in ("open", "overdue")}

    # The trend: the same counts at each month's end.
    table = Table("trend", "Trend over the last 12 months",
                  "The same figures at the end of each month: is the backlog getting better?",
                  ["Month", "Online referrals waiting", "Online referrals over time limit", "Open investigations",
                   "Open alerts", "Overdue alerts"], chart=("line", (0, 1, 2, 3, 4)))
    for i, (label, point) in enumerate(points):
        queues = _online_waiting(online, point, settings)
        online_rows = [r for rows in queues.values() for r in rows]
        table.rows.append(Row(label, [
            board.count(f"trend.{i}.online", f"Online referrals waiting at {label}",
                        Filed([r for r, _ in online_rows], partial(_record_item, what="Online referral waiting"))),
            board.count(f"trend.{i}.online_over", f"Online referrals over time limit at {label}",
                        Filed([r for r, over in online_rows if over],
                              partial(_record_item, what="Online referral over time limit"))),
            board.count(f"trend.{i}.cases", f"Open investigations at {label}",
                        Filed([c for c in cases if c.is_open(point)], partial(_case_item, moment=point))),
            board.counted(f"trend.{i}.alerts", f"Open alerts at {label}", trend_alerts[f"open{i}"],
                          Queried(facts.alert_rows(alerts_base.filter(facts.open_at(point))), _alert_values)),
            board.counted(f"trend.{i}.alerts_overdue", f"Overdue alerts at {label}", trend_alerts[f"overdue{i}"],
                          Queried(facts.alert_rows(alerts_base.filter(facts.overdue_at(point))), _alert_values)),
        ]))
    board.tables.append(table)
    board.notes.append("Area and team filters apply to investigations and alerts. Fed records (online referrals) "
                       "carry no team, so their figures are force-wide within what you may see.")
    return board


# ---- compliance with statutory clocks -------------------------------------------------------

def _clock_row(board: Board, code: str, label: str, due, met, missed, counts: dict[str, int] | None = None) -> Row:
    """A clock's due, met and missed rows; `counts` when the database counted them (the rows are
    then `Queried`)."""
    if counts is None:
        cells = [board.count(f"{code}.{name}", f"{label}: {text}", rows)
                 for name, text, rows in (("due", "due in the period", due), ("met", "met", met),
                                          ("missed", "missed", missed))]
    else:
        cells = [board.counted(f"{code}.{name}", f"{label}: {text}", counts[name], rows)
                 for name, text, rows in (("due", "due in the period", due), ("met", "met", met),
                                          ("missed", "missed", missed))]
    return Row(label, [*cells, board.over(f"{code}.due", share(cells[1].value, cells[0].value))])


def _return_home_interviews(user, filters: Filters) -> tuple[list, list, list]:
    """Children's missing episodes that ended so that their 72 hours ran out in the period, and
    whether a return-home interview was completed (or declined) within them (RHI-72H)."""
    moment, start = filters.moment, filters.start
    episodes = facts.event_versions(user, ["missing_episode"], moment,
                                    Q(ends_at__gt=start - 72 * HOUR, ends_at__lte=moment), counting_only=True)
    episodes = [e for e in episodes if e.ends_at and start < e.ends_at + 72 * HOUR <= moment]
    children = facts.children_at(user, episodes, "missing", moment)
    episodes = [e for e in episodes if e.version_id in children]
    # An interview takes place after the child is back, so older ones cannot count here.
    interviews = facts.event_versions(user, ["return_home_interview"], moment, Q(at__gt=start - dt.timedelta(days=7)),
                                      counting_only=True)
    episode_of = facts.references(user, interviews, "episode")
    done: dict[int, list[dt.datetime]] = defaultdict(list)
    for interview in interviews:
        attrs = interview.attributes
        when = moment_attr(attrs, "completed_at")
        if when is None and attrs.get("declined") is True:
            when = moment_attr(attrs, "offered_at") or interview.at
        if when is not None and interview.version_id in episode_of:
            done[episode_of[interview.version_id]].append(when)
    due, met, missed = [], [], []
    for episode in episodes:
        deadline = episode.ends_at + 72 * HOUR
        item = _record_item(episode, "Missing episode", f"interview due {deadline.astimezone(LONDON):%d %b %Y %H:%M}")
        due.append(item)
        (met if any(w <= deadline for w in done.get(episode.record_id, [])) else missed).append(item)
    return due, met, missed


def _initial_conferences(user, filters: Filters) -> tuple[list, list, list]:
    """Strategy discussions deciding s47 whose 15 working days ran out in the period, and whether
    an initial child protection conference for the child was held within them (ICPC-15)."""
    moment, start = filters.moment, filters.start
    # 15 working days are at most 25 calendar days, even across Christmas and Easter.
    window = start - dt.timedelta(days=25)
    discussions = [d for d in facts.event_versions(user, ["strategy_discussion"], moment, Q(at__gt=window, at__lte=moment),
                                                   counting_only=True, outcome="s47")
                   if d.at and start < working_days_after(d.at, 15) <= moment]
    conferences = [c for c in facts.event_versions(user, ["child_protection_conference"], moment,
                                                   Q(at__gt=window, at__lte=moment), counting_only=True,
                                                   conference_type="initial") if c.at]
    children = facts.subjects(user, discussions, "child")
    conference_children = facts.subjects(user, conferences, "child")
    held: dict[int, list[dt.datetime]] = defaultdict(list)
    for conference in conferences:
        for child in conference_children.get(conference.version_id, []):
            held[child].append(conference.at)
    due, met, missed = [], [], []
    for discussion in discussions:
        deadline = working_days_after(discussion.at, 15)
        item = _record_item(discussion, "Strategy discussion (s47)",
                            f"conference due {deadline.astimezone(LONDON):%d %b %Y}")
        due.append(item)
        ok = any(discussion.at <= at <= deadline for child in children.get(discussion.version_id, [])
                 for at in held.get(child, []))
        (met if ok else missed).append(item)
    return due, met, missed


def _referral_decisions(user, filters: Filters) -> tuple[list, list, list]:
    """Referrals to children's social care whose 1 working day ran out in the period, and whether
    a decision was made within it (REFERRAL-DECISION). The decision's time is its `decided_at`,
    or, where the source did not send one, when the version carrying the decision was recorded."""
    moment, start = filters.moment, filters.start
    referrals = [r for r in facts.event_versions(user, ["referral"], moment,
                                                 Q(at__gt=start - dt.timedelta(days=10), at__lte=moment),
                                                 counting_only=True, to_agency="csc")
                 if r.at and start < working_days_after(r.at, 1) <= moment]
    due, met, missed = [], [], []
    for referral in referrals:
        deadline = working_days_after(referral.at, 1)
        decision = referral.attributes.get("decision")
        decided = moment_attr(referral.attributes, "decided_at") or referral.recorded_at
        item = _record_item(referral, "Referral to children's social care",
                            f"decision due {deadline.astimezone(LONDON):%d %b %Y %H:%M}")
        due.append(item)
        (met if decision and decision != "none_yet" and decided <= deadline else missed).append(item)
    return due, met, missed


def _encompass(user, filters: Filters) -> tuple[Queried, Queried, Queried, dict[str, int]]:
    """Operation Encompass: each child present at a domestic abuse incident whose school had to be
    told by 09:00 on the next school day, with that time in the period. Which children were
    present (named, or living there) is the rule engine's judgement, so this counts ENCOMPASS
    alerts; met when the notification was recorded by the due time (satisfied by then, as
    `status_as_of` says at the moment). Counted by the database; the lists are the same filters."""
    moment = filters.moment
    due = facts.alert_queryset(user, filters).filter(rule="ENCOMPASS", due_at__gt=filters.start, due_at__lte=moment)
    met = facts.closed_by_records(moment, "satisfied") & Q(closed_at__lte=F("due_at"))
    counts = due.aggregate(due=Count("pk"), met=Count("pk", filter=met))
    counts["missed"] = counts["due"] - counts["met"]

    def item(values: tuple) -> Item:
        alert = facts.alert_row(values)
        return _alert_item(alert, f"due {alert.due_at.astimezone(LONDON):%d %b %Y %H:%M}")

    by_due = ("due_at", "pk")
    return (Queried(facts.alert_rows(due, by_due), item), Queried(facts.alert_rows(due.filter(met), by_due), item),
            Queried(facts.alert_rows(due.exclude(pk__in=due.filter(met).values("pk")), by_due), item), counts)


def _registrations(user, moment: dt.datetime, settings) -> list[tuple[EventRow, int, dt.datetime, dt.datetime]]:
    """Active sex-offender registrations with their offender, and when the next visit and annual
    notification were due (RSO-VISIT, RSO-ANNUAL)."""
    today = london_date(moment)
    registrations = []
    for row in facts.event_versions(user, ["rso_registration"], moment, counting_only=True):
        try:
            starts = dt.date.fromisoformat(row.attributes.get("starts_on") or "")
        except ValueError:
            continue
        ends = row.attributes.get("ends_on")
        if starts <= today and (not ends or dt.date.fromisoformat(ends) >= today):
            registrations.append((row, starts))
    offenders = facts.subjects(user, [r for r, _ in registrations], "offender")
    last_seen = facts.latest_by_subject(user, "rso_visit", "offender", moment, outcome=("seen",))
    last_notified = facts.latest_by_subject(user, "rso_notification", "offender", moment,
                                            notification_type=("initial", "annual", "change_of_address"))
    out = []
    for row, starts in registrations:
        people = offenders.get(row.version_id, [])
        if not people:
            continue
        person, begun = people[0], start_of_day(starts)
        months = settings.rso_visit_months.get(row.attributes.get("risk_level"), 12)
        visit_due = months_after(max([begun, *[last_seen[p] for p in people if p in last_seen]]), months)
        annual_due = months_after(max([begun, *[last_notified[p] for p in people if p in last_notified]]), 12)
        out.append((row, person, visit_due, annual_due))
    return out


def compliance(user, filters: Filters) -> Board:
    moment, settings = filters.moment, facts.rule_settings()
    board = Board("compliance", "Compliance with statutory clocks")
    table = Table("clocks", "Statutory clocks due in the period",
                  "Each clock that ran out in the period, and whether what it asks for was done in time.",
                  ["Clock", "Due in the period", "Met", "Missed", "Met (%)"], chart=("bar", (1, 2)), stacked=True)
    table.rows += [
        _clock_row(board, "rhi", "Return-home interview within 72 hours", *_return_home_interviews(user, filters)),
        _clock_row(board, "icpc", "Initial conference within 15 working days", *_initial_conferences(user, filters)),
        _clock_row(board, "decision", "Referral decision within 1 working day", *_referral_decisions(user, filters)),
        _clock_row(board, "encompass", "Encompass notification before the next school day", *_encompass(user, filters)),
    ]
    board.tables.append(table)

    registrations = _registrations(user, moment, settings)
    table = Table("rso", "Registered sex offenders: visits and annual notifications overdue",
                  "Active registrations on the day, by risk level; a visit is due every month (very high), 3 months "
                  "(high), 6 months (medium) or 12 months (low) after the last visit that saw the offender.",
                  ["Risk level", "Active registrations", "Visit overdue", "Annual notification overdue"],
                  chart=("bar", (1, 2)))
    for level, label in RSO_LEVELS:
        rows = [r for r in registrations if r[0].attributes.get("risk_level") == level]
        table.rows.append(Row(label, [
            board.count(f"rso.{level}.active", f"Active registrations, {label.lower()} risk",
                        [_record_item(r, "Registration") for r, *_ in rows]),
            board.count(f"rso.{level}.visit", f"Visits overdue, {label.lower()} risk",
                        [_record_item(r, "Registration", f"visit due {v.astimezone(LONDON):%d %b %Y}")
                         for r, _, v, _ in rows if moment > v]),
            board.count(f"rso.{level}.annual", f"Annual notifications overdue, {label.lower()} risk",
                        [_record_item(r, "Registration", f"notification due {a.astimezone(LONDON):%d %b %Y}")
                         for r, _, _, a in rows if moment > a]),
        ]))
    board.tables.append(table)

    open_cases = [c for c in facts.investigations(user, filters, open_from=moment) if c.is_open(moment)]
    as_item = partial(_case_item, moment=moment)
    table = Table("supervision", "Supervision of open investigations",
                  "A supervisory review is due 7 days (high risk), 14 days (medium) or 28 days (standard) after the "
                  "last one, or after the case opened.",
                  ["Risk level", "Open investigations", "Supervision on time", "Supervision overdue", "On time (%)"],
                  chart=("bar", (1, 2)), stacked=True)
    for risk, label in CASE_RISKS:
        rows = [c for c in open_cases if c.risk_at(moment) == risk]
        days = settings.supervision_days.get(risk, 28)
        late, on_time = [], []  # (one pass: `c not in late` compared every pair of cases)
        for c in rows:
            (late if moment > days_after(c.last_reviewed(moment), days) else on_time).append(c)

        def overdue_item(c, days=days) -> Item:
            return _case_item(c, moment, f"review due {days_after(c.last_reviewed(moment), days).astimezone(LONDON):%d %b %Y}")

        table.rows.append(Row(label, [
            board.count(f"supervision.{risk}.open", f"Open investigations, {label.lower()} risk",
                        Filed(rows, as_item)),
            board.count(f"supervision.{risk}.on_time", f"Supervision on time, {label.lower()} risk",
                        Filed(on_time, as_item)),
            board.count(f"supervision.{risk}.overdue", f"Supervision overdue, {label.lower()} risk", Filed(late, overdue_item)),
            board.over(f"supervision.{risk}.open", share(len(on_time), len(rows))),
        ]))
    board.tables.append(table)
    board.notes.append("Return-home interviews, conferences and referral decisions are computed from the records "
                       "(rules.md's clocks) and are force-wide within what you may see; Encompass notifications, "
                       "alerts and investigations follow the area and team filters.")
    return board


# ---- alerts ---------------------------------------------------------------------------------

ALERT_COLUMNS = ["Raised", "Acknowledged", "Resolved", "Satisfied", "Lapsed", "Open", "Overdue",
                 "Median hours to acknowledge", "Median hours to close"]
# What the alerts page groups by: the rule, and the owning team's name and area ("No team",
# "No area" when there is none or it is blank).
ALERT_GROUPS = (
    ("rule", "By rule", F("rule")),
    ("team", "By team", Coalesce(NullIf(F("owner_team__name"), Value("")), Value("No team"))),
    ("area", "By area", Coalesce(NullIf(F("owner_team__area"), Value("")), Value("No area"))),
)
# The counted columns, in order, and "closed" (the rows the median time to close is over).
ALERT_MEASURES = ("raised", "acknowledged", "resolved", "satisfied", "lapsed", "open", "overdue")


def _alert_tests(moment: dt.datetime) -> dict[str, Q]:
    """Each measure of the alerts page as a filter: `alerts.selectors.status_as_of` at the moment."""
    return {
        "raised": Q(),
        "acknowledged": facts.acknowledged_by(moment),
        "resolved": facts.resolved_by(moment),
        "satisfied": facts.closed_by_records(moment, "satisfied"),
        "lapsed": facts.closed_by_records(moment, "lapsed"),
        "open": facts.open_at(moment),
        "overdue": facts.overdue_at(moment),
        "closed": facts.closed_by(moment),
    }


def _python_medians(queryset, tests: dict[str, Q], moment: dt.datetime) -> dict[str, tuple]:
    """Where the database has no median (SQLite): each group's median hours to acknowledge and to
    close, from the two moments of the acknowledged and closed rows only."""
    ack: dict[str, list[float]] = defaultdict(list)
    close: dict[str, list[float]] = defaultdict(list)
    rows = queryset.filter(tests["acknowledged"] | tests["closed"]).annotate(
        closing=facts.closing_time(moment)).values_list("grp", "raised_at", "acknowledged_at", "closing")
    for group, raised, acknowledged, closing in rows:
        if acknowledged is not None and acknowledged <= moment:
            ack[group].append((acknowledged - raised) / HOUR)
        if closing is not None and closing <= moment:
            close[group].append((closing - raised) / HOUR)
    return {group: (median(ack.get(group, [])), median(close.get(group, []))) for group in {*ack, *close}}


def alerts(user, filters: Filters) -> Board:
    """Counted by the database, grouped by rule, team and area (one query each); each count's list
    is the same filter read a page at a time."""
    moment = filters.moment
    board = Board("alerts", "Alerts")
    period = facts.alert_queryset(user, filters).filter(raised_at__gt=filters.start)
    tests = _alert_tests(moment)
    in_sql = sql.has_median(connections[period.db])
    for key, title, group in ALERT_GROUPS:
        grouped = period.annotate(grp=group)
        aggregates = {name: Count("pk", filter=tests[name]) if name != "raised" else Count("pk")
                      for name in (*ALERT_MEASURES, "closed")}
        if in_sql:
            aggregates["ack_hours"] = sql.Median(sql.Hours(F("acknowledged_at"), F("raised_at")),
                                                 filter=tests["acknowledged"])
            aggregates["close_hours"] = sql.Median(sql.Hours(facts.closing_time(moment), F("raised_at")),
                                                   filter=tests["closed"])
        counted = {row["grp"]: row for row in grouped.values("grp").annotate(**aggregates).order_by()}
        hours = ({name: (_rounded(row["ack_hours"]), _rounded(row["close_hours"])) for name, row in counted.items()}
                 if in_sql else _python_medians(grouped, tests, moment))
        table = Table(key, f"Alerts raised in the period: {title.lower()}",
                      "What became of the alerts raised in the period, as of the day; times are from raising.",
                      [title.removeprefix("By ").capitalize(), *ALERT_COLUMNS],
                      chart=("bar", (2, 3, 4, 5)) if key == "rule" else None, stacked=True)
        for name in sorted(counted):
            row, code = counted[name], f"{key}.{name}"

            def rows(measure: str, name=name, grouped=grouped) -> Queried:
                return Queried(facts.alert_rows(grouped.filter(tests[measure], grp=name)), _alert_values)

            board.file(f"{code}.closed", f"{name}: closed", rows("closed"))
            labels = {"raised": "raised", "acknowledged": "acknowledged", "resolved": "resolved",
                      "satisfied": "satisfied", "lapsed": "lapsed", "open": "still open", "overdue": "overdue"}
            ack_hours, close_hours = hours.get(name, (None, None))
            table.rows.append(Row(name, [
                *[board.counted(f"{code}.{measure}", f"{name}: {labels[measure]}", row[measure], rows(measure))
                  for measure in ALERT_MEASURES],
                board.over(f"{code}.acknowledged", ack_hours),
                board.over(f"{code}.closed", close_hours),
            ]))
        board.tables.append(table)
    return board


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# ---- partners -------------------------------------------------------------------------------

def partners(user, filters: Filters) -> Board:
    """Counted by the database, grouped by partner organisation (one query); each count's list is
    the same filter read a page at a time."""
    moment = filters.moment
    board = Board("partners", "Partners' response times")
    sent = facts.partner_referral_queryset(user, filters)
    answered = Q(responded_at__lte=moment)
    waiting = Q(responded_at__isnull=True) | Q(responded_at__gt=moment)
    tests = {"sent": Q(), "answered": answered, "on_time": answered & Q(responded_at__lte=F("response_due_at")),
             "waiting": waiting, "overdue": waiting & Q(response_due_at__lt=moment)}
    aggregates = {name: Count("pk", filter=test) if name != "sent" else Count("pk") for name, test in tests.items()}
    in_sql = sql.has_median(connections[sent.db])
    if in_sql:
        aggregates["days"] = sql.Median(sql.Days(F("responded_at"), F("sent_at")), filter=answered)
    counted = {row["to_organisation__name"]: row
               for row in sent.values("to_organisation__name").annotate(**aggregates).order_by()}
    if not in_sql:
        spans: dict[str, list[float]] = defaultdict(list)
        for name, sent_at, responded_at in sent.filter(answered).values_list("to_organisation__name", "sent_at",
                                                                             "responded_at"):
            spans[name].append((responded_at - sent_at) / dt.timedelta(days=1))
    table = Table("partners", "Referrals to partners sent in the period",
                  "Referrals from investigations to partner organisations, and how quickly each partner answered.",
                  ["Partner organisation", "Sent", "Answered", "Answered by the due time", "Awaiting an answer",
                   "Awaiting and overdue", "Median days to answer"], chart=("bar", (1, 3)), stacked=True)
    labels = {"sent": "Referrals to {}", "answered": "Referrals to {} answered",
              "on_time": "Referrals to {} answered by the due time", "waiting": "Referrals to {} awaiting an answer",
              "overdue": "Referrals to {} awaiting an answer past the due time"}
    for name in sorted(counted):
        row, code = counted[name], f"partner.{name}"

        def rows(measure: str, name=name) -> Queried:
            to_item = _overdue_referral_values if measure == "overdue" else _referral_values
            return Queried(facts.referral_rows(sent.filter(tests[measure], to_organisation__name=name)), to_item)

        days = _rounded(row["days"]) if in_sql else median(spans.get(name, []))
        table.rows.append(Row(name, [
            *[board.counted(f"{code}.{measure}", labels[measure].format(name), row[measure], rows(measure))
              for measure in tests],
            board.over(f"{code}.answered", days),
        ]))
    board.tables.append(table)
    return board


def _referral_values(values: tuple) -> Item:
    return _referral_item(ReferralRow(*values))


def _overdue_referral_values(values: tuple) -> Item:
    ref = ReferralRow(*values)
    return _referral_item(ref, f"due {ref.response_due_at.astimezone(LONDON):%d %b %Y}")


PAGES = {
    "backlogs": backlogs,
    "compliance": compliance,
    "alerts": alerts,
    "partners": partners,
}
