"""Domestic abuse: ENCOMPASS and DA-MARAC."""

from __future__ import annotations

import pytest

from .builders import (
    adult,
    child,
    encompass,
    home,
    incident,
    lives,
    london,
    marac,
    times,
    who,
)

LATER = "2026-03-20T12:00:00+00:00"
FRIDAY_NIGHT, FRIDAY_REC = "2026-03-06T22:00:00+00:00", "2026-03-07T01:00:00+00:00"


def jade(pid: str = "P4", source: str = "police", given: str = "Jade") -> dict:
    return adult(pid, "1998-02-20", given=given, family="HARPER", source=source, rec="2023-06-20T09:00:00+00:00")


def dan(pid: str = "P1") -> dict:
    return adult(pid, "1990-03-11", given="Daniel James", family="PRICE", rec="2021-03-02T09:00:00+00:00")


def da(eid: str = "DA1", at: str = FRIDAY_NIGHT, rec: str | None = FRIDAY_REC, present=("csc/C1",), **kw) -> dict:
    return incident(eid, at, rec=rec, victim="P4", perpetrator="P1", present=present, location="csc/L1", **kw)


def household(dob: str = "2023-06-14", rec: str = "2023-06-20T09:00:00+00:00") -> list[dict]:
    return [jade(), dan(), *home("C1", dob, rec=rec)]


# ---- ENCOMPASS -------------------------------------------------------------------------------

ENC = "ENCOMPASS"


def test_a_child_present_at_domestic_abuse_raises_an_alert_due_09_00_next_working_day(sg):
    sg.load(*household(), da())
    alert = sg.one(LATER, ENC)
    assert times(alert) == (FRIDAY_REC, "2026-03-09T09:00:00+00:00", "open", None)  # Friday night: Monday 09:00
    assert (alert["severity"], who(alert)) == ("medium", [("child", "csc/C1")])


def test_a_child_living_where_it_happened_counts_though_not_recorded_as_present(sg):
    sg.load(*household(), da(present=()))
    assert who(sg.one(LATER, ENC)) == [("child", "csc/C1")]


def test_a_child_staying_there_counts(sg):
    sg.load(*household(), child("C2", "2015-01-01", source="csc"), lives("C2-L1", "C2", "L1", role="stays", source="csc"),
            da(present=()))
    assert sorted(who(a) for a in sg.alerts(LATER, ENC)) == [[("child", "csc/C1")], [("child", "csc/C2")]]


@pytest.mark.parametrize("at, due", [
    (london("2026-04-02 20:00"), london("2026-04-07 09:00")),  # Thursday before Easter: Good Friday, Easter Monday
    (london("2026-08-28 20:00"), london("2026-09-01 09:00")),  # Friday before the August bank holiday
    (london("2026-03-08 11:00"), london("2026-03-09 09:00")),  # a Sunday
    (london("2026-03-09 08:00"), london("2026-03-10 09:00")),  # Monday morning: the next working day, not today
    (london("2026-12-24 21:00"), london("2026-12-29 09:00")),  # Christmas Eve: 25th, weekend, 28th substitute
], ids=["easter", "august", "sunday", "monday-morning", "christmas"])
def test_due_skips_weekends_and_bank_holidays(sg, at, due):
    sg.load(*household(), da(at=at, rec=at))
    assert sg.one("2027-01-10T12:00:00+00:00", ENC)["due_at"] == due


def test_just_after_midnight_in_summer_counts_as_the_london_day(sg):
    # 23:30 UTC on Wednesday 10 June is 00:30 BST on Thursday: due Friday 09:00 BST, not Thursday.
    sg.load(*household(), da(at="2026-06-10T23:30:00+00:00", rec="2026-06-10T23:45:00+00:00"))
    assert sg.one("2026-06-20T12:00:00+00:00", ENC)["due_at"] == "2026-06-12T08:00:00+00:00"


def test_due_across_the_autumn_clock_change(sg):
    sg.load(*household(), da(at=london("2026-10-23 21:00"), rec=london("2026-10-23 23:00")))
    assert sg.one("2026-10-30T12:00:00+00:00", ENC)["due_at"] == "2026-10-26T09:00:00+00:00"  # Monday 09:00 GMT


