"""SUPERVISION-DUE and INVESTIGATION-STALE, raised and satisfied through the alert service
(`safeguard.alerts.services.evaluate`) from the cases' own history as of each horizon."""

from __future__ import annotations

import datetime as dt

from safeguard.alerts.models import Alert
from safeguard.alerts.services import evaluate
from safeguard.casework import services
from safeguard.core.calendar import days_after

from .conftest import START


def _alerts(rule: str, case) -> list[Alert]:
    return list(Alert.objects.filter(rule=rule, key__startswith=f"{rule}:{case.pk}:").order_by("raised_at")
                | Alert.objects.filter(rule=rule, key=f"{rule}:{case.pk}").order_by("raised_at"))


def _review(force, case, clock, moment):
    clock.set(moment)
    return services.review_record(actor=force["sergeant"], investigation=case, scope="Plan and risk assessment",
                                  rationale="Proportionate; next steps agreed.")


def test_supervision_due_is_raised_two_days_before_the_cadence_and_is_high_once_overdue(force, open_case):
    case = open_case(risk="medium")  # every 14 days
    due = days_after(START, 14)
    evaluate(horizon=due - dt.timedelta(days=2, minutes=1))
    assert _alerts("SUPERVISION-DUE", case) == []

    evaluate(horizon=due - dt.timedelta(days=1))
    [alert] = _alerts("SUPERVISION-DUE", case)
    assert alert.raised_at == due - dt.timedelta(days=2) and alert.due_at == due
    assert alert.key == f"SUPERVISION-DUE:{case.pk}:{due.date().isoformat()}"
    assert (alert.severity, alert.closed_at) == ("medium", None)
    assert list(alert.subjects.values_list("person_id", "role")) == [(force.child.pk, "child")]
    assert alert.evidence.count() == 0

    evaluate(horizon=due + dt.timedelta(hours=1))
    alert.refresh_from_db()
    assert alert.severity == "high"


def test_a_review_satisfies_it_and_starts_the_next_cadence(force, open_case, clock):
    case = open_case(risk="medium")
    due = days_after(START, 14)
    reviewed = due + dt.timedelta(days=1)
    _review(force, case, clock, reviewed)
    evaluate(horizon=reviewed + dt.timedelta(hours=1))
    [alert] = _alerts("SUPERVISION-DUE", case)
    assert (alert.closed_at, alert.close_reason, alert.severity) == (reviewed, "satisfied", "high")

    # A review in good time means no alert for that cadence at all.
    _review(force, case, clock, reviewed + dt.timedelta(days=5))
    evaluate(horizon=reviewed + dt.timedelta(days=15))
    assert len(_alerts("SUPERVISION-DUE", case)) == 1


def test_a_higher_risk_level_brings_supervision_forward(force, open_case, clock):
    case = open_case(risk="standard")  # every 28 days
    clock.set(START + dt.timedelta(days=2))
    case = services.investigation_update(actor=force["oic"], investigation=case, version=case.version, title=case.title,
                                         summary="", risk_level="high", officer=force["oic"])  # every 7 days
    due = days_after(START, 7)
    evaluate(horizon=due - dt.timedelta(hours=1))
    [alert] = _alerts("SUPERVISION-DUE", case)
    assert (alert.raised_at, alert.due_at) == (due - dt.timedelta(days=2), due)


def test_the_risk_level_is_read_from_the_log_as_of_the_horizon(force, open_case, clock):
    case = open_case(risk="standard")
    clock.set(START + dt.timedelta(days=20))
    services.investigation_update(actor=force["oic"], investigation=case, version=case.version, title=case.title,
                                  summary="", risk_level="high", officer=force["oic"])
    # As of day 10 the case was standard risk: nothing due yet, whatever the current column says.
    evaluate(horizon=START + dt.timedelta(days=10))
    assert _alerts("SUPERVISION-DUE", case) == []
    # From day 20 it is high risk and 7 days have long passed: overdue at once, under the new due date.
    evaluate(horizon=START + dt.timedelta(days=20, hours=1))
    [alert] = _alerts("SUPERVISION-DUE", case)
    assert alert.raised_at == START + dt.timedelta(days=20) and alert.severity == "high"


def test_closing_a_case_ends_its_supervision_clock(force, open_case, clock):
    case = open_case(risk="high")
    case = services.stage_change(actor=force["oic"], investigation=case, version=case.version,
                                 stage="strategy_discussion", note="Held.")
    case = services.outcome_record(actor=force["oic"], investigation=case, version=case.version,
                                   outcome="no_further_action", rationale="No offence disclosed.")
    case = services.closure_request(actor=force["oic"], investigation=case, version=case.version, rationale="NFA.")
    clock.set(START + dt.timedelta(days=3))
    services.closure_sign_off(actor=force["sergeant"], investigation=case, version=case.version)
    evaluate(horizon=START + dt.timedelta(days=40))
    assert _alerts("SUPERVISION-DUE", case) == []
    assert _alerts("INVESTIGATION-STALE", case) == []


def test_a_case_with_no_activity_for_28_days_goes_stale_until_something_is_recorded(force, open_case, clock):
    case = open_case(risk="standard")
    stale_from = days_after(START, 28)
    evaluate(horizon=stale_from - dt.timedelta(minutes=1))
    assert _alerts("INVESTIGATION-STALE", case) == []
    evaluate(horizon=stale_from + dt.timedelta(days=1))
    [alert] = _alerts("INVESTIGATION-STALE", case)
    assert (alert.raised_at, alert.due_at, alert.severity, alert.closed_at) == (stale_from, stale_from, "medium", None)
    assert alert.key == f"INVESTIGATION-STALE:{case.pk}"

    activity_at = clock.set(stale_from + dt.timedelta(days=2))
    services.activity_record(actor=force["oic"], investigation=case, text="Called the school; no concerns.")
    evaluate(horizon=activity_at + dt.timedelta(hours=1))
    alert.refresh_from_db()
    assert (alert.closed_at, alert.close_reason) == (activity_at, "satisfied")


def test_regular_activity_keeps_a_case_from_going_stale(force, open_case, clock):
    case = open_case(risk="standard")
    for week in range(1, 7):
        clock.set(START + dt.timedelta(weeks=week))
        services.activity_record(actor=force["oic"], investigation=case, text=f"Week {week} update.")
    evaluate(horizon=START + dt.timedelta(weeks=6, days=1))
    assert _alerts("INVESTIGATION-STALE", case) == []
