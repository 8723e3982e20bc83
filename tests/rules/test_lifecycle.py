"""What every rule shares (rules.md, "Alerts"): raised_at from the records, one alert per key,
reopening, satisfied and lapsed, records recorded late, deletes, and "as of" replay. Shown on
RISKY-ADULT-CHILD (a state rule), REFERRAL-DECISION (an event rule) and ORDER-BREACH-2."""

from __future__ import annotations

from .builders import (
    T0,
    adult,
    breach,
    delete,
    home,
    lives,
    offence,
    order,
    referral,
    risk_assessment,
    times,
)

RULE = "RISKY-ADULT-CHILD"
LATER = "2026-03-20T12:00:00+00:00"


def scene(*extra: dict) -> list[dict]:
    return [*home(), adult("P1", rec="2020-01-01T09:00:00+00:00"),
            offence("O1", "P1", "2021-03-02T23:10:00+00:00", rec="2021-06-15T16:00:00+00:00"),
            lives("PL1", "P1", "csc/L1", rec=T0), *extra]


def test_no_alert_when_the_condition_and_what_satisfies_it_arrive_together(sg):
    sg.load(*scene(risk_assessment("RA1", "P1", "2026-03-01T10:00:00+00:00", rec=T0)))
    sg.none(LATER, RULE)


def test_a_satisfier_a_moment_later_closes_an_alert_that_existed_for_that_moment(sg):
    sg.load(*scene(risk_assessment("RA1", "P1", "2026-03-01T10:00:00+00:00", rec="2026-03-02T09:00:01+00:00")))
    assert times(sg.one(LATER, RULE)) == (T0, "2026-03-03T09:00:00+00:00", "satisfied", "2026-03-02T09:00:01+00:00")


def test_one_alert_per_key_however_many_records_make_it_true(sg):
    sg.load(*scene(offence("O2", "P1", "2025-06-01T10:00:00+00:00", "weapons", "charged", rec="2026-03-04T10:00:00+00:00"),
                   lives("PL1b", "P1", "csc/L1", role="stays", rec="2026-03-05T10:00:00+00:00")))
    alert = sg.one(LATER, RULE)
    assert alert["raised_at"] == T0
    assert {e["id"] for e in alert["evidence"]} >= {"O1", "O2", "PL1", "PL1b"}


def test_a_satisfied_key_stays_closed_while_the_condition_holds(sg):
    sg.load(*scene(risk_assessment("RA1", "P1", "2026-03-03T10:00:00+00:00"),
                   lives("PL1", "P1", "csc/L1", rec="2026-03-10T10:00:00+00:00", start="2026-01-01")))
    assert [a["status"] for a in sg.alerts(LATER, RULE)] == ["satisfied"]


def test_a_satisfied_key_opens_again_when_the_condition_breaks_and_holds_again(sg):
    sg.load(*scene(risk_assessment("RA1", "P1", "2026-03-03T10:00:00+00:00"),
                   lives("PL1", "P1", "csc/L1", rec="2026-03-06T10:00:00+00:00", end="2026-03-05"),
                   lives("PL1", "P1", "csc/L1", rec="2026-03-12T10:00:00+00:00", start="2026-03-12")))
    first, second = sg.alerts(LATER, RULE)
    assert (first["status"], first["closed_at"]) == ("satisfied", "2026-03-03T10:00:00+00:00")
    assert times(second) == ("2026-03-12T10:00:00+00:00", "2026-03-13T10:00:00+00:00", "open", None)


def test_a_lapsed_key_opens_again_when_the_condition_holds_again(sg):
    sg.load(*scene(lives("PL1", "P1", "csc/L1", rec="2026-03-06T10:00:00+00:00", end="2026-03-05"),
                   lives("PL1", "P1", "csc/L1", rec="2026-03-12T10:00:00+00:00", start="2026-03-12")))
    first, second = sg.alerts(LATER, RULE)
    assert (first["status"], first["closed_at"]) == ("lapsed", "2026-03-06T10:00:00+00:00")
    assert (second["status"], second["raised_at"]) == ("open", "2026-03-12T10:00:00+00:00")


