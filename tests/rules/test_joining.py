"""Joining the dots across agencies: RISKY-ADULT-CHILD and NEW-ADULT-PLAN."""

from __future__ import annotations

import pytest

from .builders import (
    T0,
    adult,
    bail,
    child,
    event,
    home,
    incident,
    lives,
    london,
    offence,
    online,
    order,
    place,
    plan,
    registration,
    rel,
    residence,
    risk_assessment,
    times,
    who,
)

RULE = "RISKY-ADULT-CHILD"
LATER = "2026-03-10T12:00:00+00:00"


def convicted_man(pid: str = "P1", category: str = "violence", outcome: str = "convicted", at: str = "2021-03-02T23:10:00+00:00",
                  rec: str = "2021-06-15T16:00:00+00:00", **kw) -> list[dict]:
    return [adult(pid, given="Daniel James", family="PRICE", dob="1990-03-11", rec="2021-03-02T09:00:00+00:00", **kw),
            offence(f"O-{pid}", pid, at, category, outcome, rec=rec)]


def moves_in(pid: str = "P1", where: str = "csc/L1", rec: str = T0, **kw) -> dict:
    return lives(f"PL-{pid}", pid, where, rec=rec, **kw)


# ---- RISKY-ADULT-CHILD: must fire ------------------------------------------------------------

def test_a_convicted_violent_adult_living_with_a_child_raises_a_high_alert_due_next_working_day(sg):
    sg.load(*home("C1", "2019-05-05"), *convicted_man(), moves_in())
    alert = sg.one(LATER, RULE)
    assert times(alert) == (T0, "2026-03-03T09:00:00+00:00", "open", None)
    assert alert["severity"] == "high"
    assert who(alert) == [("adult", "police/P1"), ("child", "csc/C1")]
    assert {e["id"] for e in alert["evidence"]} == {"O-P1", "PL-P1", "C1-L1"}
    assert sg.one("2026-03-03T09:00:00+00:00", RULE)["overdue"] is False  # due, not yet overdue
    assert sg.one("2026-03-03T09:00:01+00:00", RULE)["overdue"] is True


def test_raised_when_the_last_piece_arrives_not_when_the_offence_happened(sg):
    # He moved in first; the conviction from another force is recorded on Thursday afternoon.
    sg.load(*home(), adult("P1"), moves_in(), offence("O1", "P1", "2020-01-01T12:00:00+00:00", rec="2026-03-05T14:00:00+00:00"))
    alert = sg.one(LATER, RULE)
    assert (alert["raised_at"], alert["due_at"]) == ("2026-03-05T14:00:00+00:00", "2026-03-06T14:00:00+00:00")


def test_due_over_a_weekend_is_monday_at_the_same_clock_time(sg):
    friday = "2026-03-06T16:30:00+00:00"
    sg.load(*home(), *convicted_man(), moves_in(rec=friday))
    assert sg.one(LATER, RULE)["due_at"] == "2026-03-09T16:30:00+00:00"


def test_due_over_easter_skips_good_friday_and_easter_monday(sg):
    thursday = london("2026-04-02 15:00")
    sg.load(*home(), *convicted_man(), moves_in(rec=thursday))
    assert sg.one("2026-04-10T12:00:00+00:00", RULE)["due_at"] == london("2026-04-07 15:00")


@pytest.mark.parametrize("dob", ["2023-06-14", "2021", "2021-03"])
def test_critical_when_a_child_there_may_be_under_five(sg, dob):
    # "2021" and "2021-03": born perhaps on 31 December or 31 March 2021, so may be 4 in March 2026.
    sg.load(*home("C1", dob), *convicted_man(), moves_in())
    assert sg.one(LATER, RULE)["severity"] == "critical"


def test_severity_is_as_of_the_moment_asked_a_fifth_birthday_lowers_it(sg):
    sg.load(*home("C1", "2021-03-03"), *convicted_man(), moves_in())
    assert sg.one("2026-03-02T12:00:00+00:00", RULE)["severity"] == "critical"  # 4 today, 5 tomorrow
    assert sg.one(LATER, RULE)["severity"] == "high"


def test_critical_when_the_adult_has_a_sexual_risk_marker(sg):
    sg.load(*home(), *convicted_man(category="sexual", outcome="cautioned"), moves_in())
    assert sg.one(LATER, RULE)["severity"] == "critical"


