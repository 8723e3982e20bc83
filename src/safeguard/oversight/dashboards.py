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

from django.db.models import Count, Min, Q

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

from . import facts
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
    cases = facts.investigations(user, filters)

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
    for stage, label in Investigation.Stage.choices:
        if stage == Investigation.Stage.CLOSED:
            continue
        at_stage = [c for c in open_cases if c.stage_at(moment) == stage]
        bands = [[c for c in at_stage if _age_band(_days(moment - c.opened_at)) == i] for i in range(len(AGE_BANDS))]
        table.rows.append(Row(label, [
            *[board.count(f"cases.{stage}.age{i}", f"Open investigations at {label.lower()} stage, {AGE_BANDS[i][2].lower()}",
                          [_case_item(c, moment) for c in band]) for i, band in enumerate(bands)],
            board.count(f"cases.{stage}.all", f"Open investigations at {label.lower()} stage",
                        [_case_item(c, moment) for c in at_stage]),
        ]))
    board.tables.append(table)

    # Open alerts by rule, counted by the database: a force has tens of thousands open.
    alerts_base = facts.alert_queryset(user, filters)
    table = Table("alerts", "Open alerts by rule", "Alerts open or acknowledged on the day, and those past their due time.",
                  ["Rule", "Open", "Overdue", "Longest overdue (days)"], chart=("bar", (0, 1)))
    by_rule = alerts_base.filter(facts.open_at(moment)).values("rule").annotate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=moment)),
        earliest_due=Min("due_at", filter=Q(due_at__lt=moment))).order_by("rule")
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
    # Only alerts still open at the trend's first point can be open at any of its points.
    trend_alerts = alerts_base.filter(facts.open_at(trend_start) | Q(raised_at__gt=trend_start)).aggregate(**{
        f"{kind}{i}": Count("pk", filter=test(point))
        for i, (_, point) in enumerate(points) for kind, test in (("open", facts.open_at), ("overdue", facts.overdue_at))})

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

def _clock_row(board: Board, code: str, label: str, due: list[Item], met: list[Item], missed: list[Item]) -> Row:
    return Row(label, [
        board.count(f"{code}.due", f"{label}: due in the period", due),
        board.count(f"{code}.met", f"{label}: met", met),
        board.count(f"{code}.missed", f"{label}: missed", missed),
        board.over(f"{code}.due", share(len(met), len(due))),
    ])


def _return_home_interviews(user, filters: Filters) -> tuple[list, list, list]:
    """Children's missing episodes that ended so that their 72 hours ran out in the period, and
    whether a return-home interview was completed (or declined) within them (RHI-72H)."""
    moment, start = filters.moment, filters.start
    episodes = facts.counting(facts.event_versions(
        user, ["missing_episode"], moment, Q(ends_at__gt=start - 72 * HOUR, ends_at__lte=moment)), moment)
    episodes = [e for e in episodes if e.ends_at and start < e.ends_at + 72 * HOUR <= moment]
    children = facts.children_at(user, episodes, "missing", moment)
    episodes = [e for e in episodes if e.version_id in children]
    # An interview takes place after the child is back, so older ones cannot count here.
    interviews = facts.counting(facts.event_versions(
        user, ["return_home_interview"], moment, Q(at__gt=start - dt.timedelta(days=7))), moment)
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
    discussions = [d for d in facts.counting(facts.event_versions(
        user, ["strategy_discussion"], moment, Q(at__gt=window, at__lte=moment)), moment)
        if d.attributes.get("outcome") == "s47" and d.at and start < working_days_after(d.at, 15) <= moment]
    conferences = [c for c in facts.counting(facts.event_versions(
        user, ["child_protection_conference"], moment, Q(at__gt=window, at__lte=moment)), moment)
        if c.attributes.get("conference_type") == "initial" and c.at]
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
    referrals = [r for r in facts.counting(facts.event_versions(
        user, ["referral"], moment, Q(at__gt=start - dt.timedelta(days=10), at__lte=moment)), moment)
        if r.attributes.get("to_agency") == "csc" and r.at and start < working_days_after(r.at, 1) <= moment]
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


def _encompass(user, filters: Filters) -> tuple[list, list, list]:
    """Operation Encompass: each child present at a domestic abuse incident whose school had to be
    told by 09:00 on the next school day, with that time in the period. Which children were
    present (named, or living there) is the rule engine's judgement, so this counts ENCOMPASS
    alerts; met when the notification was recorded by the due time."""
    moment = filters.moment
    rows = facts.alerts(user, filters, rules=["ENCOMPASS"], due_between=(filters.start, moment))
    due, met, missed = [], [], []
    for alert in rows:
        status, closed_at = alert.status(moment)
        item = _alert_item(alert, f"due {alert.due_at.astimezone(LONDON):%d %b %Y %H:%M}")
        due.append(item)
        (met if status == "satisfied" and closed_at and closed_at <= alert.due_at else missed).append(item)
    return due, met, missed


