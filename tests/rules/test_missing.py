"""Missing children: MISSING-HIGH, RHI-72H, MISSING-REPEAT, MISSING-FOUND-WITH-RISK."""

from __future__ import annotations

import pytest

from .builders import (
    adult,
    child,
    delete,
    episode,
    lives,
    london,
    offence,
    place,
    registration,
    return_interview,
    strategy,
    times,
    who,
)

LATER = "2026-11-02T12:00:00+00:00"


def tyler(pid: str = "P2", dob: str | None = "2011-04-09", source: str = "police", rec: str = "2026-01-05T09:00:00+00:00"):
    return child(pid, dob, given="Tyler", family="BROOKS", source=source, rec=rec)


def tyler_in_care_records() -> dict:
    return child("C3", "2011-04-09", given="Tyler", family="Brooks", source="csc", rec="2020-01-10T09:00:00+00:00")


# ---- MISSING-HIGH ----------------------------------------------------------------------------

HIGH = "MISSING-HIGH"
M3 = dict(at="2026-10-27T18:00:00+00:00", rec="2026-10-27T18:30:00+00:00")


def test_a_child_missing_at_high_risk_raises_a_critical_alert_with_no_due_time(sg):
    sg.load(tyler(), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"))
    alert = sg.one(LATER, HIGH)
    assert times(alert) == (M3["rec"], None, "open", None)
    assert (alert["severity"], who(alert), alert["overdue"]) == ("critical", [("missing", "police/P2")], False)
    assert sg.one("2027-01-01T00:00:00+00:00", HIGH)["overdue"] is False


@pytest.mark.parametrize("level", ["medium", "low", "no_apparent_risk"])
def test_lower_risk_raises_nothing(sg, level):
    sg.load(tyler(), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level=level))
    sg.none(LATER, HIGH)