def test_critical_when_a_child_there_is_on_a_child_protection_plan(sg):
    sg.load(*home(), *convicted_man(), moves_in(), plan("CPP1", "C1", "2026-02-01T10:00:00+00:00"))
    assert sg.one(LATER, RULE)["severity"] == "critical"


def test_severity_is_as_of_the_moment_asked_a_child_coming_onto_a_plan_raises_it(sg):
    sg.load(*home(), *convicted_man(), moves_in(), plan("CPP1", "C1", "2026-03-04T10:00:00+00:00"))
    assert sg.one("2026-03-04T09:00:00+00:00", RULE)["severity"] == "high"
    assert sg.one(LATER, RULE)["severity"] == "critical"


def test_the_severity_of_a_closed_alert_is_as_it_was_when_it_closed(sg):
    sg.load(*home(), *convicted_man(), moves_in(), risk_assessment("RA1", "P1", "2026-03-03T10:00:00+00:00"),
            plan("CPP1", "C1", "2026-03-04T10:00:00+00:00"))
    assert sg.one(LATER, RULE)["severity"] == "high"


def test_every_child_of_the_household_is_a_subject_of_the_one_alert(sg):
    sg.load(*home("C1"), *home("C2", "2012-01-01", given="Mia"), *convicted_man(), moves_in())
    alert = sg.one(LATER, RULE)
    assert who(alert) == [("adult", "police/P1"), ("child", "csc/C1"), ("child", "csc/C2")]


def test_the_same_man_spelled_differently_by_police_and_health_is_one_person(sg):
    # Police know Daniel James PRICE's conviction; the health visitor records "Dan Price" at "14 Maple Rd".
    sg.load(*home("C1", "2023-06-14"), *convicted_man("P1"),
            adult("H3", "1990-03-11", given="Dan", family="Price", source="health", rec=T0),
            place("HL1", "14 Maple Rd, Kettering", "nn168ab", source="health"),
            lives("HPL3", "H3", "HL1", source="health", start="2026-02-20"))
    sg.none(LATER, RULE)  # two records nobody has linked: nobody knows
    sg.same_person("police/P1", "health/H3")
    alert = sg.one(LATER, RULE)
    assert who(alert) == [("adult", "health/H3+police/P1"), ("child", "csc/C1")]
    assert alert["raised_at"] == T0


def test_the_new_partner_of_the_mother_is_linked_to_the_childs_home(sg):
    sg.load(*home("C1"), adult("M1", "1995-01-01", given="Jade", family="HARPER", source="csc"),
            rel("CR1", "M1", "C1", "parent_of", source="csc"), *convicted_man(),
            rel("R1", "P1", "csc/M1", "partner_of", start="2026-02-01", rec="2026-03-04T11:00:00+00:00"))
    alert = sg.one(LATER, RULE)
    assert (alert["raised_at"], who(alert)) == ("2026-03-04T11:00:00+00:00", [("adult", "police/P1"), ("child", "csc/C1")])


def test_a_partnership_that_has_ended_links_nobody(sg):
    sg.load(*home("C1"), adult("M1", "1995-01-01", source="csc"), rel("CR1", "M1", "C1", "parent_of", source="csc"),
            *convicted_man(), rel("R1", "P1", "csc/M1", "partner_of", start="2025-01-01", end="2026-01-31"))
    sg.none(LATER, RULE)


@pytest.mark.parametrize("role", ["stays", "visits", "bail_address", "notified_address"])
def test_every_linking_role_links_the_adult(sg, role):
    sg.load(*home(), *convicted_man(), moves_in(role=role))
    assert sg.one(LATER, RULE)["raised_at"] == T0


@pytest.mark.parametrize("role", ["attends", "works", "found_at"])
def test_other_roles_do_not_link(sg, role):
    sg.load(*home(), *convicted_man(), moves_in(role=role))
    sg.none(LATER, RULE)


def test_the_residence_condition_of_an_active_bail_links_the_adult(sg):
    sg.load(*home(), *convicted_man(),
            bail("B1", "P1", "2026-03-03T11:00:00+00:00", expires_on="2026-04-01", conditions=[residence("csc/L1")]))
    alert = sg.one(LATER, RULE)
    assert alert["raised_at"] == "2026-03-03T11:00:00+00:00"
    assert sg.one("2026-04-03T12:00:00+00:00", RULE)["status"] == "lapsed"  # the bail ended with 1 April