def test_a_new_record_that_makes_a_closed_keys_condition_true_opens_a_new_alert(sg):
    sg.load(adult("P1"), order("ORD1", "P1", "community_order", "2026-01-05"),
            breach("BR1", "P1", "ORD1", "2026-02-02T10:00:00+00:00", "warning_letter"),
            breach("BR2", "P1", "ORD1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            breach("BR2", "P1", "ORD1", "2026-03-01T10:00:00+00:00", "returned_to_court", rec="2026-03-04T10:00:00+00:00"),
            breach("BR3", "P1", "ORD1", "2026-03-10T10:00:00+00:00", "warning_letter"))
    first, second = sg.alerts(LATER, "ORDER-BREACH-2")
    assert (first["status"], second["raised_at"]) == ("satisfied", "2026-03-10T10:00:00+00:00")


def test_a_new_conviction_after_the_adult_was_assessed_opens_a_new_alert(sg):
    sg.load(*scene(risk_assessment("RA1", "P1", "2026-03-03T10:00:00+00:00"),
                   offence("O2", "P1", "2026-03-08T22:00:00+00:00", "sexual", "charged", rec="2026-03-09T10:00:00+00:00")))
    first, second = sg.alerts(LATER, RULE)
    assert (first["status"], second["raised_at"], second["severity"]) == ("satisfied", "2026-03-09T10:00:00+00:00", "critical")


def test_a_new_version_of_a_record_already_among_the_evidence_opens_nothing_new(sg):
    sg.load(adult("P1"), order("ORD1", "P1", "community_order", "2026-01-05"),
            breach("BR1", "P1", "ORD1", "2026-02-02T10:00:00+00:00", "warning_letter"),
            breach("BR2", "P1", "ORD1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            breach("BR2", "P1", "ORD1", "2026-03-01T10:00:00+00:00", "returned_to_court", rec="2026-03-04T10:00:00+00:00"),
            breach("BR2", "P1", "ORD1", "2026-03-01T10:00:00+00:00", "returned_to_court", rec="2026-03-05T10:00:00+00:00",
                   description="corrected"))
    assert [a["status"] for a in sg.alerts(LATER, "ORDER-BREACH-2")] == ["satisfied"]


# ---- late records, deletes -------------------------------------------------------------------

def test_a_record_recorded_late_raises_the_alert_when_recorded_not_when_it_happened(sg):
    sg.load(*scene()[:-1], lives("PL1", "P1", "csc/L1", start="2025-12-01", rec="2026-03-09T15:00:00+00:00"))
    alert = sg.one(LATER, RULE)
    assert (alert["raised_at"], alert["due_at"]) == ("2026-03-09T15:00:00+00:00", "2026-03-10T15:00:00+00:00")


def test_a_due_time_before_the_record_arrived_is_overdue_from_birth(sg):
    sg.load(referral("R1", "C1", "2026-03-02T09:00:00+00:00", rec="2026-03-09T09:00:00+00:00"), *home())
    alert = sg.one("2026-03-09T09:00:00+00:00", "REFERRAL-DECISION")
    assert (alert["due_at"], alert["overdue"]) == ("2026-03-03T09:00:00+00:00", True)


def test_an_earlier_version_arriving_after_a_later_one_fills_in_history(sg):
    # The version saying he moved out on 5 March arrives first; the one from 2 March arrives after it.
    sg.load(*scene()[:-1], lives("PL1", "P1", "csc/L1", end="2026-03-05", rec="2026-03-06T10:00:00+00:00"))
    sg.none(LATER, RULE)
    sg.load(lives("PL1", "P1", "csc/L1", rec=T0))
    alert = sg.one(LATER, RULE)
    assert (alert["raised_at"], alert["status"], alert["closed_at"]) == (T0, "lapsed", "2026-03-06T10:00:00+00:00")


def test_the_same_lines_in_another_order_give_the_same_alerts(sg):
    records = scene(risk_assessment("RA1", "P1", "2026-03-05T10:00:00+00:00"),
                    lives("PL1", "P1", "csc/L1", rec="2026-03-06T10:00:00+00:00", end="2026-03-05"),
                    lives("PL1", "P1", "csc/L1", rec="2026-03-12T10:00:00+00:00", start="2026-03-12"))
    sg.load(*reversed(records))
    alerts = sg.alerts(LATER, RULE)
    assert [times(a) for a in alerts] == [
        (T0, "2026-03-03T09:00:00+00:00", "satisfied", "2026-03-05T10:00:00+00:00"),
        ("2026-03-12T10:00:00+00:00", "2026-03-13T10:00:00+00:00", "open", None)]


def test_deleting_the_link_lapses_the_alert_and_an_upsert_brings_it_back(sg):
    sg.load(*scene(delete("person_location", "PL1", rec="2026-03-04T10:00:00+00:00"),
                   lives("PL1", "P1", "csc/L1", rec="2026-03-11T10:00:00+00:00")))
    first, second = sg.alerts(LATER, RULE)
    assert (first["status"], first["closed_at"]) == ("lapsed", "2026-03-04T10:00:00+00:00")
    assert (second["status"], second["raised_at"]) == ("open", "2026-03-11T10:00:00+00:00")


def test_deleting_the_conviction_lapses_the_alert(sg):
    sg.load(*scene(delete("event", "O1", rec="2026-03-04T10:00:00+00:00")))
    alert = sg.one(LATER, RULE)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T10:00:00+00:00")


def test_deleting_the_child_record_lapses_the_alert(sg):
    sg.load(*scene(delete("person", "C1", source="csc", rec="2026-03-04T10:00:00+00:00")))
    assert sg.one(LATER, RULE)["status"] == "lapsed"


# ---- as of -----------------------------------------------------------------------------------

def test_replay_shows_what_was_open_and_overdue_at_a_past_moment(sg):
    sg.load(*scene(risk_assessment("RA1", "P1", "2026-03-04T10:00:00+00:00")))
    sg.evaluate(LATER)
    assert sg.alerts("2026-03-02T08:59:59+00:00", RULE) == []
    assert sg.one("2026-03-03T10:00:00+00:00", RULE)["status"] == "open"
    assert sg.one("2026-03-03T10:00:00+00:00", RULE)["overdue"] is True
    then = sg.one("2026-03-04T10:00:00+00:00", RULE)
    assert (then["status"], then["overdue"]) == ("satisfied", False)
    assert sg.alerts("2026-03-03T10:00:00+00:00", RULE, open_only=True) != []
    assert sg.alerts(LATER, RULE, open_only=True) == []


def test_records_recorded_after_the_moment_asked_are_hidden(sg):
    sg.load(*scene()[:-1], lives("PL1", "P1", "csc/L1", rec="2026-03-15T10:00:00+00:00"))
    sg.none("2026-03-10T12:00:00+00:00", RULE)
    assert sg.one(LATER, RULE)["raised_at"] == "2026-03-15T10:00:00+00:00"
