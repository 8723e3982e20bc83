"""Registered sex offenders: RSO-ANNUAL, RSO-ADDRESS, RSO-CHILD-HOUSEHOLD, RSO-VISIT, RSO-NO-FIXED-ABODE."""

from __future__ import annotations

import pytest

from .builders import (
    T0,
    adult,
    home,
    lives,
    london,
    notification,
    place,
    registration,
    rso_visit,
    times,
    who,
)


def offender(pid: str = "V1", source: str = "visor", **kw) -> dict:
    return adult(pid, "1975-08-21", given="Mark", family="ELLIS" if source != "visor" else "Ellis", source=source,
                 rec="2019-05-01T09:00:00+00:00", **kw)


def registered(starts_on: str = "2025-11-01", **kw) -> list[dict]:
    return [offender(), registration("REG1", "V1", starts_on, source="visor", **kw)]


def orchard_close() -> dict:
    return place("VL1", "7 Orchard Close, Corby", "NN17 2QT", uprn="100031999888", source="visor",
                 rec="2024-01-10T09:00:00+00:00")


def notified(at: str = "2025-11-20T10:00:00+00:00", ntype: str = "annual", eid: str = "N1", **kw) -> dict:
    kw.setdefault("source", "visor")
    return notification(eid, "V1" if kw["source"] == "visor" else "P3", at, ntype, **kw)


# ---- RSO-ANNUAL ------------------------------------------------------------------------------

ANNUAL = "RSO-ANNUAL"