# ---- RISKY-ADULT-CHILD: every kind of risk marker, and the near misses --------------------------

MARKERS = {
    "offence suspected within 24 months": [offence("X", "P1", "2025-06-01T10:00:00+00:00", "weapons", "suspected", role="suspect")],
    "offence charged within 24 months": [offence("X", "P1", "2025-06-01T10:00:00+00:00", "child_cruelty", "charged")],
    "exploitation cautioned long ago": [offence("X", "P1", "2010-06-01T10:00:00+00:00", "exploitation", "cautioned")],
    "domestic abuse perpetrator within 24 months": [incident("X", "2025-01-10T20:00:00+00:00", victim="V9", perpetrator="P1")],
    "active registration": [registration("X", "P1", "2015-01-01")],
    "active dvpo": [order("X", "P1", "dvpo", "2026-02-20", "2026-04-20")],
    "active non-molestation order": [order("X", "P1", "non_molestation", "2025-02-20")],
    "active restraining order": [order("X", "P1", "restraining", "2025-02-20", "2027-02-20")],
    "online CSEA referral within 24 months": [online("X", "P1", "2025-12-01T10:00:00+00:00")],
}


@pytest.mark.parametrize("marker", MARKERS, ids=list(MARKERS))
def test_each_kind_of_risk_marker_counts(sg, marker):
    sg.load(*home(), adult("P1", rec="2009-01-01T09:00:00+00:00"), adult("V9"), *MARKERS[marker], moves_in())
    assert sg.one(LATER, RULE)["raised_at"] == T0


NOT_MARKERS = {
    "a conviction for shop theft": [offence("X", "P1", "2022-04-01T12:00:00+00:00", "other", "convicted")],
    "a conviction for drugs supply": [offence("X", "P1", "2022-04-01T12:00:00+00:00", "drugs_supply", "convicted")],
    "an acquittal": [offence("X", "P1", "2025-04-01T12:00:00+00:00", "violence", "acquitted")],
    "no further action": [offence("X", "P1", "2025-04-01T12:00:00+00:00", "sexual", "no_further_action")],
    "a suspicion over 24 months old": [offence("X", "P1", "2024-02-20T12:00:00+00:00", "violence", "suspected", role="suspect")],
    "a victim, not the suspect": [offence("X", "P1", "2025-04-01T12:00:00+00:00", "violence", "convicted", role="victim")],
    "domestic abuse over 24 months ago": [incident("X", "2024-02-01T20:00:00+00:00", victim="V9", perpetrator="P1")],
    "the victim of domestic abuse": [incident("X", "2025-06-01T20:00:00+00:00", victim="P1", perpetrator="V9")],
    "a registration that has ended": [registration("X", "P1", "2015-01-01", ends_on="2025-01-01")],
    "an order that has ended": [order("X", "P1", "shpo", "2020-02-20", "2026-02-28")],
    "an order not yet started": [order("X", "P1", "restraining", "2026-04-01", "2027-04-01", at="2026-02-20T10:00:00+00:00")],
    "a community order": [order("X", "P1", "community_order", "2026-01-01", "2027-01-01")],
    "an online referral over 24 months ago": [online("X", "P1", "2024-01-01T10:00:00+00:00")],
}


@pytest.mark.parametrize("near_miss", NOT_MARKERS, ids=list(NOT_MARKERS))
def test_an_adult_with_no_risk_marker_raises_nothing(sg, near_miss):
    sg.load(*home(), adult("P1", rec="2009-01-01T09:00:00+00:00"), adult("V9"), *NOT_MARKERS[near_miss], moves_in())
    sg.none(LATER, RULE)


def test_a_suspicion_stops_being_a_marker_24_months_after_the_offence_and_the_alert_lapses(sg):
    sg.load(*home(), adult("P1"), offence("X", "P1", "2024-04-01T09:00:00+01:00", "violence", "suspected",
                                          role="suspect", rec="2024-04-02T09:00:00+01:00"), moves_in())
    alert = sg.one("2026-04-10T12:00:00+00:00", RULE)
    # 24 calendar months on the London clock: 09:00 BST on 1 April 2026.
    assert (alert["status"], alert["closed_at"]) == ("lapsed", london("2026-04-01 09:00"))