def _registrations(user, moment: dt.datetime, settings) -> list[tuple[EventRow, int, dt.datetime, dt.datetime]]:
    """Active sex-offender registrations with their offender, and when the next visit and annual
    notification were due (RSO-VISIT, RSO-ANNUAL)."""
    today = london_date(moment)
    registrations = []
    for row in facts.counting(facts.event_versions(user, ["rso_registration"], moment), moment):
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

    open_cases = [c for c in facts.investigations(user, filters) if c.is_open(moment)]
    table = Table("supervision", "Supervision of open investigations",
                  "A supervisory review is due 7 days (high risk), 14 days (medium) or 28 days (standard) after the "
                  "last one, or after the case opened.",
                  ["Risk level", "Open investigations", "Supervision on time", "Supervision overdue", "On time (%)"],
                  chart=("bar", (1, 2)), stacked=True)
    for risk, label in CASE_RISKS:
        rows = [c for c in open_cases if c.risk_at(moment) == risk]
        days = settings.supervision_days.get(risk, 28)
        late = [c for c in rows if moment > days_after(c.last_reviewed(moment), days)]
        on_time = [c for c in rows if c not in late]
        table.rows.append(Row(label, [
            board.count(f"supervision.{risk}.open", f"Open investigations, {label.lower()} risk",
                        [_case_item(c, moment) for c in rows]),
            board.count(f"supervision.{risk}.on_time", f"Supervision on time, {label.lower()} risk",
                        [_case_item(c, moment) for c in on_time]),
            board.count(f"supervision.{risk}.overdue", f"Supervision overdue, {label.lower()} risk",
                        [_case_item(c, moment, f"review due {days_after(c.last_reviewed(moment), days).astimezone(LONDON):%d %b %Y}")
                         for c in late]),
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


def _alert_row(board: Board, code: str, label: str, rows: list[AlertRow], moment: dt.datetime) -> Row:
    status = {a.pk: a.status(moment) for a in rows}
    acked = [a for a in rows if a.acknowledged_at and a.acknowledged_at <= moment]
    closed = [a for a in rows if status[a.pk][1] is not None]

    board.file(f"{code}.closed", f"{label}: closed", Filed(closed, _alert_item))

    def by(name: str) -> Filed:
        return Filed([a for a in rows if status[a.pk][0] == name], _alert_item)

    return Row(label, [
        board.count(f"{code}.raised", f"{label}: raised", Filed(rows, _alert_item)),
        board.count(f"{code}.acknowledged", f"{label}: acknowledged", Filed(acked, _alert_item)),
        board.count(f"{code}.resolved", f"{label}: resolved", by("resolved")),
        board.count(f"{code}.satisfied", f"{label}: satisfied", by("satisfied")),
        board.count(f"{code}.lapsed", f"{label}: lapsed", by("lapsed")),
        board.count(f"{code}.open", f"{label}: still open", Filed([a for a in rows if a.is_open(moment)], _alert_item)),
        board.count(f"{code}.overdue", f"{label}: overdue",
                    Filed([a for a in rows if a.is_overdue(moment)], _alert_item)),
        board.over(f"{code}.acknowledged", median([(a.acknowledged_at - a.raised_at) / HOUR for a in acked])),
        board.over(f"{code}.closed", median([(status[a.pk][1] - a.raised_at) / HOUR for a in closed])),
    ])


def alerts(user, filters: Filters) -> Board:
    moment = filters.moment
    board = Board("alerts", "Alerts")
    rows = facts.alerts(user, filters, raised_after=filters.start)
    for key, title, attr in (("rule", "By rule", "rule"), ("team", "By team", "team"), ("area", "By area", "area")):
        groups: dict[str, list[AlertRow]] = defaultdict(list)
        for alert in rows:
            groups[getattr(alert, attr)].append(alert)
        table = Table(key, f"Alerts raised in the period: {title.lower()}",
                      "What became of the alerts raised in the period, as of the day; times are from raising.",
                      [title.removeprefix("By ").capitalize(), *ALERT_COLUMNS],
                      chart=("bar", (2, 3, 4, 5)) if key == "rule" else None, stacked=True)
        for name in sorted(groups):
            table.rows.append(_alert_row(board, f"{key}.{name}", name, groups[name], moment))
        board.tables.append(table)
    return board


# ---- partners -------------------------------------------------------------------------------

def partners(user, filters: Filters) -> Board:
    moment = filters.moment
    board = Board("partners", "Partners' response times")
    groups: dict[str, list[ReferralRow]] = defaultdict(list)
    for referral in facts.partner_referrals(user, filters):
        groups[referral.partner].append(referral)
    table = Table("partners", "Referrals to partners sent in the period",
                  "Referrals from investigations to partner organisations, and how quickly each partner answered.",
                  ["Partner organisation", "Sent", "Answered", "Answered by the due time", "Awaiting an answer",
                   "Awaiting and overdue", "Median days to answer"], chart=("bar", (1, 3)), stacked=True)
    for name in sorted(groups):
        rows = groups[name]
        answered = [r for r in rows if r.responded_at and r.responded_at <= moment]
        waiting = [r for r in rows if r not in answered]
        code = f"partner.{name}"
        table.rows.append(Row(name, [
            board.count(f"{code}.sent", f"Referrals to {name}", [_referral_item(r) for r in rows]),
            board.count(f"{code}.answered", f"Referrals to {name} answered", [_referral_item(r) for r in answered]),
            board.count(f"{code}.on_time", f"Referrals to {name} answered by the due time",
                        [_referral_item(r) for r in answered if r.responded_at <= r.response_due_at]),
            board.count(f"{code}.waiting", f"Referrals to {name} awaiting an answer",
                        [_referral_item(r) for r in waiting]),
            board.count(f"{code}.overdue", f"Referrals to {name} awaiting an answer past the due time",
                        [_referral_item(r, f"due {r.response_due_at.astimezone(LONDON):%d %b %Y}")
                         for r in waiting if moment > r.response_due_at]),
            board.over(f"{code}.answered", median([(r.responded_at - r.sent_at) / dt.timedelta(days=1)
                                                   for r in answered])),
        ]))
    board.tables.append(table)
    return board


PAGES = {
    "backlogs": backlogs,
    "compliance": compliance,
    "alerts": alerts,
    "partners": partners,
}
