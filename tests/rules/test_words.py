"""rules.md "Words", through the rules: who may be a child or an adult (partial dates of birth,
29 February, unknown), age at the triggering event, and date-only fields in London time."""

from __future__ import annotations

import pytest

from .builders import (
    adult,
    child,
    episode,
    home,
    incident,
    lives,
    london,
    offence,
    place,
)

RULE = "RISKY-ADULT-CHILD"


def violent(pid: str = "P1", dob: str | None = "1990-01-01", rec: str = "2025-01-06T09:00:00+00:00") -> list[dict]:
    return [adult(pid, dob, rec=rec), offence(f"O-{pid}", pid, "2021-03-02T23:10:00+00:00", rec=rec)]


def household_of(dob: str | None, rec: str = "2025-01-06T09:00:00+00:00") -> list[dict]:
    return home("C1", dob, rec=rec)


def moves_in(rec: str = "2025-01-06T09:00:00+00:00", **kw) -> dict:
    return lives("PL-P1", "P1", "csc/L1", rec=rec, **kw)


# ---- partial dates of birth around the 18th birthday -------------------------------------------

def test_someone_born_in_2008_may_still_be_a_child_until_the_last_day_it_could_mean(sg):
    sg.load(*household_of("2008"), *violent(), moves_in())
    alert = sg.one("2027-01-10T12:00:00+00:00", RULE)
    # Born perhaps on 31 December 2008: under 18 until 00:00 on 31 December 2026.
    assert (alert["raised_at"], alert["status"], alert["closed_at"]) == (
        "2025-01-06T09:00:00+00:00", "lapsed", "2026-12-31T00:00:00+00:00")


def test_someone_born_in_2008_may_already_be_an_adult_from_1_january_2026(sg):
    sg.load(*home("C1", "2019-05-05", rec="2025-01-06T09:00:00+00:00"), *violent(dob="2008"), moves_in())
    sg.none("2025-12-31T23:59:59+00:00", RULE)
    # Born perhaps on 1 January 2008: 18 from 00:00 on 1 January 2026; the clock passes, nothing new fed in.
    assert sg.one("2026-01-02T12:00:00+00:00", RULE)["raised_at"] == "2026-01-01T00:00:00+00:00"


def test_in_2026_someone_born_in_2008_is_both_a_child_and_an_adult(sg):
    # A "2008" young man with a conviction lives with a "2008" girl: he may be an adult, she may be a child.
    sg.load(*household_of("2008"), *violent(dob="2008"), moves_in())
    alert = sg.one("2026-06-01T12:00:00+00:00", RULE)
    assert alert["raised_at"] == "2026-01-01T00:00:00+00:00"
    assert alert["closed_at"] is None


def test_a_month_of_birth_counts_to_the_end_of_the_month_in_london(sg):
    sg.load(*household_of("2008-07"), *violent(), moves_in())
    alert = sg.one("2026-08-10T12:00:00+00:00", RULE)
    # Born perhaps on 31 July 2008: under 18 until 00:00 BST on 31 July 2026.
    assert (alert["status"], alert["closed_at"]) == ("lapsed", london("2026-07-31 00:00"))


def test_a_partial_date_of_birth_makes_a_missing_person_a_child(sg):
    sg.load(child("P2", "2008", rec="2026-01-05T09:00:00+00:00"),
            episode("M1", "P2", "2026-11-20T18:00:00+00:00", risk_level="high"))
    assert sg.one("2026-11-21T12:00:00+00:00", "MISSING-HIGH")["status"] == "open"


def test_from_2027_someone_born_in_2008_is_only_an_adult(sg):
    sg.load(child("P2", "2008", rec="2026-01-05T09:00:00+00:00"),
            episode("M1", "P2", "2027-01-02T18:00:00+00:00", risk_level="high"))
    sg.none("2027-01-03T12:00:00+00:00", "MISSING-HIGH")


# ---- 29 February -----------------------------------------------------------------------------

def test_a_child_born_on_29_february_turns_18_on_1_march(sg):
    sg.load(*household_of("2008-02-29"), *violent(), moves_in())
    assert sg.one("2026-02-28T23:59:59+00:00", RULE)["status"] == "open"
    alert = sg.one("2026-03-10T12:00:00+00:00", RULE)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-01T00:00:00+00:00")


def test_an_adult_born_on_29_february_is_18_from_1_march(sg):
    sg.load(*household_of("2019-05-05"), *violent(dob="2008-02-29"), moves_in())
    sg.none("2026-02-28T23:59:59+00:00", RULE)
    assert sg.one("2026-03-10T12:00:00+00:00", RULE)["raised_at"] == "2026-03-01T00:00:00+00:00"