def test_a_young_person_who_is_18_raises_nothing(sg):
    sg.load(*household(dob="2008-03-01"), da())
    sg.none(LATER, ENC)


def test_a_child_present_with_an_unknown_date_of_birth_counts_as_adult(sg):
    sg.load(*household(dob=None), da())
    sg.none(LATER, ENC)


def test_a_correction_recorded_later_that_she_lived_there_raises_it_then(sg):
    sg.load(jade(), dan(), *home("C1", "2020-01-01", rec="2026-01-05T09:00:00+00:00")[:2],
            lives("C1-L1", "C1", "L1", source="csc", start="2025-01-01", end="2026-03-01", rec="2026-01-05T09:00:00+00:00"),
            lives("C1-L1", "C1", "L1", source="csc", start="2025-01-01", rec="2026-03-10T09:00:00+00:00"),
            da(present=()))
    # Social care corrects their record on the 10th: she did live there when it happened.
    alert = sg.one(LATER, ENC)
    assert alert["raised_at"] == "2026-03-10T09:00:00+00:00"


def test_a_child_who_lived_there_at_the_incident_counts_though_she_moved_out_before_it_was_recorded(sg):
    sg.load(jade(), dan(), *home("C1", "2020-01-01", rec="2026-01-05T09:00:00+00:00")[:2],
            lives("C1-L1", "C1", "L1", source="csc", start="2025-01-01", end="2026-03-08", rec="2026-03-09T09:00:00+00:00"),
            da(rec="2026-03-12T10:00:00+00:00", present=()))
    assert sg.one(LATER, ENC)["raised_at"] == "2026-03-12T10:00:00+00:00"


def test_a_child_who_moved_in_after_the_incident_raises_nothing(sg):
    sg.load(jade(), dan(), *home("C1", "2020-01-01", rec="2026-01-05T09:00:00+00:00")[:2],
            lives("C1-L1", "C1", "L1", source="csc", start="2026-03-09", rec="2026-03-09T09:00:00+00:00"),
            da(rec="2026-03-12T10:00:00+00:00", present=()))
    sg.none(LATER, ENC)


def test_a_notification_to_the_school_under_the_nurserys_spelling_satisfies_it(sg):
    sg.load(*household(), da(), child("E1", "2023-06-14", given="Lily", family="Harper", source="education"),
            encompass("EN1", "E1", "police/DA1", "2026-03-09T08:30:00+00:00", source="education"))
    assert sg.one(LATER, ENC)["status"] == "open"
    sg.same_person("csc/C1", "education/E1")
    alert = sg.one(LATER, ENC)
    assert (alert["status"], alert["closed_at"], who(alert)) == (
        "satisfied", "2026-03-09T08:30:00+00:00", [("child", "csc/C1+education/E1")])


def test_a_notification_about_another_incident_does_not_satisfy_it(sg):
    sg.load(*household(), da(), da("DA0", at="2026-02-01T20:00:00+00:00", rec="2026-02-01T21:00:00+00:00"),
            encompass("EN1", "csc/C1", "DA0", "2026-03-09T08:30:00+00:00"))
    # The earlier incident's alert is satisfied by it; this one stays open.
    assert [a["status"] for a in sg.alerts(LATER, ENC)] == ["satisfied", "open"]


def test_one_alert_for_a_child_both_present_and_living_there(sg):
    sg.load(*household(), da())
    assert len(sg.alerts(LATER, ENC)) == 1


def test_the_victim_and_perpetrator_are_not_children_present(sg):
    sg.load(*household(), da(present=()), lives("P4-L1", "P4", "csc/L1"), lives("P1-L1", "P1", "csc/L1"))
    assert [who(a) for a in sg.alerts(LATER, ENC)] == [[("child", "csc/C1")]]


# ---- DA-MARAC --------------------------------------------------------------------------------

MARAC = "DA-MARAC"


@pytest.mark.parametrize("attrs", [{"dash_score": 14}, {"dash_score": 27, "risk_level": "medium"},
                                   {"dash_score": 5, "risk_level": "high"}, {"risk_level": "high"}])