@pytest.mark.parametrize("dob", ["2000-01-01", None, "2008-10-27"], ids=["adult", "unknown dob", "18 that day"])
def test_an_adult_missing_is_not_a_missing_child(sg, dob):
    sg.load(tyler(dob=dob), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"))
    sg.none(LATER, HIGH)


def test_a_17_year_old_is_a_child(sg):
    sg.load(tyler(dob="2008-10-28"), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"))
    assert sg.one(LATER, HIGH)["status"] == "open"  # 18 the next day, but age is taken when he went missing


def test_the_episode_ending_satisfies_it(sg):
    sg.load(tyler(), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"),
            episode("M3", "P2", M3["at"], rec="2026-10-28T09:00:00+00:00", ends_at="2026-10-28T08:00:00+00:00",
                    risk_level="high"))
    alert = sg.one(LATER, HIGH)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-10-28T09:00:00+00:00")


def test_the_risk_lowered_while_still_missing_lapses_it(sg):
    sg.load(tyler(), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"),
            episode("M3", "P2", M3["at"], rec="2026-10-28T09:00:00+00:00", risk_level="medium"))
    alert = sg.one(LATER, HIGH)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-10-28T09:00:00+00:00")


def test_an_episode_first_recorded_after_it_ended_raises_nothing(sg):
    sg.load(tyler(), episode("M3", "P2", M3["at"], rec="2026-10-29T09:00:00+00:00", ends_at="2026-10-28T08:00:00+00:00",
                             risk_level="high"))
    sg.none(LATER, HIGH)


def test_missing_high_names_the_child_as_every_agency_holds_him(sg):
    sg.load(tyler_in_care_records(), tyler(), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"))
    sg.same_person("csc/C3", "police/P2")
    assert who(sg.one(LATER, HIGH)) == [("missing", "csc/C3+police/P2")]


def test_a_deleted_episode_stops_counting(sg):
    sg.load(tyler(), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"),
            delete("event", "M3", rec="2026-10-28T09:00:00+00:00"))
    alert = sg.one(LATER, HIGH)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-10-28T09:00:00+00:00")


# ---- RHI-72H ---------------------------------------------------------------------------------

RHI = "RHI-72H"
M1_AT, M1_REC = "2026-10-05T20:00:00+00:00", "2026-10-05T20:30:00+00:00"
FOUND, FOUND_REC = "2026-10-06T08:00:00+00:00", "2026-10-06T08:30:00+00:00"


def found(eid: str = "M1", **kw) -> list[dict]:
    return [episode(eid, "P2", M1_AT, rec=M1_REC), episode(eid, "P2", M1_AT, rec=FOUND_REC, ends_at=FOUND, **kw)]


def test_a_childs_return_raises_a_high_alert_due_72_hours_after_ends_at(sg):
    sg.load(tyler(), *found())
    alert = sg.one("2026-10-08T12:00:00+00:00", RHI)
    assert times(alert) == (FOUND_REC, "2026-10-09T08:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("high", [("missing", "police/P2")])
    assert sg.one("2026-10-09T08:00:01+00:00", RHI)["overdue"] is True


def test_72_hours_are_elapsed_hours_across_the_clock_change(sg):
    sg.load(tyler(), episode("M1", "P2", "2026-10-23T20:00:00+00:00", rec="2026-10-24T10:30:00+00:00",
                             ends_at="2026-10-24T10:00:00+00:00"))
    assert sg.one("2026-10-25T12:00:00+00:00", RHI)["due_at"] == "2026-10-27T10:00:00+00:00"


def test_an_adults_return_raises_nothing(sg):
    sg.load(tyler(dob="1999-01-01"), *found())
    sg.none(LATER, RHI)


def test_a_completed_interview_recorded_by_social_care_satisfies_it(sg):
    sg.load(tyler_in_care_records(), tyler(), *found(),
            return_interview("RHI1", "C3", "police/M1", "2026-10-07T16:00:00+00:00", source="csc",
                             rec="2026-10-07T16:30:00+00:00", offered_at="2026-10-06T12:00:00+00:00",
                             completed_at="2026-10-07T16:00:00+00:00"))
    sg.same_person("csc/C3", "police/P2")
    alert = sg.one(LATER, RHI)
    assert (alert["status"], alert["closed_at"], who(alert)) == (
        "satisfied", "2026-10-07T16:30:00+00:00", [("missing", "csc/C3+police/P2")])


def test_an_interview_the_child_declined_satisfies_it(sg):
    sg.load(tyler(), *found(), return_interview("RHI1", "P2", "M1", "2026-10-07T16:00:00+00:00", declined=True))
    assert sg.one(LATER, RHI)["status"] == "satisfied"


def test_an_interview_only_offered_does_not(sg):
    sg.load(tyler(), *found(), return_interview("RHI1", "P2", "M1", "2026-10-07T16:00:00+00:00",
                                                offered_at="2026-10-07T16:00:00+00:00", declined=False))
    assert sg.one(LATER, RHI)["status"] == "open"


def test_an_interview_for_another_episode_does_not(sg):
    sg.load(tyler(), *found(), *found("M0"), return_interview("RHI1", "P2", "M0", "2026-10-07T16:00:00+00:00",
                                                              completed_at="2026-10-07T16:00:00+00:00"))
    assert sorted(a["status"] for a in sg.alerts(LATER, RHI)) == ["open", "satisfied"]


def test_an_interview_recorded_with_the_return_raises_nothing(sg):
    sg.load(tyler(), episode("M1", "P2", M1_AT, rec=FOUND_REC, ends_at=FOUND),
            return_interview("RHI1", "P2", "M1", FOUND, rec=FOUND_REC, declined=True))
    sg.none(LATER, RHI)


# ---- MISSING-REPEAT --------------------------------------------------------------------------

REPEAT = "MISSING-REPEAT"


def three_episodes(first: str = "2026-10-05T20:00:00+00:00", first_rec: str | None = None, third_rec: str = M3["rec"]):
    return [episode("M1", "P2", first, rec=first_rec or first, ends_at=first),
            episode("M2", "P2", "2026-10-12T19:00:00+00:00", rec="2026-10-13T02:30:00+00:00", ends_at="2026-10-13T02:00:00+00:00"),
            episode("M3", "P2", M3["at"], rec=third_rec)]


def test_a_third_episode_within_30_days_raises_a_high_alert_due_in_5_working_days(sg):
    sg.load(tyler(), *three_episodes())
    alert = sg.one(LATER, REPEAT)
    assert times(alert) == (M3["rec"], "2026-11-03T18:30:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("high", [("missing", "police/P2")])


def test_two_episodes_are_not_a_pattern_yet(sg):
    sg.load(tyler(), *three_episodes()[1:])
    sg.none(LATER, REPEAT)


def test_an_episode_more_than_30_days_before_does_not_count(sg):
    sg.load(tyler(), *three_episodes(first="2026-09-26T20:00:00+00:00"))
    sg.none(LATER, REPEAT)


def test_30_days_are_calendar_days_on_the_london_clock(sg):
    # 18:00 BST on 27 September is 30 London days before 18:00 GMT on 27 October (30 days and 1 hour elapsed).
    sg.load(tyler(), *three_episodes(first="2026-09-27T17:00:00+00:00"))
    assert sg.one(LATER, REPEAT)["raised_at"] == M3["rec"]


def test_episodes_recorded_late_count_from_when_the_pattern_became_known(sg):
    sg.load(tyler(), *three_episodes(first_rec="2026-10-29T10:00:00+00:00"))
    assert sg.one(LATER, REPEAT)["raised_at"] == "2026-10-29T10:00:00+00:00"


def test_a_fourth_episode_joins_the_open_alert(sg):
    sg.load(tyler(), *three_episodes(), episode("M4", "P2", "2026-10-30T18:00:00+00:00"))
    alert = sg.one(LATER, REPEAT)
    assert {e["id"] for e in alert["evidence"]} >= {"M1", "M2", "M3", "M4"}


def test_a_strategy_discussion_for_the_child_by_social_care_satisfies_it(sg):
    sg.load(tyler_in_care_records(), tyler(), *three_episodes(),
            strategy("SD1", "C3", "2026-10-29T10:00:00+00:00", "no_s47", rec="2026-10-29T12:00:00+00:00"))
    assert sg.one(LATER, REPEAT)["status"] == "open"
    sg.same_person("csc/C3", "police/P2")
    alert = sg.one(LATER, REPEAT)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-10-29T12:00:00+00:00")


def test_an_adult_going_missing_repeatedly_is_not_this_rule(sg):
    sg.load(tyler(dob="2001-01-01"), *three_episodes())
    sg.none(LATER, REPEAT)


def test_a_deleted_episode_breaks_the_pattern(sg):
    sg.load(tyler(), *three_episodes(), delete("event", "M2", rec="2026-10-28T10:00:00+00:00"))
    alert = sg.one(LATER, REPEAT)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-10-28T10:00:00+00:00")


def test_a_new_episode_after_the_strategy_discussion_opens_a_new_alert(sg):
    sg.load(tyler(), *three_episodes(), strategy("SD1", "police/P2", "2026-10-29T10:00:00+00:00", "no_s47"),
            episode("M4", "P2", "2026-11-01T18:00:00+00:00"))
    first, second = sg.alerts(LATER, REPEAT)
    assert first["status"] == "satisfied" and second["raised_at"] == "2026-11-01T18:00:00+00:00"


# ---- MISSING-FOUND-WITH-RISK -----------------------------------------------------------------

FOUND_RISK = "MISSING-FOUND-WITH-RISK"


def ellis_at_orchard_close(ends_on: str | None = None, rec: str = "2024-01-10T09:00:00+00:00") -> list[dict]:
    return [adult("V1", "1975-08-21", given="Mark", family="Ellis", source="visor", rec="2019-05-01T09:00:00+00:00"),
            registration("REG1", "V1", "2019-05-01", ends_on=ends_on, source="visor"),
            place("VL1", "7 Orchard Close, Corby", "NN17 2QT", uprn="100031999888", source="visor", rec=rec),
            lives("VPL1", "V1", "VL1", role="notified_address", start="2024-01-10", source="visor", rec=rec)]


def found_at_orchard_cl() -> list[dict]:
    return [place("PL3", "7 Orchard Cl, Corby", "NN17 2QT", rec=FOUND_REC),
            episode("M1", "P2", M1_AT, rec=M1_REC), episode("M1", "P2", M1_AT, rec=FOUND_REC, ends_at=FOUND, found_location="PL3")]


def test_found_at_the_notified_address_of_a_sex_offender_raises_a_critical_alert(sg):
    sg.load(tyler(), *ellis_at_orchard_close(), *found_at_orchard_cl())
    alert = sg.one("2026-10-10T12:00:00+00:00", FOUND_RISK)
    assert times(alert) == (FOUND_REC, "2026-10-07T08:30:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("critical", [("missing", "police/P2"), ("adult", "visor/V1")])


def test_found_where_an_adult_with_an_exploitation_conviction_lives(sg):
    sg.load(tyler(), adult("P7"), offence("O7", "P7", "2019-01-01T10:00:00+00:00", "exploitation", "convicted"),
            lives("PPL7", "P7", "PL3", rec="2026-01-01T09:00:00+00:00"), *found_at_orchard_cl())
    assert who(sg.one("2026-10-10T12:00:00+00:00", FOUND_RISK))[1] == ("adult", "police/P7")


def test_found_where_an_adult_with_only_a_violence_marker_lives_raises_nothing(sg):
    sg.load(tyler(), adult("P7"), offence("O7", "P7", "2025-01-01T10:00:00+00:00", "violence", "convicted"),
            lives("PPL7", "P7", "PL3", rec="2026-01-01T09:00:00+00:00"), *found_at_orchard_cl())
    sg.none("2026-10-10T12:00:00+00:00", FOUND_RISK)


def test_found_at_the_address_of_someone_no_longer_registered_raises_nothing(sg):
    sg.load(tyler(), *ellis_at_orchard_close(ends_on="2025-05-01"), *found_at_orchard_cl())
    sg.none("2026-10-10T12:00:00+00:00", FOUND_RISK)


def test_judged_as_of_when_the_found_location_was_recorded(sg):
    # The register records his address there only after the child was found: not known then.
    sg.load(tyler(), *ellis_at_orchard_close(rec="2026-10-07T09:00:00+00:00"), *found_at_orchard_cl())
    sg.none("2026-10-10T12:00:00+00:00", FOUND_RISK)


def test_a_17_year_old_with_a_sexual_offence_is_not_an_adult(sg):
    sg.load(tyler(), adult("P7", "2009-01-01"), offence("O7", "P7", "2025-01-01T10:00:00+00:00", "sexual", "convicted"),
            lives("PPL7", "P7", "PL3", rec="2026-01-01T09:00:00+00:00"), *found_at_orchard_cl())
    sg.none("2026-10-10T12:00:00+00:00", FOUND_RISK)


def test_found_with_risk_is_satisfied_by_a_strategy_discussion_held_by_social_care(sg):
    sg.load(tyler_in_care_records(), tyler(), *ellis_at_orchard_close(), *found_at_orchard_cl(),
            strategy("SD1", "C3", "2026-10-20T10:00:00+00:00", "no_s47", rec="2026-10-20T12:00:00+00:00"))
    sg.same_person("csc/C3", "police/P2")
    assert sg.one("2026-10-10T12:00:00+00:00", FOUND_RISK)["status"] == "open"
    alert = sg.one(LATER, FOUND_RISK)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-10-20T12:00:00+00:00")


def test_found_somewhere_else_raises_nothing(sg):
    sg.load(tyler(), *ellis_at_orchard_close(), place("PL3", "9 Orchard Close, Corby", "NN17 2QT", rec=FOUND_REC),
            *found_at_orchard_cl()[1:])
    sg.none("2026-10-10T12:00:00+00:00", FOUND_RISK)


def test_an_adult_found_there_is_not_a_missing_child(sg):
    sg.load(tyler(dob="2000-01-01"), *ellis_at_orchard_close(), *found_at_orchard_cl())
    sg.none("2026-10-10T12:00:00+00:00", FOUND_RISK)


def test_the_found_location_in_summer_due_next_working_day_in_london(sg):
    sg.load(tyler(), *ellis_at_orchard_close(), place("PL3", "7 Orchard Cl, Corby", "NN17 2QT"),
            episode("M1", "P2", "2026-07-03T20:00:00+00:00", rec="2026-07-03T23:30:00+00:00", ends_at="2026-07-03T23:00:00+00:00",
                    found_location="PL3"))
    # Recorded at 00:30 BST on Saturday 4 July: due 00:30 BST on Monday 6 July.
    assert sg.one("2026-07-10T12:00:00+00:00", FOUND_RISK)["due_at"] == london("2026-07-06 00:30")


def test_rhi_lapses_when_the_return_is_withdrawn(sg):
    # The source re-sends the episode open again: he was not in fact found.
    sg.load(tyler(), *found(), episode("M1", "P2", M1_AT, rec="2026-10-06T12:00:00+00:00"))
    alert = sg.one(LATER, RHI)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-10-06T12:00:00+00:00")


def test_found_with_risk_lapses_when_the_episode_is_deleted(sg):
    sg.load(tyler(), *ellis_at_orchard_close(), *found_at_orchard_cl(), delete("event", "M1", rec="2026-10-07T09:00:00+00:00"))
    alert = sg.one("2026-10-10T12:00:00+00:00", FOUND_RISK)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-10-07T09:00:00+00:00")


def test_a_police_record_without_a_date_of_birth_is_a_child_once_linked_to_social_cares(sg):
    # The police do not know his age; alone, an unknown date of birth counts as adult. Social care know he is 15.
    sg.load(tyler_in_care_records(), tyler(dob=None), episode("M3", "P2", M3["at"], rec=M3["rec"], risk_level="high"))
    sg.none(LATER, HIGH)
    sg.same_person("csc/C3", "police/P2")
    assert sg.one(LATER, HIGH)["raised_at"] == M3["rec"]
