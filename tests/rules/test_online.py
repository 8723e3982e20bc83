"""Online child sexual abuse referrals: ONLINE-TRIAGE and ONLINE-ACTION."""

from __future__ import annotations

import pytest

from .builders import T0, adult, delete, london, online, times, who

LATER = "2026-04-20T12:00:00+00:00"
TRIAGED, TRIAGED_REC = "2026-03-03T10:00:00+00:00", "2026-03-03T10:30:00+00:00"


def suspect(pid: str = "P1", source: str = "police") -> dict:
    return adult(pid, "1990-03-11", given="Daniel James", family="PRICE", source=source, rec="2021-03-02T09:00:00+00:00")


def triaged(level: str, at: str = TRIAGED, rec: str = TRIAGED_REC, eid: str = "OR1", **kw) -> list[dict]:
    return [online(eid, "P1", T0), online(eid, "P1", T0, rec=rec, kirat_level=level, triaged_at=at, **kw)]


# ---- ONLINE-TRIAGE ---------------------------------------------------------------------------

TRIAGE = "ONLINE-TRIAGE"


def test_a_referral_received_must_be_triaged_within_2_working_days(sg):
    sg.load(suspect(), online("OR1", "P1", T0))
    alert = sg.one("2026-03-04T09:00:01+00:00", TRIAGE)
    assert times(alert) == (T0, "2026-03-04T09:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert), alert["overdue"]) == ("medium", [("suspect", "police/P1")], True)


def test_thursday_afternoon_is_due_monday_afternoon(sg):
    sg.load(suspect(), online("OR1", "P1", "2026-03-05T15:00:00+00:00"))
    assert sg.one(LATER, TRIAGE)["due_at"] == "2026-03-09T15:00:00+00:00"


def test_a_version_with_a_kirat_level_satisfies_it(sg):
    sg.load(suspect(), *triaged("medium"))
    alert = sg.one(LATER, TRIAGE)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", TRIAGED_REC)


def test_a_referral_first_sent_already_triaged_raises_no_triage_alert(sg):
    sg.load(suspect(), online("OR1", "P1", T0, kirat_level="low", triaged_at=T0))
    sg.none(LATER, TRIAGE)


def test_a_deleted_referral_needs_no_triage(sg):
    sg.load(suspect(), online("OR1", "P1", T0), delete("event", "OR1", rec="2026-03-03T08:00:00+00:00"))
    alert = sg.one(LATER, TRIAGE)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-03T08:00:00+00:00")


def test_the_suspect_named_by_ceop_and_known_to_police_is_one_person(sg):
    sg.load(suspect(), adult("S1", "1990-03-11", given="Dan", family="Price", source="ceop"),
            online("OR1", "S1", T0, source="ceop", reference="CEOP-2026-0042"))
    sg.same_person("police/P1", "ceop/S1")
    assert who(sg.one(LATER, TRIAGE)) == [("suspect", "ceop/S1+police/P1")]


# ---- ONLINE-ACTION ---------------------------------------------------------------------------

ACTION = "ONLINE-ACTION"


@pytest.mark.parametrize("level, severity, due", [
    ("very_high", "critical", "2026-03-04T10:00:00+00:00"),  # 24 hours
    ("high", "high", "2026-03-10T10:00:00+00:00"),  # 7 days
    ("medium", "medium", "2026-03-17T10:00:00+00:00"),  # 14 days
    ("low", "low", london("2026-04-02 10:00")),  # 30 calendar days on the London clock: 10:00 BST
])
def test_a_triaged_referral_must_be_actioned_by_its_level(sg, level, severity, due):
    sg.load(suspect(), *triaged(level))
    alert = sg.one(LATER, ACTION)
    assert times(alert)[:3] == (TRIAGED_REC, due, "open")
    assert (alert["severity"], who(alert)) == (severity, [("suspect", "police/P1")])


def test_7_days_are_calendar_days_across_the_autumn_clock_change(sg):
    sg.load(suspect(), *triaged("high", at=london("2026-10-20 11:00"), rec=london("2026-10-20 11:30")))
    assert sg.one("2026-10-21T12:00:00+00:00", ACTION)["due_at"] == london("2026-10-27 11:00")


def test_24_hours_are_elapsed_hours_across_the_spring_clock_change(sg):
    sg.load(suspect(), *triaged("very_high", at="2026-03-28T12:00:00+00:00", rec="2026-03-28T12:30:00+00:00"))
    assert sg.one("2026-03-30T12:00:00+00:00", ACTION)["due_at"] == "2026-03-29T12:00:00+00:00"


def test_an_untriaged_referral_needs_no_action_yet(sg):
    sg.load(suspect(), online("OR1", "P1", T0))
    sg.none(LATER, ACTION)


def test_a_level_without_triaged_at_lacks_what_the_rule_needs(sg):
    sg.load(suspect(), online("OR1", "P1", T0), online("OR1", "P1", T0, rec=TRIAGED_REC, kirat_level="high"))
    sg.none(LATER, ACTION)


def test_a_version_with_actioned_at_satisfies_it(sg):
    sg.load(suspect(), *triaged("high"), online("OR1", "P1", T0, rec="2026-03-06T16:00:00+00:00", kirat_level="high",
                                                 triaged_at=TRIAGED, actioned_at="2026-03-06T15:00:00+00:00"))
    alert = sg.one(LATER, ACTION)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-06T16:00:00+00:00")


def test_triaged_and_actioned_in_the_same_version_raises_nothing(sg):
    sg.load(suspect(), online("OR1", "P1", T0), online("OR1", "P1", T0, rec=TRIAGED_REC, kirat_level="high",
                                                       triaged_at=TRIAGED, actioned_at=TRIAGED))
    sg.none(LATER, ACTION)


def test_a_later_change_of_level_changes_the_due_time_and_severity(sg):
    sg.load(suspect(), *triaged("low"),
            online("OR1", "P1", T0, rec="2026-03-05T09:00:00+00:00", kirat_level="very_high", triaged_at=TRIAGED))
    alert = sg.one("2026-03-05T12:00:00+00:00", ACTION)
    # Re-graded very high: 24 hours after triage, so overdue at once; one alert, not two.
    assert (alert["raised_at"], alert["due_at"], alert["severity"], alert["overdue"]) == (
        TRIAGED_REC, "2026-03-04T10:00:00+00:00", "critical", True)


def test_online_action_across_spellings(sg):
    sg.load(suspect(), adult("S1", "1990-03-11", given="Dan", family="Price", source="ceop"),
            online("OR1", "S1", T0, source="ceop"),
            online("OR1", "S1", T0, source="ceop", rec=TRIAGED_REC, kirat_level="medium", triaged_at=TRIAGED))
    sg.same_person("police/P1", "ceop/S1")
    assert who(sg.one(LATER, ACTION)) == [("suspect", "ceop/S1+police/P1")]