def test_annual_notification_falls_due_14_days_before_a_year_after_the_last(sg):
    sg.load(*registered(), notified())
    sg.none("2026-11-06T09:59:59+00:00", ANNUAL)
    alert = sg.one("2026-11-10T12:00:00+00:00", ANNUAL)
    assert times(alert) == ("2026-11-06T10:00:00+00:00", "2026-11-20T10:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert), alert["overdue"]) == ("medium", [("offender", "visor/V1")], False)
    assert sg.one("2026-11-20T10:00:01+00:00", ANNUAL)["overdue"] is True


def test_with_no_notification_it_counts_from_the_registrations_start_in_london(sg):
    sg.load(*registered("2025-06-01"))
    alert = sg.one("2026-05-20T12:00:00+00:00", ANNUAL)
    assert (alert["raised_at"], alert["due_at"]) == (london("2026-05-18 00:00"), london("2026-06-01 00:00"))


def test_a_notification_on_29_february_is_due_on_28_february(sg):
    sg.load(*registered("2024-02-01"), notified("2024-02-29T10:00:00+00:00"))
    alert = sg.one("2025-02-20T12:00:00+00:00", ANNUAL)
    assert (alert["raised_at"], alert["due_at"]) == ("2025-02-14T10:00:00+00:00", "2025-02-28T10:00:00+00:00")


@pytest.mark.parametrize("ntype", ["initial", "change_of_address"])
def test_initial_and_change_of_address_notifications_reset_the_year(sg, ntype):
    sg.load(*registered(), notified(), notified("2026-03-01T10:00:00+00:00", ntype, eid="N2"))
    sg.none("2026-11-10T12:00:00+00:00", ANNUAL)


@pytest.mark.parametrize("ntype", ["foreign_travel", "change_of_name", "other"])
def test_other_notifications_do_not_reset_the_year(sg, ntype):
    sg.load(*registered(), notified(), notified("2026-03-01T10:00:00+00:00", ntype, eid="N2"))
    assert sg.one("2026-11-10T12:00:00+00:00", ANNUAL)["raised_at"] == "2026-11-06T10:00:00+00:00"


def test_a_new_annual_notification_satisfies_it_and_starts_the_next_year(sg):
    sg.load(*registered(), notified(), notified("2026-11-12T10:00:00+00:00", eid="N2"))
    alert = sg.one("2026-11-12T12:00:00+00:00", ANNUAL)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-11-12T10:00:00+00:00")
    # A year after 10:00 GMT on 12 November, less 14 days: 10:00 BST on 29 October 2027.
    assert len(sg.alerts("2027-10-29T08:59:59+00:00", ANNUAL)) == 1
    assert sg.alerts("2027-10-29T11:00:00+00:00", ANNUAL)[-1]["raised_at"] == london("2027-10-29 10:00")


def test_a_notification_recorded_late_that_is_older_than_the_last_does_not_satisfy_it(sg):
    sg.load(*registered(), notified(), notified("2025-06-01T10:00:00+00:00", "annual", eid="N0",
                                                rec="2026-11-10T10:00:00+00:00"))
    assert sg.one("2026-11-12T12:00:00+00:00", ANNUAL)["status"] == "open"


def test_a_notification_recorded_by_the_police_under_another_record_resets_the_year(sg):
    sg.load(*registered(), notified(), offender("P3", source="police"),
            notified("2026-11-12T10:00:00+00:00", eid="PN2", source="police"))
    assert sg.one("2026-11-13T12:00:00+00:00", ANNUAL)["status"] == "open"
    sg.same_person("police/P3", "visor/V1")
    alert = sg.one("2026-11-13T12:00:00+00:00", ANNUAL)
    assert (alert["status"], who(alert)) == ("satisfied", [("offender", "police/P3+visor/V1")])


def test_an_ended_registration_needs_no_notification(sg):
    sg.load(*registered(ends_on="2026-10-01"), notified())
    sg.none("2026-11-10T12:00:00+00:00", ANNUAL)


def test_the_registration_ending_lapses_the_alert_at_the_end_of_its_last_day(sg):
    sg.load(*registered(), notified(), registration("REG1", "V1", "2025-11-01", ends_on="2026-11-15", source="visor",
                                                    rec="2026-11-08T10:00:00+00:00"))
    alert = sg.one("2026-11-20T12:00:00+00:00", ANNUAL)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-11-16T00:00:00+00:00")


# ---- RSO-VISIT -------------------------------------------------------------------------------

VISIT = "RSO-VISIT"


def test_high_risk_must_be_seen_every_3_months_raised_14_days_before(sg):
    sg.load(*registered("2026-09-01", risk_level="high"), rso_visit("VIS1", "V1", "2026-09-15T14:00:00+00:00", source="visor"))
    sg.none("2026-12-01T13:59:59+00:00", VISIT)
    alert = sg.one("2026-12-02T12:00:00+00:00", VISIT)
    # 15:00 BST on 15 September: three months on, 15:00 GMT on 15 December.
    assert times(alert) == ("2026-12-01T15:00:00+00:00", "2026-12-15T15:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("medium", [("offender", "visor/V1")])


@pytest.mark.parametrize("level, due", [("very_high", "2026-04-10 10:00"), ("medium", "2026-09-10 10:00"),
                                        ("low", "2027-03-10 10:00")])
def test_each_risk_level_has_its_interval(sg, level, due):
    sg.load(*registered("2026-03-01", risk_level=level), rso_visit("VIS1", "V1", "2026-03-10T10:00:00+00:00", source="visor"))
    alert = sg.alerts("2027-03-10T12:00:00+00:00", VISIT)[0]
    assert alert["due_at"] == london(due)


def test_very_high_risk_across_the_spring_clock_change(sg):
    sg.load(*registered("2026-03-01", risk_level="very_high"), rso_visit("VIS1", "V1", "2026-03-10T10:00:00+00:00", source="visor"))
    alert = sg.one("2026-03-30T12:00:00+00:00", VISIT)
    assert (alert["raised_at"], alert["due_at"]) == ("2026-03-27T10:00:00+00:00", "2026-04-10T09:00:00+00:00")


@pytest.mark.parametrize("outcome", ["not_seen", "refused"])
def test_a_visit_where_he_was_not_seen_does_not_count(sg, outcome):
    sg.load(*registered("2026-09-01", risk_level="high"), rso_visit("VIS1", "V1", "2026-09-15T14:00:00+00:00", source="visor"),
            rso_visit("VIS2", "V1", "2026-11-20T14:00:00+00:00", outcome, source="visor"))
    assert sg.one("2026-12-02T12:00:00+00:00", VISIT)["status"] == "open"


def test_a_seen_visit_satisfies_it(sg):
    sg.load(*registered("2026-09-01", risk_level="high"), rso_visit("VIS1", "V1", "2026-09-15T14:00:00+00:00", source="visor"),
            rso_visit("VIS2", "V1", "2026-12-03T14:00:00+00:00", source="visor"))
    alert = sg.one("2026-12-04T12:00:00+00:00", VISIT)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-12-03T14:00:00+00:00")


def test_a_seen_visit_by_police_under_another_record_satisfies_it(sg):
    sg.load(*registered("2026-09-01", risk_level="high"), rso_visit("VIS1", "V1", "2026-09-15T14:00:00+00:00", source="visor"),
            offender("P3", source="police"), rso_visit("PV2", "P3", "2026-12-03T14:00:00+00:00"))
    sg.same_person("police/P3", "visor/V1")
    assert sg.one("2026-12-04T12:00:00+00:00", VISIT)["status"] == "satisfied"


def test_with_no_visit_it_counts_from_the_registrations_start(sg):
    sg.load(*registered("2026-01-15", risk_level="very_high"))
    alert = sg.one("2026-02-10T12:00:00+00:00", VISIT)
    assert (alert["raised_at"], alert["due_at"]) == ("2026-02-01T00:00:00+00:00", "2026-02-15T00:00:00+00:00")


def test_a_raised_risk_level_brings_the_visit_forward(sg):
    sg.load(*registered("2026-01-15", risk_level="low"), rso_visit("VIS1", "V1", "2026-02-01T10:00:00+00:00", source="visor"),
            registration("REG1", "V1", "2026-01-15", risk_level="very_high", source="visor", rec="2026-03-20T10:00:00+00:00"))
    alert = sg.one("2026-03-21T12:00:00+00:00", VISIT)
    # Due a month after the visit: already passed when the new level was recorded, so overdue from birth.
    assert (alert["raised_at"], alert["due_at"], alert["overdue"]) == (
        "2026-03-20T10:00:00+00:00", "2026-03-01T10:00:00+00:00", True)


def test_no_visits_are_due_once_the_registration_has_ended(sg):
    sg.load(*registered("2025-01-01", risk_level="very_high", ends_on="2026-01-01"))
    assert sg.alerts("2026-03-21T12:00:00+00:00", VISIT, open_only=True) == []
    last = sg.alerts("2026-03-21T12:00:00+00:00", VISIT)[-1]
    assert (last["status"], last["closed_at"]) == ("lapsed", "2026-01-02T00:00:00+00:00")


# ---- RSO-ADDRESS -----------------------------------------------------------------------------

ADDRESS = "RSO-ADDRESS"


def police_know_him_at(where: str = "PL9", start: str | None = "2026-03-01", rec: str = T0, role: str = "resides") -> list[dict]:
    return [offender("P3", source="police"), lives("PPL9", "P3", where, start=start, rec=rec, role=role)]


def station_road() -> dict:
    return place("PL9", "Flat 3, 22 Station Road, Kettering", "NN16 0BB", rec=T0)


def test_living_at_an_address_he_never_notified_raises_a_high_alert_due_3_days_after_from(sg):
    sg.load(*registered(), orchard_close(), station_road(), *police_know_him_at())
    sg.none("2026-03-10T12:00:00+00:00", ADDRESS)  # the police record alone: not known to be the registrant
    sg.same_person("police/P3", "visor/V1")
    alert = sg.one("2026-03-10T12:00:00+00:00", ADDRESS)
    assert times(alert) == (T0, "2026-03-04T00:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("high", [("offender", "police/P3+visor/V1")])
    assert sg.one("2026-03-03T23:59:59+00:00", ADDRESS)["overdue"] is False


def test_without_from_due_3_days_after_00_00_of_the_day_it_was_recorded(sg):
    sg.load(*registered(), station_road(), *police_know_him_at(start=None, rec="2026-03-02T15:00:00+00:00"))
    sg.same_person("police/P3", "visor/V1")
    assert sg.one("2026-03-10T12:00:00+00:00", ADDRESS)["due_at"] == "2026-03-05T00:00:00+00:00"


def test_due_is_counted_in_calendar_days_across_the_clock_change(sg):
    sg.load(*registered(), station_road(), *police_know_him_at(start="2026-10-24", rec="2026-10-24T12:00:00+01:00"))
    sg.same_person("police/P3", "visor/V1")
    assert sg.one("2026-10-30T12:00:00+00:00", ADDRESS)["due_at"] == london("2026-10-27 00:00")


def test_staying_counts_visiting_does_not(sg):
    sg.load(*registered(), station_road(), *police_know_him_at(role="stays"),
            lives("PPL10", "P3", "PL10", role="visits"), place("PL10", "9 Mill Street, Corby", "NN17 1AA"))
    sg.same_person("police/P3", "visor/V1")
    assert len(sg.alerts("2026-03-10T12:00:00+00:00", ADDRESS)) == 1


def test_his_notified_address_spelled_differently_by_the_police_raises_nothing(sg):
    sg.load(*registered(), orchard_close(), lives("VPL1", "V1", "VL1", role="notified_address", source="visor",
                                                  start="2024-01-10", rec="2024-01-10T09:00:00+00:00"),
            place("PL3", "7 Orchard Cl, Corby", "nn17 2qt"), *police_know_him_at("PL3"))
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", ADDRESS)


def test_an_address_named_by_any_of_his_notifications_raises_nothing(sg):
    sg.load(*registered(), station_road(), notified("2026-02-20T10:00:00+00:00", "change_of_address", location="police/PL9"),
            *police_know_him_at())
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", ADDRESS)


def test_a_notification_naming_the_address_satisfies_it(sg):
    sg.load(*registered(), station_road(), *police_know_him_at(),
            notified("2026-03-03T10:00:00+00:00", "change_of_address", location="police/PL9"))
    sg.same_person("police/P3", "visor/V1")
    alert = sg.one("2026-03-10T12:00:00+00:00", ADDRESS)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-03T10:00:00+00:00")


def test_someone_not_registered_need_not_notify(sg):
    sg.load(offender(), station_road(), *police_know_him_at())
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", ADDRESS)


def test_an_ended_registration_needs_no_address_notified(sg):
    sg.load(*registered("2020-01-01", ends_on="2025-05-01"), station_road(), *police_know_him_at())
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", ADDRESS)


def test_moving_out_before_notifying_lapses_it(sg):
    sg.load(*registered(), station_road(), *police_know_him_at(),
            lives("PPL9", "P3", "PL9", start="2026-03-01", end="2026-03-03", rec="2026-03-04T10:00:00+00:00"))
    sg.same_person("police/P3", "visor/V1")
    alert = sg.one("2026-03-10T12:00:00+00:00", ADDRESS)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T10:00:00+00:00")


# ---- RSO-CHILD-HOUSEHOLD ---------------------------------------------------------------------

CHILD_HOME = "RSO-CHILD-HOUSEHOLD"


def test_living_in_the_household_of_a_child_raises_a_critical_alert(sg):
    sg.load(*registered(), *home("C1", "2016-01-01"), *police_know_him_at("csc/L1", start="2026-02-01"))
    sg.same_person("police/P3", "visor/V1")
    alert = sg.one("2026-03-10T12:00:00+00:00", CHILD_HOME)
    assert times(alert) == (T0, "2026-03-03T09:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("critical", [("offender", "police/P3+visor/V1"), ("child", "csc/C1")])


def test_a_notified_address_in_the_household_of_a_child_raises_it(sg):
    sg.load(*registered(), *home("C1", "2016-01-01", rec="2026-03-05T10:00:00+00:00"),
            notified("2025-11-20T10:00:00+00:00", "annual", location="csc/L1"))
    alert = sg.one("2026-03-10T12:00:00+00:00", CHILD_HOME)
    assert (alert["raised_at"], who(alert)) == ("2026-03-05T10:00:00+00:00", [("offender", "visor/V1"), ("child", "csc/C1")])


def test_a_child_household_notification_for_that_place_means_nothing_to_do(sg):
    sg.load(*registered(), *home("C1", "2016-01-01"), *police_know_him_at("csc/L1", start="2026-02-01"),
            notified("2026-02-01T10:00:00+00:00", "child_household", location="csc/L1"))
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", CHILD_HOME)


def test_a_child_household_notification_satisfies_it(sg):
    sg.load(*registered(), *home("C1", "2016-01-01"), *police_know_him_at("csc/L1", start="2026-02-01"),
            notified("2026-03-02T16:00:00+00:00", "child_household", location="csc/L1"))
    sg.same_person("police/P3", "visor/V1")
    alert = sg.one("2026-03-10T12:00:00+00:00", CHILD_HOME)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-02T16:00:00+00:00")


def test_a_child_household_notification_for_another_place_does_not(sg):
    sg.load(*registered(), *home("C1", "2016-01-01"), orchard_close(), *police_know_him_at("csc/L1", start="2026-02-01"),
            notified("2026-03-02T16:00:00+00:00", "child_household", location="VL1"))
    sg.same_person("police/P3", "visor/V1")
    assert sg.one("2026-03-10T12:00:00+00:00", CHILD_HOME)["status"] == "open"


def test_a_household_whose_young_person_is_18_is_not_a_childs(sg):
    sg.load(*registered(), *home("C1", "2007-01-01"), *police_know_him_at("csc/L1", start="2026-02-01"))
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", CHILD_HOME)


def test_notifying_a_change_of_address_away_ends_the_old_notified_address(sg):
    sg.load(*registered(), *home("C1", "2016-01-01"), orchard_close(),
            notified("2025-11-20T10:00:00+00:00", "annual", location="csc/L1"),
            notified("2026-03-04T10:00:00+00:00", "change_of_address", location="VL1", eid="N2"))
    alert = sg.one("2026-03-10T12:00:00+00:00", CHILD_HOME)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T10:00:00+00:00")


# ---- RSO-NO-FIXED-ABODE ----------------------------------------------------------------------

NFA = "RSO-NO-FIXED-ABODE"


def no_fixed_abode(rec: str = T0) -> list[dict]:
    return [*registered(), registration("REG1", "V1", "2025-11-01", fixed_abode=False, source="visor", rec=rec)]


def test_no_notification_for_7_days_after_becoming_of_no_fixed_abode_is_overdue_at_once(sg):
    sg.load(*no_fixed_abode(), notified("2026-02-20T10:00:00+00:00", "weekly_no_fixed_abode"))
    sg.none("2026-03-09T08:59:59+00:00", NFA)
    alert = sg.one("2026-03-09T09:00:00+00:00", NFA)
    assert times(alert) == ("2026-03-09T09:00:00+00:00", "2026-03-09T09:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert), alert["overdue"]) == ("high", [("offender", "visor/V1")], False)
    assert sg.one("2026-03-09T09:00:01+00:00", NFA)["overdue"] is True


def test_seven_days_count_from_the_last_notification_when_later(sg):
    sg.load(*no_fixed_abode(), notified("2026-03-04T10:00:00+00:00", "weekly_no_fixed_abode"))
    assert sg.one("2026-03-12T12:00:00+00:00", NFA)["raised_at"] == "2026-03-11T10:00:00+00:00"


def test_seven_days_are_calendar_days_on_the_london_clock(sg):
    sg.load(*no_fixed_abode(), notified("2026-03-25T10:00:00+00:00", "weekly_no_fixed_abode"))
    assert sg.alerts("2026-04-02T12:00:00+00:00", NFA)[-1]["raised_at"] == london("2026-04-01 10:00")


def test_any_notification_satisfies_it_and_the_next_week_starts(sg):
    sg.load(*no_fixed_abode(), notified("2026-03-10T12:00:00+00:00", "other", eid="N2"))
    first, second = sg.alerts("2026-03-17T12:30:00+00:00", NFA)
    assert (first["status"], first["closed_at"]) == ("satisfied", "2026-03-10T12:00:00+00:00")
    assert second["raised_at"] == "2026-03-17T12:00:00+00:00"


def test_a_notification_made_to_the_police_under_another_record_satisfies_it(sg):
    sg.load(*no_fixed_abode(), offender("P3", source="police"),
            notified("2026-03-10T12:00:00+00:00", "weekly_no_fixed_abode", eid="PN2", source="police"))
    assert sg.one("2026-03-10T13:00:00+00:00", NFA)["status"] == "open"
    sg.same_person("police/P3", "visor/V1")
    assert sg.alerts("2026-03-10T13:00:00+00:00", NFA)[0]["status"] == "satisfied"


def test_a_registrant_with_a_fixed_abode_raises_nothing(sg):
    sg.load(*registered())
    sg.none("2026-03-20T12:00:00+00:00", NFA)


def test_regaining_a_fixed_abode_lapses_it(sg):
    sg.load(*no_fixed_abode(), registration("REG1", "V1", "2025-11-01", fixed_abode=True, source="visor",
                                            rec="2026-03-12T10:00:00+00:00"))
    alert = sg.one("2026-03-20T12:00:00+00:00", NFA)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-12T10:00:00+00:00")


def test_an_ended_registration_raises_no_child_household_alert(sg):
    sg.load(*registered("2020-01-01", ends_on="2025-12-31"), *home("C1", "2016-01-01"),
            *police_know_him_at("csc/L1", start="2026-02-01"))
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", CHILD_HOME)


def test_visiting_a_childs_home_is_not_living_in_the_household(sg):
    sg.load(*registered(), *home("C1", "2016-01-01"), *police_know_him_at("csc/L1", start="2026-02-01", role="visits"))
    sg.same_person("police/P3", "visor/V1")
    sg.none("2026-03-10T12:00:00+00:00", CHILD_HOME)


def test_no_fixed_abode_stops_with_the_registration(sg):
    sg.load(*no_fixed_abode(), registration("REG1", "V1", "2025-11-01", fixed_abode=False, ends_on="2026-03-11",
                                            source="visor", rec="2026-03-10T10:00:00+00:00"))
    alert = sg.one("2026-03-20T12:00:00+00:00", NFA)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-12T00:00:00+00:00")