def test_an_order_not_yet_started_becomes_a_marker_at_00_00_of_its_first_day(sg):
    sg.load(*home(), adult("P1"), order("X", "P1", "restraining", "2026-04-01", at="2026-02-20T10:00:00+00:00"), moves_in())
    sg.none("2026-03-31T22:59:59+00:00", RULE)
    assert sg.one("2026-04-02T12:00:00+00:00", RULE)["raised_at"] == london("2026-04-01 00:00")


def test_an_order_ending_ends_the_alert_at_the_end_of_its_last_day(sg):
    sg.load(*home(), adult("P1"), order("X", "P1", "dvpo", "2026-02-20", "2026-06-10"), moves_in())
    alert = sg.one("2026-06-20T12:00:00+00:00", RULE)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", london("2026-06-11 00:00"))


# ---- RISKY-ADULT-CHILD: who is a child, who is an adult -------------------------------------

def test_a_young_person_who_is_18_is_not_a_child(sg):
    sg.load(*home("C1", "2008-03-01"), *convicted_man(), moves_in())
    sg.none(LATER, RULE)


def test_a_child_turning_18_ends_the_alert_at_00_00_of_the_birthday(sg):
    sg.load(*home("C1", "2008-06-15"), *convicted_man(), moves_in())
    alert = sg.one("2026-07-01T12:00:00+00:00", RULE)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", london("2026-06-15 00:00"))


def test_an_unknown_date_of_birth_counts_as_adult_not_child(sg):
    sg.load(*home("C1", None), *convicted_man(), moves_in())
    sg.none(LATER, RULE)


def test_an_adult_with_an_unknown_date_of_birth_is_an_adult(sg):
    sg.load(*home(), *convicted_man(), adult("P1", None, rec="2026-01-01T09:00:00+00:00"), moves_in())
    assert sg.one(LATER, RULE)["raised_at"] == T0


def test_a_17_year_old_with_a_conviction_is_not_an_adult(sg):
    sg.load(*home("C1"), adult("P1", "2009-01-01"), offence("X", "P1", "2025-04-01T12:00:00+00:00"), moves_in())
    sg.none(LATER, RULE)


# ---- RISKY-ADULT-CHILD: links over time ---------------------------------------------------------

def test_a_link_whose_from_is_in_the_future_is_not_yet_current(sg):
    sg.load(*home(), *convicted_man(), moves_in(start="2026-03-20"))
    sg.none(LATER, RULE)
    # The clock passes with nothing new fed in: from 00:00 of the 20th he lives there.
    alert = sg.one("2026-03-21T12:00:00+00:00", RULE)
    assert (alert["raised_at"], alert["due_at"]) == (london("2026-03-20 00:00"), london("2026-03-23 00:00"))


def test_a_link_that_ended_before_it_was_recorded_raises_nothing(sg):
    sg.load(*home(), *convicted_man(), moves_in(start="2025-01-01", end="2026-02-28"))
    sg.none(LATER, RULE)


def test_the_adult_moving_out_lapses_the_alert(sg):
    sg.load(*home(), *convicted_man(), moves_in(),
            moves_in(rec="2026-03-05T10:00:00+00:00", end="2026-03-04"))
    alert = sg.one(LATER, RULE)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-05T10:00:00+00:00")


def test_the_adult_moving_out_at_the_end_of_a_future_day_lapses_it_then(sg):
    sg.load(*home(), *convicted_man(), moves_in(), moves_in(rec="2026-03-05T10:00:00+00:00", end="2026-03-08"))
    alert = sg.one(LATER, RULE)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-09T00:00:00+00:00")


# ---- RISKY-ADULT-CHILD: satisfied -------------------------------------------------------------

def test_a_risk_assessment_of_the_adult_satisfies_it(sg):
    sg.load(*home(), *convicted_man(), moves_in(), risk_assessment("RA1", "P1", "2026-03-03T10:00:00+00:00",
                                                                   rec="2026-03-03T11:30:00+00:00"))
    alert = sg.one(LATER, RULE)
    assert times(alert) == (T0, "2026-03-03T09:00:00+00:00", "satisfied", "2026-03-03T11:30:00+00:00")
    assert alert["overdue"] is False
    assert sg.alerts(LATER, RULE, open_only=True) == []


def test_a_risk_assessment_by_another_agency_under_another_spelling_satisfies_it(sg):
    sg.load(*home(), *convicted_man(), moves_in(),
            adult("R7", "1990-03-11", given="Danny", family="Price", source="probation"),
            risk_assessment("RA1", "R7", "2026-03-04T10:00:00+00:00", source="probation"))
    assert sg.one(LATER, RULE)["status"] == "open"
    sg.same_person("police/P1", "probation/R7")
    alert = sg.one(LATER, RULE)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-04T10:00:00+00:00")
    assert who(alert)[0] == ("adult", "police/P1+probation/R7")


