"""Bail and orders: BAIL-ADDRESS, REOFFEND-REASSESS, ORDER-BREACH-2, BREACH-WARNING-ONLY, BAIL-EXPIRY."""

from __future__ import annotations

import pytest

from .builders import (
    T0,
    adult,
    bail,
    breach,
    home,
    lives,
    offence,
    order,
    place,
    registration,
    residence,
    risk_assessment,
    times,
    who,
)

LATER = "2026-03-20T12:00:00+00:00"
BAIL_AT, BAIL_REC = "2026-03-03T11:45:00+00:00", "2026-03-03T12:00:00+00:00"


def suspect(pid: str = "P1", **kw) -> dict:
    return adult(pid, "1990-03-11", given="Daniel James", family="PRICE", rec="2021-03-02T09:00:00+00:00", **kw)


def vague_place(lid: str = "PL2") -> dict:
    return place(lid, "Kettering area", None)


def flat(lid: str = "PL1") -> dict:
    return place(lid, "Flat 3, 22 Station Road, Kettering", "NN16 0BB")


# ---- BAIL-ADDRESS ------------------------------------------------------------------------------

ADDR = "BAIL-ADDRESS"


def test_bail_to_kettering_area_unverified_raises_a_high_alert_due_next_working_day(sg):
    sg.load(suspect(), vague_place(), bail("B1", "P1", BAIL_AT, rec=BAIL_REC, expires_on="2026-04-30",
                                           conditions=[residence("PL2", False, "Kettering area")]))
    alert = sg.one(LATER, ADDR)
    assert times(alert) == (BAIL_REC, "2026-03-04T12:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("high", [("person", "police/P1")])
    assert alert["overdue"] is True


@pytest.mark.parametrize("condition", [
    residence("PL1", None),  # specific, but `verified` absent counts as not verified
    residence("PL1", False),
    residence(None, True, "his sister's, somewhere in Corby"),  # no location at all
    residence("PL2", True),  # verified, but not a specific place
], ids=["verified absent", "verified false", "no location", "non-specific"])
def test_each_way_a_residence_condition_falls_short(sg, condition):
    sg.load(suspect(), flat(), vague_place(), bail("B1", "P1", BAIL_AT, rec=BAIL_REC, conditions=[condition]))
    assert sg.one(LATER, ADDR)["raised_at"] == BAIL_REC


def test_a_specific_verified_address_raises_nothing(sg):
    sg.load(suspect(), flat(), bail("B1", "P1", BAIL_AT, conditions=[residence("PL1", True)]))
    sg.none(LATER, ADDR)


def test_a_place_with_a_uprn_is_specific_even_without_a_number(sg):
    sg.load(suspect(), place("PL1", "The Old Mill, Kettering", None, uprn="100031999000"),
            bail("B1", "P1", BAIL_AT, conditions=[residence("PL1", True)]))
    sg.none(LATER, ADDR)


@pytest.mark.parametrize("address, postcode", [("Station Road, Kettering", "NN16 0BB"), ("22 Station Road, Kettering", "NN16")])
def test_a_number_needs_a_full_postcode_to_be_specific(sg, address, postcode):
    sg.load(suspect(), place("PL1", address, postcode), bail("B1", "P1", BAIL_AT, conditions=[residence("PL1", True)]))
    assert sg.one(LATER, ADDR)


def test_a_bail_without_residence_conditions_raises_nothing(sg):
    sg.load(suspect(), bail("B1", "P1", BAIL_AT, conditions=[{"condition": "curfew", "address_text": "21:00-07:00"}]))
    sg.none(LATER, ADDR)


def test_a_bail_that_expired_before_it_was_recorded_raises_nothing(sg):
    sg.load(suspect(), vague_place(), bail("B1", "P1", "2026-02-01T10:00:00+00:00", rec=T0, expires_on="2026-02-20",
                                           conditions=[residence("PL2", False)]))
    sg.none(LATER, ADDR)


def test_the_bail_ending_lapses_the_alert_at_the_end_of_expires_on_in_london(sg):
    sg.load(suspect(), vague_place(), bail("B1", "P1", "2026-06-01T10:00:00+01:00", expires_on="2026-06-10",
                                           conditions=[residence("PL2", False)]))
    alert = sg.one("2026-06-20T12:00:00+00:00", ADDR)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-06-10T23:00:00+00:00")  # midnight BST


def test_a_new_version_of_the_bail_with_a_verified_address_satisfies_it(sg):
    conditions = [residence("PL2", False)]
    sg.load(suspect(), vague_place(), flat(), bail("B1", "P1", BAIL_AT, rec=BAIL_REC, conditions=conditions),
            bail("B1", "P1", BAIL_AT, rec="2026-03-04T10:00:00+00:00", conditions=[residence("PL1", True)]))
    alert = sg.one(LATER, ADDR)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-04T10:00:00+00:00")


def test_a_later_bail_of_the_same_man_under_another_record_satisfies_it(sg):
    sg.load(suspect(), adult("P9", "1990-03-11", given="Danny", family="Price"), vague_place(), flat(),
            bail("B1", "P1", BAIL_AT, rec=BAIL_REC, conditions=[residence("PL2", False)]),
            bail("B2", "P9", "2026-03-05T10:00:00+00:00", conditions=[residence("PL1", True)]))
    assert sg.one(LATER, ADDR)["status"] == "open"
    sg.same_person("police/P1", "police/P9")
    alert = sg.one(LATER, ADDR)
    assert (alert["status"], alert["closed_at"], who(alert)) == (
        "satisfied", "2026-03-05T10:00:00+00:00", [("person", "police/P1+police/P9")])


def test_a_later_bail_that_is_no_better_satisfies_nothing(sg):
    sg.load(suspect(), vague_place(), bail("B1", "P1", BAIL_AT, rec=BAIL_REC, expires_on="2026-04-30",
                                           conditions=[residence("PL2", False)]),
            bail("B2", "P1", "2026-03-05T10:00:00+00:00", conditions=[residence("PL2", True)]))
    assert [a["status"] for a in sg.alerts(LATER, ADDR)] == ["open", "open"]


def test_a_bail_without_expiry_ends_with_a_later_bail_so_its_alert_lapses(sg):
    sg.load(suspect(), vague_place(), bail("B1", "P1", BAIL_AT, rec=BAIL_REC, conditions=[residence("PL2", False)]),
            bail("B2", "P1", "2026-03-05T10:00:00+00:00", conditions=[residence("PL2", True)]))
    first, second = sg.alerts(LATER, ADDR)
    assert (first["status"], first["closed_at"]) == ("lapsed", "2026-03-05T10:00:00+00:00")
    assert (second["status"], second["raised_at"]) == ("open", "2026-03-05T10:00:00+00:00")


def test_a_satisfying_version_must_name_a_place_that_is_specific(sg):
    sg.load(suspect(), vague_place(), bail("B1", "P1", BAIL_AT, rec=BAIL_REC, conditions=[residence("PL2", False)]),
            bail("B1", "P1", BAIL_AT, rec="2026-03-04T10:00:00+00:00", conditions=[residence("PL2", True)]))
    alert = sg.one(LATER, ADDR)
    assert alert["status"] == "open"


# ---- REOFFEND-REASSESS ---------------------------------------------------------------------

REO = "REOFFEND-REASSESS"


def on_order(pid: str = "P1", order_type: str = "community_order", starts: str = "2026-01-05", ends: str = "2027-01-04"):
    return order(f"ORD-{pid}", pid, order_type, starts, ends, at="2026-01-05T11:00:00+00:00")


def test_a_new_offence_while_on_an_order_raises_a_high_alert_due_in_5_working_days(sg):
    sg.load(suspect(), on_order(), offence("O2", "P1", "2026-03-01T22:00:00+00:00", "domestic_abuse", "suspected",
                                           role="suspect", rec=T0))
    alert = sg.one(LATER, REO)
    assert times(alert) == (T0, "2026-03-09T09:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("high", [("person", "police/P1")])


def test_critical_when_he_is_linked_to_the_household_of_a_child(sg):
    sg.load(suspect(), *home(), lives("PL-P1", "P1", "csc/L1", role="visits"), on_order(),
            offence("O2", "P1", "2026-03-01T22:00:00+00:00", "other", "suspected", role="suspect", rec=T0))
    assert sg.one(LATER, REO)["severity"] == "critical"


@pytest.mark.parametrize("category", ["drugs_supply", "other"])
def test_any_offence_counts_not_only_a_risk_marker_one(sg, category):
    sg.load(suspect(), on_order(), offence("O2", "P1", "2026-03-01T22:00:00+00:00", category, "suspected", role="suspect"))
    assert sg.one(LATER, REO)


def test_an_offence_while_on_bail_counts(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-02-01T10:00:00+00:00", expires_on="2026-04-01"),
            offence("O2", "P1", "2026-03-01T22:00:00+00:00", "violence", "suspected", role="suspect", rec=T0))
    assert sg.one(LATER, REO)["raised_at"] == T0


def test_a_breach_while_an_order_is_active_counts(sg):
    sg.load(suspect(), on_order(), breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0))
    alert = sg.one(LATER, REO)
    assert (alert["raised_at"], {e["id"] for e in alert["evidence"]}) == (T0, {"BR1", "ORD-P1"})


def test_an_offence_before_the_order_started_raises_nothing(sg):
    sg.load(suspect(), on_order(starts="2026-03-02"), offence("O2", "P1", "2026-03-01T22:00:00+00:00", role="suspect",
                                                              outcome="suspected", rec=T0))
    sg.none(LATER, REO)


def test_an_offence_late_on_the_orders_last_day_counts_and_just_after_does_not(sg):
    sg.load(suspect(), on_order(starts="2025-06-01", ends="2026-02-27"),
            offence("O2", "P1", "2026-02-27T23:59:00+00:00", outcome="suspected", role="suspect", rec=T0),
            offence("O3", "P1", "2026-02-28T00:00:00+00:00", outcome="suspected", role="suspect", rec=T0))
    alerts = sg.alerts(LATER, REO)
    assert len(alerts) == 1 and "O2" in {e["id"] for e in alerts[0]["evidence"]}


def test_the_orders_last_day_ends_at_midnight_london_time_in_summer(sg):
    # ends_on 30 June: the order is active until 23:00 UTC (midnight BST).
    sg.load(suspect(), on_order(starts="2025-06-01", ends="2026-06-30"),
            offence("O2", "P1", "2026-06-30T22:59:00+00:00", outcome="suspected", role="suspect"),
            offence("O3", "P1", "2026-06-30T23:00:00+00:00", outcome="suspected", role="suspect"))
    alerts = sg.alerts("2026-07-10T12:00:00+00:00", REO)
    assert len(alerts) == 1 and alerts[0]["raised_at"] == "2026-06-30T22:59:00+00:00"


def test_a_victim_or_witness_is_not_reoffending(sg):
    sg.load(suspect(), on_order(), offence("O2", "P1", "2026-03-01T22:00:00+00:00", role="victim"),
            offence("O3", "P1", "2026-03-01T22:00:00+00:00", role="witness"))
    sg.none(LATER, REO)


def test_a_bail_without_expiry_ends_when_he_is_charged_with_its_offence(sg):
    # Bail for O1 without expires_on is active until a charge for O1; O2 comes after that charge.
    sg.load(suspect(), offence("O1", "P1", "2026-01-08T20:00:00+00:00", "violence", "suspected", role="suspect"),
            bail("B1", "P1", "2026-01-10T10:00:00+00:00", offence="O1"),
            offence("O1", "P1", "2026-01-08T20:00:00+00:00", "violence", "charged", role="suspect",
                    rec="2026-02-01T10:00:00+00:00", outcome_at="2026-02-01T10:00:00+00:00"),
            offence("O2", "P1", "2026-03-01T22:00:00+00:00", "other", "suspected", role="suspect", rec=T0))
    sg.none(LATER, REO)


def test_a_bail_without_expiry_still_counts_before_any_charge(sg):
    sg.load(suspect(), offence("O1", "P1", "2026-01-08T20:00:00+00:00", "violence", "suspected", role="suspect"),
            bail("B1", "P1", "2026-01-10T10:00:00+00:00", offence="O1"),
            offence("O2", "P1", "2026-03-01T22:00:00+00:00", "other", "suspected", role="suspect", rec=T0))
    assert sg.one(LATER, REO)["raised_at"] == T0


def test_each_new_offence_is_its_own_alert(sg):
    sg.load(suspect(), on_order(), offence("O2", "P1", "2026-03-01T22:00:00+00:00", role="suspect", outcome="suspected"),
            offence("O3", "P1", "2026-03-05T22:00:00+00:00", role="suspect", outcome="suspected"))
    assert len(sg.alerts(LATER, REO)) == 2


def test_reoffend_is_satisfied_by_a_risk_assessment_recorded_after_it(sg):
    sg.load(suspect(), on_order(), risk_assessment("RA0", "P1", "2026-02-01T10:00:00+00:00"),
            offence("O2", "P1", "2026-03-01T22:00:00+00:00", role="suspect", outcome="suspected", rec=T0),
            risk_assessment("RA1", "P1", "2026-03-05T10:00:00+00:00"))
    alert = sg.one(LATER, REO)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-05T10:00:00+00:00")


def test_reoffend_across_sources_probation_order_and_police_offence(sg):
    sg.load(adult("R7", "1990-03-11", given="Dan", family="Price", source="probation"),
            order("ORD1", "R7", "licence", "2025-11-01", "2026-11-01", source="probation"),
            suspect(), offence("O2", "P1", "2026-03-01T22:00:00+00:00", role="suspect", outcome="suspected", rec=T0))
    sg.none(LATER, REO)
    sg.same_person("police/P1", "probation/R7")
    alert = sg.one(LATER, REO)
    assert who(alert) == [("person", "police/P1+probation/R7")]


def test_an_order_recorded_late_still_catches_an_offence_during_it(sg):
    sg.load(suspect(), offence("O2", "P1", "2026-03-01T22:00:00+00:00", role="suspect", outcome="suspected", rec=T0),
            order("ORD1", "P1", "suspended_sentence", "2026-01-05", "2027-01-04", at="2026-01-05T11:00:00+00:00",
                  rec="2026-03-04T16:00:00+00:00"))
    assert sg.one(LATER, REO)["raised_at"] == "2026-03-04T16:00:00+00:00"


# ---- ORDER-BREACH-2 ------------------------------------------------------------------------

OB2 = "ORDER-BREACH-2"


def test_a_second_breach_of_a_community_order_within_12_months_raises_a_medium_alert(sg):
    sg.load(suspect(), on_order(), breach("BR1", "P1", "ORD-P1", "2026-02-02T10:00:00+00:00", "warning_letter"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0))
    alert = sg.one(LATER, OB2)
    assert times(alert) == (T0, "2026-03-16T09:00:00+00:00", "open", None)  # 10 working days
    assert (alert["severity"], who(alert)) == ("medium", [("person", "police/P1")])


def test_exactly_12_months_apart_is_within_12_months(sg):
    sg.load(suspect(), on_order(starts="2025-01-01"), breach("BR1", "P1", "ORD-P1", "2025-03-01T10:00:00+00:00"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", rec=T0))
    assert sg.one(LATER, OB2)


def test_breaches_more_than_12_months_apart_raise_nothing(sg):
    sg.load(suspect(), on_order(starts="2025-01-01"), breach("BR1", "P1", "ORD-P1", "2025-02-27T10:00:00+00:00"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", rec=T0))
    sg.none(LATER, OB2)


def test_breaches_of_two_different_orders_raise_nothing(sg):
    sg.load(suspect(), on_order(), order("ORD2", "P1", "community_order", "2026-01-05"),
            breach("BR1", "P1", "ORD-P1", "2026-02-02T10:00:00+00:00"), breach("BR2", "P1", "ORD2", "2026-03-01T10:00:00+00:00"))
    sg.none(LATER, OB2)


def test_two_breaches_of_a_licence_are_not_a_community_order_matter(sg):
    sg.load(suspect(), on_order(order_type="licence"), breach("BR1", "P1", "ORD-P1", "2026-02-02T10:00:00+00:00"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00"))
    sg.none(LATER, OB2)


def test_returning_the_second_breach_to_court_satisfies_it(sg):
    sg.load(suspect(), on_order(), breach("BR1", "P1", "ORD-P1", "2026-02-02T10:00:00+00:00", "warning_letter"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "returned_to_court", rec="2026-03-06T10:00:00+00:00"))
    alert = sg.one(LATER, OB2)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-06T10:00:00+00:00")


def test_a_second_breach_sent_already_returned_to_court_raises_nothing(sg):
    sg.load(suspect(), on_order(), breach("BR1", "P1", "ORD-P1", "2026-02-02T10:00:00+00:00", "warning_letter"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "returned_to_court", rec=T0))
    sg.none(LATER, OB2)


def test_breaches_recorded_by_probation_and_police_of_one_order_across_spellings(sg):
    sg.load(adult("R7", "1990-03-11", given="Dan", family="Price", source="probation"),
            order("ORD1", "R7", "community_order", "2026-01-05", source="probation"),
            breach("BR1", "R7", "ORD1", "2026-02-02T10:00:00+00:00", "warning_letter", source="probation"),
            suspect(), breach("BR2", "P1", "probation/ORD1", "2026-03-01T10:00:00+00:00", rec=T0))
    sg.same_person("police/P1", "probation/R7")
    alert = sg.one(LATER, OB2)
    assert who(alert) == [("person", "police/P1+probation/R7")]


# ---- BREACH-WARNING-ONLY -------------------------------------------------------------------

BWO = "BREACH-WARNING-ONLY"


@pytest.mark.parametrize("order_type", ["shpo", "sro"])
def test_a_warning_letter_for_breaching_an_shpo_or_sro_raises_a_high_alert(sg, order_type):
    sg.load(suspect(), on_order(order_type=order_type),
            breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0))
    alert = sg.one(LATER, BWO)
    assert times(alert) == (T0, "2026-03-09T09:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("high", [("offender", "police/P1")])


def test_a_warning_letter_for_breaching_notification_requirements(sg):
    sg.load(adult("V1", source="visor"), registration("REG1", "V1", "2019-05-01", source="visor"),
            suspect(), breach("BR1", "P1", "visor/REG1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0))
    sg.same_person("police/P1", "visor/V1")
    alert = sg.one(LATER, BWO)
    assert who(alert) == [("offender", "police/P1+visor/V1")]


@pytest.mark.parametrize("order_type", ["community_order", "restraining", "licence"])
def test_a_warning_letter_for_other_orders_raises_nothing(sg, order_type):
    sg.load(suspect(), on_order(order_type=order_type), breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter"))
    sg.none(LATER, BWO)


@pytest.mark.parametrize("outcome", ["investigated", "charged", "returned_to_court", None])
def test_a_breach_dealt_with_otherwise_raises_nothing(sg, outcome):
    sg.load(suspect(), on_order(order_type="shpo"), breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", outcome))
    sg.none(LATER, BWO)


def test_a_new_version_investigating_the_breach_satisfies_it(sg):
    sg.load(suspect(), on_order(order_type="shpo"),
            breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "charged", rec="2026-03-04T10:00:00+00:00"))
    alert = sg.one(LATER, BWO)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-04T10:00:00+00:00")


def test_a_new_version_with_no_action_lapses_it(sg):
    sg.load(suspect(), on_order(order_type="shpo"),
            breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "no_action", rec="2026-03-04T10:00:00+00:00"))
    alert = sg.one(LATER, BWO)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T10:00:00+00:00")


# ---- BAIL-EXPIRY ---------------------------------------------------------------------------

EXP = "BAIL-EXPIRY"


def test_raised_at_00_00_london_14_days_before_expiry_with_nothing_new_fed_in(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-03-02T08:30:00+00:00", rec=T0, expires_on="2026-04-20"))
    sg.none("2026-04-05T22:59:59+00:00", EXP)
    alert = sg.one("2026-04-06T12:00:00+00:00", EXP)
    # 00:00 BST on 6 April is 23:00 UTC on the 5th; due at the end of 20 April, London time.
    assert times(alert) == ("2026-04-05T23:00:00+00:00", "2026-04-20T23:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("medium", [("person", "police/P1")])
    assert sg.one("2026-04-20T22:59:59+00:00", EXP)["overdue"] is False
    assert sg.one("2026-04-20T23:00:01+00:00", EXP)["overdue"] is True


def test_across_the_autumn_clock_change(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-10-01T08:30:00+00:00", expires_on="2026-11-05"))
    alert = sg.one("2026-10-25T12:00:00+00:00", EXP)
    assert (alert["raised_at"], alert["due_at"]) == ("2026-10-21T23:00:00+00:00", "2026-11-06T00:00:00+00:00")


def test_a_bail_recorded_inside_the_14_days_is_raised_when_recorded(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-03-02T08:30:00+00:00", rec=T0, expires_on="2026-03-10"))
    assert sg.one("2026-03-03T12:00:00+00:00", EXP)["raised_at"] == T0


@pytest.mark.parametrize("kind", ["post_charge", "court"])
def test_only_pre_charge_bail(sg, kind):
    sg.load(suspect(), bail("B1", "P1", "2026-03-02T08:30:00+00:00", expires_on="2026-03-20", bail_kind=kind))
    sg.none(LATER, EXP)


def test_no_expires_on_no_alert(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-03-02T08:30:00+00:00"))
    sg.none("2027-03-20T12:00:00+00:00", EXP)


def test_a_later_bail_before_the_clock_passes_raises_nothing(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-03-02T08:30:00+00:00", expires_on="2026-04-20"),
            bail("B2", "P1", "2026-03-20T08:30:00+00:00", expires_on="2026-06-20"))
    sg.none("2026-04-10T12:00:00+00:00", EXP)


def test_a_charge_for_the_bails_offence_before_the_clock_passes_raises_nothing(sg):
    sg.load(suspect(), offence("O1", "P1", "2026-03-01T20:00:00+00:00", outcome="suspected", role="suspect"),
            bail("B1", "P1", "2026-03-02T08:30:00+00:00", expires_on="2026-04-20", offence="O1"),
            offence("O1", "P1", "2026-03-01T20:00:00+00:00", outcome="charged", role="suspect", rec="2026-03-25T10:00:00+00:00"))
    sg.none("2026-04-10T12:00:00+00:00", EXP)


def test_a_charge_for_another_offence_does_not_count_when_the_bail_names_one(sg):
    sg.load(suspect(), offence("O1", "P1", "2026-03-01T20:00:00+00:00", outcome="suspected", role="suspect"),
            offence("O9", "P1", "2026-02-01T20:00:00+00:00", outcome="charged", role="suspect", rec="2026-03-25T10:00:00+00:00"),
            bail("B1", "P1", "2026-03-02T08:30:00+00:00", expires_on="2026-04-20", offence="O1"))
    assert sg.one("2026-04-10T12:00:00+00:00", EXP)["status"] == "open"


def test_an_old_charge_from_before_the_bail_is_not_its_charge(sg):
    # The bail names no offence; a charge of his from 2024 is not the outcome of this bail.
    sg.load(suspect(), offence("O0", "P1", "2024-01-01T20:00:00+00:00", "other", "charged", role="suspect",
                               rec="2024-01-05T10:00:00+00:00"),
            bail("B1", "P1", "2026-03-02T08:30:00+00:00", expires_on="2026-04-20"))
    assert sg.one("2026-04-10T12:00:00+00:00", EXP)["status"] == "open"


def test_bail_expiry_is_satisfied_by_a_later_bail(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-03-02T08:30:00+00:00", expires_on="2026-04-20"),
            bail("B2", "P1", "2026-04-15T08:30:00+00:00", expires_on="2026-06-20", rec="2026-04-15T09:00:00+01:00"))
    alert = sg.one("2026-04-20T12:00:00+00:00", EXP)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-04-15T08:00:00+00:00")


def test_bail_expiry_is_satisfied_by_a_charge_recorded_under_another_spelling(sg):
    sg.load(suspect(), adult("P9", "1990-03-11", given="Danny", family="Price"),
            bail("B1", "P1", "2026-03-02T08:30:00+00:00", expires_on="2026-04-20"),
            offence("O1", "P9", "2026-03-01T20:00:00+00:00", outcome="charged", role="suspect",
                    rec="2026-04-16T10:00:00+00:00", outcome_at="2026-04-16T10:00:00+00:00"))
    assert sg.one("2026-04-20T12:00:00+00:00", EXP)["status"] == "open"
    sg.same_person("police/P1", "police/P9")
    alert = sg.one("2026-04-20T12:00:00+00:00", EXP)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-04-16T10:00:00+00:00")


def test_reoffend_lapses_when_the_order_is_corrected_to_have_ended_before_the_offence(sg):
    sg.load(suspect(), on_order(), offence("O2", "P1", "2026-03-01T22:00:00+00:00", role="suspect", outcome="suspected", rec=T0),
            order("ORD-P1", "P1", "community_order", "2026-01-05", "2026-02-15", at="2026-01-05T11:00:00+00:00",
                  rec="2026-03-04T10:00:00+00:00"))
    alert = sg.one(LATER, REO)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T10:00:00+00:00")


def test_order_breach_2_waits_until_the_order_is_known_to_be_a_community_order(sg):
    sg.load(suspect(), breach("BR1", "P1", "ORD-P1", "2026-02-02T10:00:00+00:00", "warning_letter"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            order("ORD-P1", "P1", "community_order", "2026-01-05", at="2026-01-05T11:00:00+00:00", rec="2026-03-05T10:00:00+00:00"))
    assert sg.one(LATER, OB2)["raised_at"] == "2026-03-05T10:00:00+00:00"


def test_order_breach_2_lapses_when_a_breach_is_deleted(sg):
    sg.load(suspect(), on_order(), breach("BR1", "P1", "ORD-P1", "2026-02-02T10:00:00+00:00", "warning_letter"),
            breach("BR2", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            {"kind": "event", "source": "police", "id": "BR1", "recorded_at": "2026-03-04T10:00:00+00:00", "op": "delete"})
    alert = sg.one(LATER, OB2)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T10:00:00+00:00")


def test_breach_warning_only_waits_until_the_order_is_known_to_be_an_shpo(sg):
    sg.load(suspect(), breach("BR1", "P1", "ORD-P1", "2026-03-01T10:00:00+00:00", "warning_letter", rec=T0),
            order("ORD-P1", "P1", "shpo", "2025-01-05", at="2025-01-05T11:00:00+00:00", rec="2026-03-05T10:00:00+00:00"))
    assert sg.one(LATER, BWO)["raised_at"] == "2026-03-05T10:00:00+00:00"


def test_bail_expiry_lapses_when_the_bail_is_extended(sg):
    sg.load(suspect(), bail("B1", "P1", "2026-03-02T08:30:00+00:00", rec=T0, expires_on="2026-03-20"),
            bail("B1", "P1", "2026-03-02T08:30:00+00:00", rec="2026-03-10T10:00:00+00:00", expires_on="2026-06-20"))
    alert = sg.one("2026-03-25T12:00:00+00:00", EXP)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-10T10:00:00+00:00")