def test_a_high_risk_incident_raises_a_high_alert_due_in_2_working_days(sg, attrs):
    sg.load(*household(), da(**attrs))
    alert = sg.one(LATER, MARAC)
    assert times(alert) == (FRIDAY_REC, "2026-03-10T01:00:00+00:00", "open", None)  # Saturday 01:00: Tuesday 01:00
    assert (alert["severity"], who(alert)) == ("high", [("victim", "police/P4")])


@pytest.mark.parametrize("attrs", [{"dash_score": 13, "risk_level": "standard"}, {"dash_score": 13}, {}])
def test_below_the_threshold_raises_nothing(sg, attrs):
    sg.load(*household(), da(**attrs))
    sg.none(LATER, MARAC)


def test_the_victims_third_incident_in_12_months_raises_it(sg):
    sg.load(*household(), da("DA1", at="2025-03-07T20:00:00+00:00", rec="2025-03-07T21:00:00+00:00"),
            da("DA2", at="2025-12-01T20:00:00+00:00", rec="2025-12-01T21:00:00+00:00"), da("DA3"))
    alert = sg.one(LATER, MARAC)
    assert (alert["raised_at"], [e["id"] for e in alert["evidence"]][0]) == (FRIDAY_REC, "DA3")


def test_an_incident_more_than_12_months_before_does_not_count(sg):
    sg.load(*household(), da("DA1", at="2025-03-06T20:00:00+00:00", rec="2025-03-06T21:00:00+00:00"),
            da("DA2", at="2025-12-01T20:00:00+00:00", rec="2025-12-01T21:00:00+00:00"), da("DA3"))
    sg.none(LATER, MARAC)


def test_the_third_incident_counts_across_the_spellings_of_the_victim(sg):
    sg.load(*household(), jade("P8", given="Jayde"),
            da("DA1", at="2025-06-07T20:00:00+00:00", rec="2025-06-07T21:00:00+00:00"),
            incident("DA2", "2025-12-01T20:00:00+00:00", victim="P8", location="csc/L1"), da("DA3"))
    sg.none(LATER, MARAC)
    sg.same_person("police/P4", "police/P8")
    assert who(sg.one(LATER, MARAC)) == [("victim", "police/P4+police/P8")]


def test_a_marac_referral_by_social_care_for_the_victim_satisfies_it(sg):
    sg.load(*household(), jade("C2", source="csc"), da(dash_score=15),
            marac("MR1", "C2", "police/DA1", "2026-03-09T10:00:00+00:00", source="csc"))
    assert sg.one(LATER, MARAC)["status"] == "open"
    sg.same_person("police/P4", "csc/C2")
    alert = sg.one(LATER, MARAC)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-09T10:00:00+00:00")


def test_a_lowered_risk_assessment_lapses_it(sg):
    sg.load(*household(), da(dash_score=15), da(dash_score=9, risk_level="standard", rec="2026-03-08T10:00:00+00:00"))
    alert = sg.one(LATER, MARAC)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-08T10:00:00+00:00")


def test_encompass_lapses_when_the_incident_is_deleted(sg):
    sg.load(*household(), da(), {"kind": "event", "source": "police", "id": "DA1", "op": "delete",
                                 "recorded_at": "2026-03-08T10:00:00+00:00"})
    alert = sg.one(LATER, ENC)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-08T10:00:00+00:00")


def test_a_child_present_of_unknown_age_to_police_is_a_child_once_linked_to_the_nurserys_record(sg):
    sg.load(jade(), dan(), child("P5", None, given="Lilly", family="HARPER", rec="2026-03-07T00:30:00+00:00"),
            child("E1", "2023-06-14", given="Lily", family="Harper", source="education"),
            incident("DA1", FRIDAY_NIGHT, rec=FRIDAY_REC, victim="P4", perpetrator="P1", present=("P5",)))
    sg.none(LATER, ENC)
    sg.same_person("police/P5", "education/E1")
    assert who(sg.one(LATER, ENC)) == [("child", "education/E1+police/P5")]