def test_an_assessment_recorded_before_the_alert_was_raised_does_not_satisfy_it(sg):
    sg.load(*home(), *convicted_man(), risk_assessment("RA1", "P1", "2025-11-01T10:00:00+00:00"), moves_in())
    assert sg.one(LATER, RULE)["status"] == "open"


def test_an_assessment_of_someone_else_does_not_satisfy_it(sg):
    sg.load(*home(), *convicted_man(), adult("P2"), moves_in(), risk_assessment("RA1", "P2", "2026-03-04T10:00:00+00:00"))
    assert sg.one(LATER, RULE)["status"] == "open"


def test_one_alert_per_adult_and_place_however_many_ways_he_is_linked(sg):
    sg.load(*home("C1"), adult("M1", "1995-01-01", source="csc"), rel("CR1", "M1", "C1", "parent_of", source="csc"),
            *convicted_man(), moves_in(), moves_in("P1", role="visits") | {"id": "PL-visit"},
            rel("R1", "P1", "csc/M1", "partner_of"))
    assert len(sg.alerts(LATER, RULE)) == 1


def test_two_records_of_one_place_are_one_key(sg):
    sg.load(*home("C1"), *home("C2", where="L2") , *convicted_man(), moves_in(),
            moves_in(where="csc/L2", role="visits") | {"id": "PL-2"})
    assert len(sg.alerts(LATER, RULE)) == 1  # both children share the resolved place (same UPRN)


def test_two_different_households_are_two_alerts(sg):
    sg.load(*home("C1"), place("L2", "3 Elm Grove, Corby", "NN17 1AA", source="csc"), *home("C2", where="L2")[1:],
            *convicted_man(), moves_in(), moves_in(where="csc/L2", role="visits") | {"id": "PL-2"})
    assert len(sg.alerts(LATER, RULE)) == 2


# ---- NEW-ADULT-PLAN ------------------------------------------------------------------------

NEW = "NEW-ADULT-PLAN"
PLAN_AT = "2026-02-16T14:00:00+00:00"


def on_plan(cid: str = "C1", at: str = PLAN_AT, **kw) -> list[dict]:
    return [*home(cid, rec="2026-01-05T09:00:00+00:00"), plan(f"CPP-{cid}", cid, at, **kw)]


def test_an_adult_moving_into_the_home_of_a_child_on_a_plan_raises_a_medium_alert(sg):
    friday = "2026-03-06T09:00:00+00:00"
    sg.load(*on_plan(), adult("P2", given="Dan", family="Price"), moves_in("P2", start="2026-03-05", rec=friday))
    alert = sg.one(LATER, NEW)
    assert times(alert) == (friday, "2026-03-10T09:00:00+00:00", "open", None)  # 2 working days, over the weekend
    assert (alert["severity"], who(alert)) == ("medium", [("adult", "police/P2"), ("child", "csc/C1")])
    sg.none(LATER, RULE)


