"""Children's social care and police protection: REFERRAL-DECISION, ASSESSMENT-45, ICPC-15, CP-REVIEW,
CP-VISIT, POLICE-PROTECTION-72H."""

from __future__ import annotations

import pytest

from .builders import (
    T0,
    assessment,
    child,
    conference,
    delete,
    london,
    plan,
    protection,
    referral,
    statutory_visit,
    strategy,
    times,
    who,
)

LATER = "2026-03-20T12:00:00+00:00"


def lily(cid: str = "C1", source: str = "csc", **kw) -> dict:
    return child(cid, "2023-06-14", given="Lily" if source == "csc" else "Lilly", family="HARPER", source=source,
                 rec="2023-06-20T09:00:00+00:00", **kw)


# ---- REFERRAL-DECISION -----------------------------------------------------------------------

DECISION = "REFERRAL-DECISION"


def test_a_referral_to_social_care_needs_a_decision_within_one_working_day(sg):
    sg.load(lily(), referral("R1", "C1", T0))
    alert = sg.one(LATER, DECISION)
    assert times(alert) == (T0, "2026-03-03T09:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("medium", [("child", "csc/C1")])


def test_friday_evening_is_due_monday_evening(sg):
    sg.load(lily(), referral("R1", "C1", "2026-03-06T17:00:00+00:00"))
    assert sg.one(LATER, DECISION)["due_at"] == "2026-03-09T17:00:00+00:00"


def test_due_counts_from_the_referrals_at_so_one_recorded_late_is_overdue_from_birth(sg):
    sg.load(lily(), referral("R1", "C1", T0, rec="2026-03-04T10:00:00+00:00"))
    alert = sg.one("2026-03-04T10:00:00+00:00", DECISION)
    assert (alert["raised_at"], alert["due_at"], alert["overdue"]) == (
        "2026-03-04T10:00:00+00:00", "2026-03-03T09:00:00+00:00", True)


def test_a_referral_to_another_agency_raises_nothing(sg):
    sg.load(lily(), referral("R1", "C1", T0, to_agency="health"))
    sg.none(LATER, DECISION)


def test_a_police_referral_to_social_care_is_received_from_any_source(sg):
    sg.load(lily(), lily("P5", source="police"), referral("R1", "P5", T0, source="police"))
    sg.same_person("csc/C1", "police/P5")
    assert who(sg.one(LATER, DECISION)) == [("child", "csc/C1+police/P5")]


@pytest.mark.parametrize("decision", ["no_further_action", "early_help", "assessment", "strategy_discussion"])
def test_a_version_with_a_decision_satisfies_it(sg, decision):
    sg.load(lily(), referral("R1", "C1", T0), referral("R1", "C1", T0, decision, rec="2026-03-03T08:00:00+00:00"))
    alert = sg.one(LATER, DECISION)
    assert (alert["status"], alert["closed_at"], alert["overdue"]) == ("satisfied", "2026-03-03T08:00:00+00:00", False)


def test_a_referral_first_sent_already_decided_raises_nothing(sg):
    sg.load(lily(), referral("R1", "C1", T0, "early_help"))
    sg.none(LATER, DECISION)


def test_a_referral_without_a_decision_attribute_is_waiting_for_one(sg):
    sg.load(lily(), referral("R1", "C1", T0, None), referral("R1", "C1", T0, None, rec="2026-03-03T08:00:00+00:00"))
    assert sg.one(LATER, DECISION)["status"] == "open"


def test_a_deleted_referral_lapses(sg):
    sg.load(lily(), referral("R1", "C1", T0), delete("event", "R1", source="csc", rec="2026-03-02T15:00:00+00:00"))
    alert = sg.one(LATER, DECISION)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-02T15:00:00+00:00")


def test_versions_received_out_of_order_give_the_same_answer(sg):
    sg.load(lily(), referral("R1", "C1", T0, "assessment", rec="2026-03-03T08:00:00+00:00"))
    sg.none(LATER, DECISION)  # the decided version alone: "sent already decided"
    sg.load(referral("R1", "C1", T0))  # the earlier version arrives late: history before the decision
    alert = sg.one(LATER, DECISION)
    assert (alert["raised_at"], alert["status"], alert["closed_at"]) == (T0, "satisfied", "2026-03-03T08:00:00+00:00")


# ---- ASSESSMENT-45 ---------------------------------------------------------------------------

A45 = "ASSESSMENT-45"
R1_AT = "2026-10-03T09:00:00+00:00"


def decided_assessment(rec: str = "2026-10-05T15:00:00+00:00", source: str = "csc", who_: str = "C1") -> list[dict]:
    return [referral("R1", who_, R1_AT, source=source), referral("R1", who_, R1_AT, "assessment", rec=rec, source=source)]


def test_a_decision_to_assess_must_be_completed_within_45_working_days_of_the_referral(sg):
    sg.load(lily(), *decided_assessment())
    alert = sg.one("2026-11-02T12:00:00+00:00", A45)
    assert times(alert) == ("2026-10-05T15:00:00+00:00", "2026-12-04T10:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("medium", [("child", "csc/C1")])


def test_45_working_days_over_christmas_and_new_year(sg):
    sg.load(lily(), referral("R1", "C1", "2026-11-02T10:00:00+00:00", "assessment"))
    assert sg.one("2026-11-03T12:00:00+00:00", A45)["due_at"] == "2027-01-07T10:00:00+00:00"


@pytest.mark.parametrize("decision", ["early_help", "no_further_action", "strategy_discussion", "none_yet"])
def test_other_decisions_raise_nothing(sg, decision):
    sg.load(lily(), referral("R1", "C1", R1_AT, decision))
    sg.none("2026-11-02T12:00:00+00:00", A45)


def test_a_completed_assessment_satisfies_it(sg):
    sg.load(lily(), *decided_assessment(), assessment("AS1", "C1", "R1", "2026-11-20T10:00:00+00:00",
                                                      completed_at="2026-11-20T10:00:00+00:00"))
    alert = sg.one("2026-12-10T12:00:00+00:00", A45)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-11-20T10:00:00+00:00")


def test_an_assessment_not_yet_completed_does_not(sg):
    sg.load(lily(), *decided_assessment(), assessment("AS1", "C1", "R1", "2026-11-20T10:00:00+00:00"))
    alert = sg.one("2026-12-10T12:00:00+00:00", A45)
    assert (alert["status"], alert["overdue"]) == ("open", True)


def test_changing_the_decision_lapses_it(sg):
    sg.load(lily(), *decided_assessment(), referral("R1", "C1", R1_AT, "early_help", rec="2026-10-08T10:00:00+00:00"))
    alert = sg.one("2026-11-02T12:00:00+00:00", A45)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-10-08T10:00:00+00:00")


def test_an_assessment_by_social_care_of_a_police_referral_across_spellings(sg):
    sg.load(lily(), lily("P5", source="police"), *decided_assessment(source="police", who_="P5"),
            assessment("AS1", "C1", "police/R1", "2026-11-20T10:00:00+00:00", completed_at="2026-11-20T10:00:00+00:00"))
    sg.same_person("csc/C1", "police/P5")
    alert = sg.one("2026-12-10T12:00:00+00:00", A45)
    assert (alert["status"], who(alert)) == ("satisfied", [("child", "csc/C1+police/P5")])


# ---- ICPC-15 ---------------------------------------------------------------------------------

ICPC = "ICPC-15"
SD_AT, SD_REC = "2026-03-02T10:00:00+00:00", "2026-03-02T12:00:00+00:00"


def test_a_section_47_decision_needs_an_initial_conference_within_15_working_days(sg):
    sg.load(lily(), strategy("SD1", "C1", SD_AT, rec=SD_REC))
    alert = sg.one("2026-03-24T12:00:00+00:00", ICPC)
    assert times(alert) == (SD_REC, "2026-03-23T10:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert), alert["overdue"]) == ("high", [("child", "csc/C1")], True)


def test_15_working_days_over_easter_keep_the_london_clock_time(sg):
    sg.load(lily(), strategy("SD1", "C1", "2026-03-25T10:00:00+00:00"))
    assert sg.one("2026-03-26T12:00:00+00:00", ICPC)["due_at"] == london("2026-04-17 10:00")


@pytest.mark.parametrize("outcome", ["no_s47", "assess_further"])
def test_other_outcomes_raise_nothing(sg, outcome):
    sg.load(lily(), strategy("SD1", "C1", SD_AT, outcome))
    sg.none(LATER, ICPC)


def test_an_initial_conference_held_after_the_discussion_satisfies_it(sg):
    sg.load(lily(), strategy("SD1", "C1", SD_AT, rec=SD_REC),
            conference("ICPC1", "C1", "2026-03-19T10:00:00+00:00", rec="2026-03-19T15:00:00+00:00"))
    alert = sg.one(LATER, ICPC)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-19T15:00:00+00:00")


@pytest.mark.parametrize("conf", [
    dict(at="2026-03-19T10:00:00+00:00", conference_type="review", outcome="plan_continues"),
    dict(at="2026-02-19T10:00:00+00:00", rec="2026-03-05T10:00:00+00:00"),  # held before the discussion, recorded after
], ids=["a review", "an earlier initial"])
def test_other_conferences_do_not_satisfy_it(sg, conf):
    sg.load(lily(), strategy("SD1", "C1", SD_AT, rec=SD_REC), conference("CONF", "C1", **conf))
    assert sg.one(LATER, ICPC)["status"] == "open"


def test_a_joint_discussion_recorded_by_police_and_a_conference_by_social_care(sg):
    sg.load(lily(), lily("P5", source="police"), strategy("SD1", "P5", SD_AT, rec=SD_REC, source="police"),
            conference("ICPC1", "C1", "2026-03-19T10:00:00+00:00"))
    assert sg.one(LATER, ICPC)["status"] == "open"
    sg.same_person("csc/C1", "police/P5")
    alert = sg.one(LATER, ICPC)
    assert (alert["status"], who(alert)) == ("satisfied", [("child", "csc/C1+police/P5")])


# ---- CP-REVIEW -------------------------------------------------------------------------------

REVIEW = "CP-REVIEW"
ICPC_AT, PLAN_AT = "2026-03-02T10:00:00+00:00", "2026-03-02T11:00:00+00:00"


def a_plan(**kw) -> list[dict]:
    return [conference("ICPC1", "C1", ICPC_AT), plan("CPP1", "C1", PLAN_AT, **kw)]


def test_the_first_review_is_due_3_months_after_the_initial_conference_raised_20_working_days_before(sg):
    sg.load(lily(), *a_plan())
    sg.none("2026-05-01T08:59:59+00:00", REVIEW)
    alert = sg.one("2026-05-02T12:00:00+00:00", REVIEW)
    # 10:00 GMT on 2 March, three months on: 10:00 BST on 2 June; 20 working days before (May Day and the
    # spring bank holiday skipped): 10:00 BST on 1 May.
    assert times(alert) == (london("2026-05-01 10:00"), london("2026-06-02 10:00"), "open", None)
    assert (alert["severity"], who(alert)) == ("medium", [("child", "csc/C1")])


def test_without_an_initial_conference_it_counts_from_the_plan(sg):
    sg.load(lily(), plan("CPP1", "C1", PLAN_AT))
    assert sg.one("2026-05-02T12:00:00+00:00", REVIEW)["due_at"] == london("2026-06-02 11:00")


def test_a_review_satisfies_it_and_the_next_is_due_6_months_after_it(sg):
    sg.load(lily(), *a_plan(), conference("RCPC1", "C1", "2026-05-20T10:00:00+00:00", "review", "plan_continues",
                                          rec="2026-05-20T15:00:00+00:00"))
    first, second = sg.alerts("2026-10-24T12:00:00+00:00", REVIEW)
    assert (first["status"], first["closed_at"]) == ("satisfied", "2026-05-20T15:00:00+00:00")
    assert (second["raised_at"], second["due_at"]) == (london("2026-10-23 11:00"), london("2026-11-20 11:00"))


def test_a_review_under_another_record_of_the_child_satisfies_it(sg):
    sg.load(lily(), lily("C9"), *a_plan(), conference("RCPC1", "C9", "2026-05-20T10:00:00+00:00", "review", "plan_continues"))
    assert sg.one("2026-05-21T12:00:00+00:00", REVIEW)["status"] == "open"
    sg.same_person("csc/C1", "csc/C9")
    assert sg.one("2026-05-21T12:00:00+00:00", REVIEW)["status"] == "satisfied"


def test_a_plan_that_ended_needs_no_review(sg):
    sg.load(lily(), *a_plan(ends_at="2026-04-15T10:00:00+00:00"))
    sg.none("2026-06-10T12:00:00+00:00", REVIEW)


def test_the_plan_ending_lapses_the_review(sg):
    sg.load(lily(), *a_plan(), plan("CPP1", "C1", PLAN_AT, ends_at="2026-05-12T10:00:00+00:00", rec="2026-05-12T12:00:00+00:00"))
    alert = sg.one("2026-06-10T12:00:00+00:00", REVIEW)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-05-12T12:00:00+00:00")


# ---- CP-VISIT --------------------------------------------------------------------------------

VISIT = "CP-VISIT"
MONDAY = "2026-03-02T10:00:00+00:00"


def test_a_visit_is_due_10_working_days_into_a_plan_raised_2_working_days_before(sg):
    sg.load(lily(), plan("CPP1", "C1", MONDAY))
    sg.none("2026-03-12T09:59:59+00:00", VISIT)
    alert = sg.one("2026-03-12T12:00:00+00:00", VISIT)
    assert times(alert) == ("2026-03-12T10:00:00+00:00", "2026-03-16T10:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("high", [("child", "csc/C1")])


def test_each_visit_restarts_the_10_working_days(sg):
    sg.load(lily(), plan("CPP1", "C1", MONDAY), statutory_visit("SV1", "C1", "2026-03-09T11:00:00+00:00"))
    alert = sg.one("2026-03-20T12:00:00+00:00", VISIT)
    assert (alert["raised_at"], alert["due_at"]) == ("2026-03-19T11:00:00+00:00", "2026-03-23T11:00:00+00:00")


def test_over_easter(sg):
    sg.load(lily(), plan("CPP1", "C1", london("2026-04-01 10:00")))
    alert = sg.one("2026-04-16T12:00:00+00:00", VISIT)
    assert (alert["raised_at"], alert["due_at"]) == (london("2026-04-15 10:00"), london("2026-04-17 10:00"))


def test_a_visit_satisfies_it_and_the_next_one_falls_due(sg):
    sg.load(lily(), plan("CPP1", "C1", MONDAY), statutory_visit("SV1", "C1", "2026-03-13T14:00:00+00:00"))
    first, second = sg.alerts("2026-03-26T12:00:00+00:00", VISIT)
    assert (first["status"], first["closed_at"]) == ("satisfied", "2026-03-13T14:00:00+00:00")
    assert (second["raised_at"], second["due_at"]) == ("2026-03-25T14:00:00+00:00", "2026-03-27T14:00:00+00:00")


def test_a_visit_recorded_by_another_agency_under_another_spelling_satisfies_it(sg):
    sg.load(lily(), lily("H1", source="health"), plan("CPP1", "C1", MONDAY),
            statutory_visit("SV1", "H1", "2026-03-13T14:00:00+00:00", source="health"))
    assert sg.one("2026-03-13T15:00:00+00:00", VISIT)["status"] == "open"
    sg.same_person("csc/C1", "health/H1")
    assert sg.alerts("2026-03-13T15:00:00+00:00", VISIT)[0]["status"] == "satisfied"


def test_an_older_visit_recorded_late_does_not_satisfy_it(sg):
    sg.load(lily(), plan("CPP1", "C1", MONDAY), statutory_visit("SV1", "C1", "2026-03-09T11:00:00+00:00"),
            statutory_visit("SV0", "C1", "2026-03-04T11:00:00+00:00", rec="2026-03-20T09:00:00+00:00"))
    alert = sg.one("2026-03-20T12:00:00+00:00", VISIT)
    assert (alert["raised_at"], alert["status"]) == ("2026-03-19T11:00:00+00:00", "open")


def test_no_visits_are_due_once_the_plan_ends(sg):
    sg.load(lily(), plan("CPP1", "C1", MONDAY, ends_at="2026-03-10T10:00:00+00:00"))
    sg.none(LATER, VISIT)


# ---- POLICE-PROTECTION-72H -------------------------------------------------------------------

PP = "POLICE-PROTECTION-72H"
PP_AT, PP_REC = "2026-03-02T10:00:00+00:00", "2026-03-02T10:30:00+00:00"


def test_48_hours_in_police_protection_raises_a_critical_alert_due_at_72_hours(sg):
    sg.load(lily("P5", source="police"), protection("PP1", "P5", PP_AT, rec=PP_REC))
    sg.none("2026-03-04T09:59:59+00:00", PP)
    alert = sg.one("2026-03-04T12:00:00+00:00", PP)
    assert times(alert) == ("2026-03-04T10:00:00+00:00", "2026-03-05T10:00:00+00:00", "open", None)
    assert (alert["severity"], who(alert)) == ("critical", [("child", "police/P5")])


def test_hours_are_elapsed_across_the_clock_change(sg):
    sg.load(lily("P5", source="police"), protection("PP1", "P5", "2026-03-28T12:00:00+00:00"))
    alert = sg.one("2026-03-31T12:00:00+00:00", PP)
    assert (alert["raised_at"], alert["due_at"]) == ("2026-03-30T12:00:00+00:00", "2026-03-31T12:00:00+00:00")


def test_protection_ending_before_48_hours_raises_nothing(sg):
    sg.load(lily("P5", source="police"), protection("PP1", "P5", PP_AT, rec=PP_REC),
            protection("PP1", "P5", PP_AT, ends_at="2026-03-03T10:00:00+00:00", rec="2026-03-03T11:00:00+00:00"))
    sg.none(LATER, PP)


def test_protection_ending_satisfies_it(sg):
    sg.load(lily("P5", source="police"), protection("PP1", "P5", PP_AT, rec=PP_REC),
            protection("PP1", "P5", PP_AT, ends_at="2026-03-04T14:00:00+00:00", rec="2026-03-04T15:00:00+00:00"))
    alert = sg.one(LATER, PP)
    assert (alert["status"], alert["closed_at"]) == ("satisfied", "2026-03-04T15:00:00+00:00")


def test_protection_first_recorded_after_48_hours_is_raised_when_recorded(sg):
    sg.load(lily("P5", source="police"), protection("PP1", "P5", PP_AT, rec="2026-03-04T12:00:00+00:00"))
    assert sg.one(LATER, PP)["raised_at"] == "2026-03-04T12:00:00+00:00"


def test_protection_first_recorded_already_ended_raises_nothing(sg):
    sg.load(lily("P5", source="police"), protection("PP1", "P5", PP_AT, ends_at="2026-03-05T09:00:00+00:00",
                                                    rec="2026-03-05T10:00:00+00:00"))
    sg.none(LATER, PP)


def test_police_protection_names_the_child_as_social_care_hold_her(sg):
    sg.load(lily(), lily("P5", source="police"), protection("PP1", "P5", PP_AT, rec=PP_REC))
    sg.same_person("csc/C1", "police/P5")
    assert who(sg.one(LATER, PP)) == [("child", "csc/C1+police/P5")]


def test_icpc_lapses_when_the_discussion_is_corrected_to_no_s47(sg):
    sg.load(lily(), strategy("SD1", "C1", SD_AT, rec=SD_REC), strategy("SD1", "C1", SD_AT, "no_s47", rec="2026-03-03T09:00:00+00:00"))
    alert = sg.one(LATER, ICPC)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-03T09:00:00+00:00")


def test_cp_visit_lapses_when_the_plan_ends(sg):
    sg.load(lily(), plan("CPP1", "C1", MONDAY),
            plan("CPP1", "C1", MONDAY, ends_at="2026-03-13T09:00:00+00:00", rec="2026-03-13T09:30:00+00:00"))
    alert = sg.one(LATER, VISIT)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-13T09:30:00+00:00")


def test_police_protection_lapses_when_its_record_is_deleted(sg):
    sg.load(lily("P5", source="police"), protection("PP1", "P5", PP_AT, rec=PP_REC),
            delete("event", "PP1", rec="2026-03-04T11:00:00+00:00"))
    alert = sg.one(LATER, PP)
    assert (alert["status"], alert["closed_at"]) == ("lapsed", "2026-03-04T11:00:00+00:00")


def test_an_early_review_moves_the_next_one_to_6_months_after_it(sg):
    sg.load(lily(), *a_plan(), conference("RCPC1", "C1", "2026-04-20T10:00:00+00:00", "review", "plan_continues"))
    sg.none("2026-06-10T12:00:00+00:00", REVIEW)
    alert = sg.one("2026-09-25T12:00:00+00:00", REVIEW)
    assert alert["due_at"] == london("2026-10-20 11:00")  # 11:00 BST on 20 April, six months on