def test_under_5_with_a_29_february_birthday(sg):
    # Born 29 February 2020: 5 on 1 March 2025, so critical until then.
    sg.load(*household_of("2020-02-29", rec="2025-02-20T09:00:00+00:00"), *violent(), moves_in(rec="2025-02-20T09:00:00+00:00"))
    assert sg.one("2025-02-28T23:00:00+00:00", RULE)["severity"] == "critical"
    assert sg.one("2025-03-01T00:00:00+00:00", RULE)["severity"] == "high"


# ---- unknown date of birth ---------------------------------------------------------------------

@pytest.mark.parametrize("rule, scene", [
    ("MISSING-HIGH", [episode("M1", "P2", "2026-03-02T18:00:00+00:00", risk_level="high")]),
    ("ENCOMPASS", [incident("DA1", "2026-03-02T18:00:00+00:00", present=("P2",))]),
])
def test_an_unknown_date_of_birth_is_never_a_child(sg, rule, scene):
    sg.load(child("P2", None, rec="2026-01-05T09:00:00+00:00"), *scene)
    sg.none("2026-03-10T12:00:00+00:00", rule)


# ---- age at the triggering event ---------------------------------------------------------------

def test_age_is_taken_at_the_events_at_not_when_it_was_recorded(sg):
    # 17 on the night of the incident, 18 by the time the police record it.
    sg.load(child("P5", "2008-03-05", rec="2026-01-05T09:00:00+00:00"),
            incident("DA1", "2026-03-04T22:00:00+00:00", rec="2026-03-06T10:00:00+00:00", present=("P5",)))
    assert sg.one("2026-03-10T12:00:00+00:00", "ENCOMPASS")["raised_at"] == "2026-03-06T10:00:00+00:00"


def test_18_on_the_day_of_the_event_is_not_a_child(sg):
    sg.load(child("P5", "2008-03-04", rec="2026-01-05T09:00:00+00:00"),
            incident("DA1", "2026-03-04T00:30:00+00:00", present=("P5",)))
    sg.none("2026-03-10T12:00:00+00:00", "ENCOMPASS")


def test_the_birthday_starts_at_00_00_london_time_in_summer(sg):
    # 18 on 20 June 2026: from 23:00 UTC on the 19th. An incident at 23:30 UTC on the 19th is on the birthday.
    sg.load(child("P5", "2008-06-20", rec="2026-01-05T09:00:00+00:00"),
            incident("DA1", "2026-06-19T23:30:00+00:00", present=("P5",)),
            incident("DA2", "2026-06-19T22:30:00+00:00", present=("P5",)))
    alerts = sg.alerts("2026-06-25T12:00:00+00:00", "ENCOMPASS")
    assert [a["evidence"][0]["id"] for a in alerts] == ["DA2"]


# ---- date-only fields in London time -----------------------------------------------------------

@pytest.mark.parametrize("day, starts", [
    ("2026-06-01", "2026-05-31T23:00:00+00:00"),  # BST
    ("2026-01-15", "2026-01-15T00:00:00+00:00"),  # GMT
    ("2026-03-29", "2026-03-29T00:00:00+00:00"),  # the clocks go forward at 01:00 GMT that day
    ("2026-10-25", "2026-10-24T23:00:00+00:00"),  # the clocks go back at 02:00 BST that day
])
def test_from_counts_from_00_00_of_its_day_in_london(sg, day, starts):
    sg.load(*household_of("2019-05-05"), *violent(), moves_in(start=day))
    assert sg.alerts("2026-12-01T12:00:00+00:00", RULE)[0]["raised_at"] == starts


@pytest.mark.parametrize("day, ends", [
    ("2026-06-01", "2026-06-01T23:00:00+00:00"),
    ("2026-01-15", "2026-01-16T00:00:00+00:00"),
    ("2026-03-29", "2026-03-29T23:00:00+00:00"),  # a 23-hour day
    ("2026-10-25", "2026-10-26T00:00:00+00:00"),  # a 25-hour day
])
def test_to_counts_to_the_end_of_its_day_in_london(sg, day, ends):
    sg.load(*household_of("2019-05-05"), *violent(), moves_in(end=day))
    assert sg.alerts("2026-12-01T12:00:00+00:00", RULE)[0]["closed_at"] == ends


def test_a_location_spelled_two_ways_is_one_household(sg):
    sg.load(*violent(rec="2026-01-05T09:00:00+00:00"),
            place("PL2", "Flat 2, 10 Mill Street, Kettering", "NN16 8AB"),
            place("HL2", "2/10 Mill St, Kettering", "nn168ab", source="health"),
            child("H9", "2020-01-01", source="health"), lives("HPL9", "H9", "HL2", source="health"),
            lives("PL-P1", "P1", "PL2"))
    alert = sg.one("2026-03-10T12:00:00+00:00", RULE)
    assert [s["records"] for s in alert["subjects"]][1] == [{"source": "health", "id": "H9"}]
