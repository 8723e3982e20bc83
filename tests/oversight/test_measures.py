"""Every dashboard figure against the small force in conftest.py, computed by hand, as of more
than one day; and every count's drill-down holds exactly the rows it counts."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.core.calendar import end_of_day
from safeguard.oversight import dashboards
from safeguard.oversight.filters import Filters

pytestmark = pytest.mark.django_db


def as_of(day: str, period: str = "3m", **kw) -> Filters:
    d = dt.date.fromisoformat(day)
    return Filters(moment=end_of_day(d) - dt.timedelta(microseconds=1), day=d, period=period, **kw)


def figures(board, table: str) -> dict[str, list]:
    return {row.label: [cell.value for cell in row.cells] for row in board.table(table).rows}


def refs(board, code: str) -> set[str]:
    return {item.reference for item in board.items[code]}


def drill_downs_match(board) -> None:
    for table in board.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.is_count:
                    assert len(board.items[cell.code]) == cell.value, cell.code


# ---- backlogs and delays --------------------------------------------------------------------

def test_online_referrals_waiting_by_queue_as_of_31_march(force):
    board = dashboards.backlogs(force.users["leader"], as_of("2026-03-31"))
    rows = figures(board, "online")
    # O1 (due 4 March) over, O4 (due 2 April) within; O2 high since 23 March 10:00, due 30 March 10:00: over;
    # O3 very high triaged 30 March 12:00 BST, due 31 March 12:00 BST: over; actioned only on 1 April.
    assert rows["Waiting triage"][:3] == [2, 1, 1]
    assert rows["Waiting action: High"][:3] == [1, 1, 0]
    assert rows["Waiting action: Very high"][:3] == [1, 1, 0]
    assert rows["Waiting action: Medium"][:3] == [0, 0, 0]
    assert rows["Waiting triage"][3] == 29  # O1, received 2 March
    assert refs(board, "online.triage.over") == {"police/O1"}
    assert refs(board, "online.triage.within") == {"police/O4"}
    drill_downs_match(board)


def test_online_referrals_as_of_other_days(force):
    early = figures(dashboards.backlogs(force.users["leader"], as_of("2026-03-10")), "online")
    assert early["Waiting triage"][:3] == [1, 1, 0]  # only O1 was known
    assert early["Waiting action: High"][:3] == [0, 0, 0]
    later = figures(dashboards.backlogs(force.users["leader"], as_of("2026-04-30")), "online")
    assert later["Waiting triage"][:3] == [2, 2, 0]  # O4 ran out on 2 April
    assert later["Waiting action: Very high"][:3] == [0, 0, 0]  # O3 actioned on 1 April
    assert later["Waiting action: High"][:3] == [1, 1, 0]


def test_investigations_by_stage_and_age(force):
    board = dashboards.backlogs(force.users["leader"], as_of("2026-03-31"))
    rows = figures(board, "investigations")
    # CP-1: section 47, open 85 days; CP-2: referral, 11 days; CP-3 closed on 15 March.
    assert rows["Section 47 enquiry"] == [0, 1, 0, 0, 1]
    assert rows["Referral"] == [1, 0, 0, 0, 1]
    assert sum(r[-1] for r in rows.values()) == 2
    before = figures(dashboards.backlogs(force.users["leader"], as_of("2026-03-10")), "investigations")
    # On 10 March CP-3 was open at the criminal investigation stage, 160 days old (its log says so,
    # though it is closed now); CP-2 was not yet opened.
    assert before["Criminal investigation"] == [0, 0, 1, 0, 1]
    assert before["Section 47 enquiry"] == [0, 1, 0, 0, 1]
    assert before["Referral"] == [0, 0, 0, 0, 0]
    # CP-4 was at the strategy discussion stage until its closure (logged as a closure) on 20 March.
    assert before["Strategy discussion"] == [0, 1, 0, 0, 1]
    drill_downs_match(board)


def test_open_alerts_by_rule(force):
    board = dashboards.backlogs(force.users["leader"], as_of("2026-03-31"))
    rows = figures(board, "alerts")
    assert rows["RISKY-ADULT-CHILD"][:2] == [1, 1]  # A2; A1 was resolved on 12 March
    assert rows["ENCOMPASS"][:2] == [1, 1]  # E3
    assert rows["ONLINE-TRIAGE"][:2] == [1, 0]  # A3, due 10 April
    assert "BAIL-ADDRESS" not in rows  # lapsed on 5 March
    assert rows["RISKY-ADULT-CHILD"][2] == 8  # A2 due 23 March
    early = figures(dashboards.backlogs(force.users["leader"], as_of("2026-03-11")), "alerts")
    # On 11 March: A1 acknowledged but not resolved, and due at 10:00 that day: overdue.
    assert early["RISKY-ADULT-CHILD"][:2] == [1, 1]
    assert "ENCOMPASS" not in early  # E1 and E2 were satisfied, E3 not yet raised
    drill_downs_match(board)


def test_trend_ends_with_the_day_and_repeats_past_days(force):
    board = dashboards.backlogs(force.users["leader"], as_of("2026-04-30"))
    trend = figures(board, "trend")
    labels = list(trend)
    assert labels[0] == "May 2025" and labels[-2] == "Mar 2026" and labels[-1].startswith("30 Apr 2026")
    # The end of March is the 31 March dashboard: 4 referrals waiting (3 over), 2 cases, 3 alerts (2 overdue).
    assert trend["Mar 2026"] == [4, 3, 2, 3, 2]
    assert trend["Feb 2026"] == [0, 0, 3, 0, 0]  # CP-1, CP-3 and CP-4 open
    # The last point is the dashboard's own figures on 30 April.
    online = figures(board, "online")
    assert trend[labels[-1]][0] == sum(r[0] for r in online.values())
    assert trend[labels[-1]][3] == sum(r[0] for r in figures(board, "alerts").values())
    drill_downs_match(board)


# ---- compliance with statutory clocks -------------------------------------------------------

def test_statutory_clocks_as_of_31_march(force):
    board = dashboards.compliance(force.users["leader"], as_of("2026-03-31"))
    rows = figures(board, "clocks")
    # RHI: M1 met, M2 late, M4 declined in time; M3 is an adult's; M5 not due until 2 April.
    assert rows["Return-home interview within 72 hours"] == [3, 2, 1, 66.7]
    assert refs(board, "rhi.missed") == {"police/M2"}
    # ICPC: SD1 met (conference 20 Feb, due 23 Feb); SD2 missed; SD3 no s47; SD4 due 17 April.
    assert rows["Initial conference within 15 working days"] == [2, 1, 1, 50.0]
    # Referral decisions: RF1 decided in time, RF2 four days late; RF3 went to the police.
    assert rows["Referral decision within 1 working day"] == [2, 1, 1, 50.0]
    # Encompass: E1 in time, E2 late, E3 never.
    assert rows["Encompass notification before the next school day"] == [3, 1, 2, 33.3]
    drill_downs_match(board)


def test_statutory_clocks_as_of_earlier_and_later(force):
    mid = figures(dashboards.compliance(force.users["leader"], as_of("2026-03-15")), "clocks")
    # On 15 March M2's interview (recorded 16 March) was not yet done: missed then too.
    assert mid["Return-home interview within 72 hours"] == [2, 1, 1, 50.0]
    early = figures(dashboards.compliance(force.users["leader"], as_of("2026-03-05")), "clocks")
    assert early["Referral decision within 1 working day"] == [1, 1, 0, 100.0]
    later = figures(dashboards.compliance(force.users["leader"], as_of("2026-04-30")), "clocks")
    assert later["Return-home interview within 72 hours"] == [4, 2, 2, 50.0]  # M5 ran out unseen
    thirty = figures(dashboards.compliance(force.users["leader"], as_of("2026-03-31", period="30d")), "clocks")
    # The last 30 days start on 1 March 23:59: M1's deadline (5 March) is in, SD1's (23 February) is not.
    assert thirty["Initial conference within 15 working days"] == [1, 0, 1, 0.0]


def test_sex_offender_visits_and_notifications(force):
    board = dashboards.compliance(force.users["leader"], as_of("2026-03-31"))
    rows = figures(board, "rso")
    # A1 high risk: seen 1 December, next due 1 March (the not-seen visit does not count); annual due January 2027.
    assert rows["High"] == [1, 1, 0]
    # A2 low risk since June 2024: never seen, never notified.
    assert rows["Low"] == [1, 1, 1]
    assert rows["Very high"] == [0, 0, 0]
    early = figures(dashboards.compliance(force.users["leader"], as_of("2026-02-15")), "rso")
    assert early["High"] == [1, 0, 0]
    drill_downs_match(board)


def test_supervision_on_time(force):
    rows = figures(dashboards.compliance(force.users["leader"], as_of("2026-03-31")), "supervision")
    # CP-1 high, reviewed 25 March: due 1 April. CP-2 medium (then), opened 20 March: due 3 April.
    assert rows["High"] == [1, 1, 0, 100.0]
    assert rows["Medium"] == [1, 1, 0, 100.0]
    later = figures(dashboards.compliance(force.users["leader"], as_of("2026-04-30")), "supervision")
    # By 30 April both are high risk and neither has been reviewed within 7 days.
    assert later["High"] == [2, 0, 2, 0.0]
    assert later["Medium"] == [0, 0, 0, None]
    before = figures(dashboards.compliance(force.users["leader"], as_of("2026-03-10")), "supervision")
    # CP-3 (standard, never reviewed since October) was open then and overdue.
    assert before["Standard"] == [1, 0, 1, 0.0]
    assert before["Medium"] == [1, 0, 1, 0.0]  # CP-4, opened 1 February, never reviewed


# ---- alerts and partners --------------------------------------------------------------------

def test_alerts_by_rule_team_and_area(force):
    board = dashboards.alerts(force.users["leader"], as_of("2026-03-31"))
    rule = figures(board, "rule")
    # raised, acknowledged, resolved, satisfied, lapsed, open, overdue, median hours to ack, to close
    assert rule["ENCOMPASS"] == [3, 0, 0, 2, 0, 1, 1, None, 24.0]
    assert rule["RISKY-ADULT-CHILD"] == [2, 1, 1, 0, 0, 1, 1, 2.0, 48.0]
    assert rule["BAIL-ADDRESS"] == [1, 0, 0, 0, 1, 0, 0, None, 96.0]
    # The median time to close is over the closed alerts, and links to them.
    assert refs(board, "rule.ENCOMPASS.closed") == {f"Alert {force.alerts['E1']}", f"Alert {force.alerts['E2']}"}
    team = figures(board, "team")
    assert team["Child Protection North"][0] == 6
    assert team["Child Protection South"][0] == 1
    assert figures(board, "area")["South"][:5] == [1, 0, 0, 0, 1]
    early = figures(dashboards.alerts(force.users["leader"], as_of("2026-03-11")), "rule")
    assert early["RISKY-ADULT-CHILD"] == [1, 1, 0, 0, 0, 1, 1, 2.0, None]
    north = figures(dashboards.alerts(force.users["leader"], as_of("2026-03-31", area="North")), "rule")
    assert "BAIL-ADDRESS" not in north
    drill_downs_match(board)


def test_partner_response_times(force):
    board = dashboards.partners(force.users["leader"], as_of("2026-03-31"))
    rows = figures(board, "partners")
    # sent, answered, answered by due, awaiting, awaiting and overdue, median days
    assert rows["Northshire Children's Services"] == [2, 1, 1, 1, 1, 3.0]
    assert rows["Northshire Health"] == [1, 1, 0, 0, 0, 10.0]
    early = figures(dashboards.partners(force.users["leader"], as_of("2026-03-15")), "partners")
    assert early["Northshire Children's Services"] == [1, 1, 1, 0, 0, 3.0]
    assert early["Northshire Health"] == [1, 0, 0, 1, 0, None]
    south = figures(dashboards.partners(force.users["leader"], as_of("2026-03-31", team=force.south.pk)), "partners")
    assert south == {"Northshire Children's Services": [1, 0, 0, 1, 1, None]}
    drill_downs_match(board)


# ---- access ---------------------------------------------------------------------------------

def test_figures_cover_only_what_the_user_may_see(force):
    outsider = force.users["outsider"]
    for page in dashboards.PAGES.values():
        board = page(outsider, as_of("2026-03-31"))
        counted = [cell.value for table in board.tables for row in table.rows for cell in row.cells if cell.is_count]
        assert not any(counted), board.page
        assert board.items == {} or not any(board.items.values()), board.page
    # The same user in the force sees them (the fixture is not empty).
    board = dashboards.alerts(force.users["leader"], as_of("2026-03-31"))
    assert figures(board, "rule")["ENCOMPASS"][0] == 3


def test_open_until_agrees_with_alert_status_as_of(force):
    from safeguard.alerts.models import Alert
    from safeguard.alerts.selectors import OPEN, status_as_of
    from safeguard.oversight import facts

    rows = {row.pk: row for row in facts.alerts(force.users["leader"], as_of("2026-04-30"))}
    assert len(rows) == Alert.objects.count()
    moments = [as_of(f"2026-03-{day:02d}").moment for day in range(1, 32)]
    moments += [a.raised_at for a in Alert.objects.all()] + [a.resolved_at for a in Alert.objects.exclude(resolved_at=None)]
    for alert in Alert.objects.all():
        for moment in moments:
            expected = alert.raised_at <= moment and status_as_of(alert, moment)[0] in OPEN
            assert rows[alert.pk].is_open(moment) == expected, (alert.key, moment)


def test_cases_read_from_a_moment_are_those_that_can_be_open_from_then(force):
    """`investigations(open_from=T)` leaves out only cases closed before T: from T on, every case
    answers `is_open` as when all are read, including one closed, reopened and closed again."""
    from safeguard.casework.models import Investigation, InvestigationLog
    from safeguard.oversight import facts

    leader = force.users["leader"]
    filters = as_of("2026-04-30")
    everything = {c.pk: c for c in facts.investigations(leader, filters)}
    # A case closed in February, reopened in March and closed again in April, its closed_at
    # left at the first closure: only its log tells it was open in March.
    case = Investigation.objects.get(pk=next(iter(everything)))
    first_close = end_of_day(dt.date(2026, 2, 10))
    for at, kind in ((first_close, "closed"), (end_of_day(dt.date(2026, 3, 5)), "reopened"),
                     (end_of_day(dt.date(2026, 4, 20)), "closed")):
        InvestigationLog.objects.create(investigation=case, at=at, kind=kind, data={})
    Investigation.objects.filter(pk=case.pk).update(closed_at=first_close)
    # And one closed for good in February.
    done = Investigation.objects.exclude(pk=case.pk).order_by("pk").first()
    InvestigationLog.objects.create(investigation=done, at=first_close, kind="closed", data={})
    Investigation.objects.filter(pk=done.pk).update(closed_at=first_close, stage="closed")
    everything = {c.pk: c for c in facts.investigations(leader, filters)}
    for day in ("2026-03-01", "2026-03-20", "2026-04-25"):
        since = end_of_day(dt.date.fromisoformat(day))
        some = {c.pk: c for c in facts.investigations(leader, filters, open_from=since)}
        assert case.pk in some and done.pk not in some and set(some) < set(everything)
        for moment in [since + dt.timedelta(days=d) for d in range(0, 60, 3)]:
            assert {pk for pk, c in everything.items() if c.is_open(moment)} == \
                   {pk for pk, c in some.items() if c.is_open(moment)}, (day, moment)