def test_staying_counts_as_moving_in(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2", role="stays", start="2026-03-01"))
    assert sg.one(LATER, NEW)["raised_at"] == T0


def test_without_from_the_link_counts_from_when_it_was_first_recorded(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2"), moves_in("P2", rec="2026-03-04T09:00:00+00:00", role="stays"))
    assert sg.one(LATER, NEW)["raised_at"] == T0


def test_an_adult_already_living_there_before_the_plan_raises_nothing(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2", start="2025-06-01"))
    sg.none(LATER, NEW)


def test_an_adult_recorded_there_before_the_plan_without_from_raises_nothing(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2", rec="2026-01-20T09:00:00+00:00"))
    sg.none(LATER, NEW)


def test_moving_in_on_the_plans_day_but_from_00_00_is_before_the_plan_started(sg):
    # `from` counts from 00:00 of its day, which is before the conference at 14:00 (see the report).
    sg.load(*on_plan(), adult("P2"), moves_in("P2", start="2026-02-16"))
    sg.none(LATER, NEW)


def test_a_visitor_is_not_a_new_household_member(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2", role="visits", start="2026-03-01"))
    sg.none(LATER, NEW)


def test_an_adult_with_a_risk_marker_is_for_risky_adult_child_instead(sg):
    sg.load(*on_plan(), *convicted_man("P2"), moves_in("P2", start="2026-03-01"))
    sg.none(LATER, NEW)
    assert sg.one(LATER, RULE)["severity"] == "critical"


def test_no_alert_once_the_plan_has_ended(sg):
    sg.load(*on_plan(ends_at="2026-02-28T12:00:00+00:00"), adult("P2"), moves_in("P2", start="2026-03-01"))
    sg.none(LATER, NEW)


def test_a_child_who_is_18_is_not_a_child_on_a_plan(sg):
    sg.load(*home("C1", "2008-01-01", rec="2026-01-05T09:00:00+00:00"), plan("CPP-C1", "C1", PLAN_AT),
            adult("P2"), moves_in("P2", start="2026-03-01"))
    sg.none(LATER, NEW)


def test_new_adult_plan_is_satisfied_by_a_risk_assessment_of_the_adult(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2", start="2026-03-01"),
            risk_assessment("RA1", "P2", "2026-03-03T15:00:00+00:00"))
    alert = sg.one(LATER, NEW)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-03T15:00:00+00:00")


def test_new_adult_plan_across_sources(sg):
    # Health records "Dan Price" moving into "14 Maple Rd"; police assess Daniel PRICE.
    sg.load(*on_plan(), adult("H3", given="Dan", family="Price", source="health"),
            place("HL1", "14 Maple Rd, Kettering", "nn168ab", source="health"),
            lives("HPL3", "H3", "HL1", source="health", start="2026-03-01"),
            adult("P2", given="Daniel James", family="PRICE"), risk_assessment("RA1", "P2", "2026-03-04T15:00:00+00:00"))
    assert sg.one(LATER, NEW)["status"] == "open"
    sg.same_person("health/H3", "police/P2")
    alert = sg.one(LATER, NEW)
    assert (alert["status"], who(alert)) == ("satisfied", [("adult", "health/H3+police/P2"), ("child", "csc/C1")])


def test_new_adult_plan_lapses_when_the_adult_moves_out(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2", start="2026-03-01"),
            moves_in("P2", start="2026-03-01", end="2026-03-03", rec="2026-03-04T09:00:00+00:00"))
    alert = sg.one(LATER, NEW)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T09:00:00+00:00")


def test_new_adult_plan_with_a_referenced_event_is_unaffected_by_other_events(sg):
    sg.load(*on_plan(), adult("P2"), moves_in("P2", start="2026-03-01"),
            event("E1", "arrest", "2026-03-03T10:00:00+00:00", [("P2", "arrested")]))
    assert sg.one(LATER, NEW)["status"] == "open"


def test_a_childs_police_record_without_a_date_of_birth_does_not_make_him_an_adult(sg):
    # Social care know Jayden is 15; the police hold him with no date of birth and suspect him of an assault.
    sg.load(*home("C1"), child("C5", "2011-01-01", given="Jayden", source="csc"), lives("C5-L1", "C5", "L1", source="csc"),
            child("P5", None, given="Jayden", rec="2026-01-05T09:00:00+00:00"),
            offence("X", "P5", "2026-01-04T20:00:00+00:00", "violence", "suspected", role="suspect", rec="2026-01-05T09:00:00+00:00"))
    sg.none(LATER, RULE)  # not linked: a man of unknown age with a marker, but not linked to the home either
    sg.same_person("csc/C5", "police/P5")
    sg.none(LATER, RULE)


def test_a_sibling_moving_in_is_not_a_new_adult_though_one_record_lacks_a_date_of_birth(sg):
    sg.load(*on_plan(), child("C5", "2012-01-01", given="Jayden", source="csc"), child("H5", None, given="Jayden", source="health"),
            lives("C5-L1", "C5", "L1", source="csc", start="2026-03-01"))
    sg.same_person("csc/C5", "health/H5")
    sg.none(LATER, NEW)


def test_a_link_first_sent_as_ended_then_corrected_counts_from_its_first_recorded_at(sg):
    # Recorded before the plan as having ended; corrected after it with no dates: first recorded before the plan.
    sg.load(*on_plan(), adult("P2"), moves_in("P2", end="2026-01-31", rec="2026-02-02T09:00:00+00:00"),
            moves_in("P2", rec="2026-03-03T09:00:00+00:00"))
    sg.none(LATER, NEW)
