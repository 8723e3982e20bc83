"""What each reader is shown of an alert: the summary with only the details they may see (a
partner who sees an alert through its evidence must not read another agency's names and
convictions in it), and the severity as of the moment asked (rules.md, "Alerts")."""

from __future__ import annotations

import pytest

from safeguard.accounts.models import Organisation
from safeguard.alerts.selectors import alerts_export
from safeguard.records.models import Source

from .builders import T0, adult, conference, home, lives, offence, online, plan
from .conftest import moment

RULE = "RISKY-ADULT-CHILD"
LATER = "2026-03-20T12:00:00+00:00"


def scene(given: str = "Ryan") -> list[dict]:
    return [*home(), adult("P1", given=given, family="COLEMAN", rec="2020-01-01T09:00:00+00:00"),
            offence("O1", "P1", "2021-03-02T23:10:00+00:00", "sexual", "convicted", rec="2021-06-15T16:00:00+00:00"),
            lives("PL1", "P1", "csc/L1", rec=T0)]


@pytest.fixture
def agencies(db):
    """Police and children's social care, each owning its source; they share nothing."""
    police = Organisation.objects.create(name="Northshire Police", kind="police")
    csc = Organisation.objects.create(name="Northshire Children's Services", kind="csc")
    return police, csc


def _own_sources(police, csc) -> None:
    Source.objects.filter(code="police").update(organisation=police)
    Source.objects.filter(code="csc").update(organisation=csc)


def test_the_system_reader_reads_the_whole_summary(sg, agencies):
    sg.load(*scene())
    _own_sources(*agencies)
    summary = sg.one(LATER, RULE)["summary"]
    assert "Ryan COLEMAN" in summary and "sexual, convicted 2021" in summary and "Lily HARPER" in summary


def test_a_partner_who_sees_the_alert_through_its_evidence_reads_only_their_own_details(sg, agencies, make_user):
    police, csc = agencies
    sg.load(*scene())
    _own_sources(police, csc)
    sg.evaluate(LATER)
    social_worker = make_user("sw", organisation=csc.name, kind="csc", roles=("partner_practitioner",))
    (alert,) = [a for a in alerts_export(user=social_worker, moment=moment(LATER)) if a["rule"] == RULE]
    summary = alert["summary"]
    # The child and her home are social care's own records; the man and his conviction are the police's.
    assert "Lily HARPER" in summary and "14 Maple Road" in summary
    assert "COLEMAN" not in summary and "sexual" not in summary and "2021" not in summary
    assert summary.startswith("a person (a risk marker) lives at")


def test_a_partner_who_also_holds_the_person_reads_the_name_they_hold(sg, agencies, make_user):
    police, csc = agencies
    # Social care knows the man as "Ryan Colman"; the police's fuller record says "Ryan James COLEMAN".
    sg.load(*scene(given="Ryan James"), adult("C9", given="Ryan", family="Colman", source="csc", rec="2026-01-01T09:00:00+00:00"))
    sg.same_person("police/P1", "csc/C9")
    _own_sources(police, csc)
    assert "Ryan James COLEMAN" in sg.one(LATER, RULE)["summary"]
    social_worker = make_user("sw", organisation=csc.name, kind="csc", roles=("partner_practitioner",))
    (alert,) = [a for a in alerts_export(user=social_worker, moment=moment(LATER)) if a["rule"] == RULE]
    assert alert["summary"].startswith("Ryan COLMAN (a risk marker)")


def test_a_user_who_cannot_see_the_alert_is_not_given_it(sg, agencies, make_user):
    police, csc = agencies
    sg.load(*scene())
    _own_sources(police, csc)
    sg.evaluate(LATER)
    nurse = make_user("hv", organisation="Northshire Health", kind="health", roles=("partner_practitioner",))
    assert alerts_export(user=nurse, moment=moment(LATER)) == []


# ---- severity as of the moment asked ---------------------------------------------------------

def test_risky_adult_severity_rises_when_a_child_of_the_household_comes_onto_a_plan(sg):
    sg.load(*home(dob="2012-05-05"), adult("P1", rec="2020-01-01T09:00:00+00:00"),
            offence("O1", "P1", "2021-03-02T23:10:00+00:00", rec="2021-06-15T16:00:00+00:00"),
            lives("PL1", "P1", "csc/L1", rec=T0),
            conference("CF1", "C1", "2026-03-05T10:00:00+00:00"),
            plan("CPP1", "C1", "2026-03-05T10:00:00+00:00"))
    sg.evaluate(LATER)
    before = sg.one("2026-03-04T12:00:00+00:00", RULE, evaluate=False)
    after = sg.one(LATER, RULE, evaluate=False)
    assert (before["raised_at"], before["severity"], after["severity"]) == (T0, "high", "critical")


def test_online_action_severity_follows_the_level_as_of_the_moment_asked(sg):
    triaged = "2026-03-03T10:00:00+00:00"
    sg.load(adult("P1"), online("OR1", "P1", T0),
            online("OR1", "P1", T0, rec="2026-03-03T10:30:00+00:00", kirat_level="medium", triaged_at=triaged),
            online("OR1", "P1", T0, rec="2026-03-04T10:30:00+00:00", kirat_level="very_high", triaged_at=triaged))
    sg.evaluate(LATER)
    assert sg.one("2026-03-04T09:00:00+00:00", "ONLINE-ACTION", evaluate=False)["severity"] == "medium"
    assert sg.one(LATER, "ONLINE-ACTION", evaluate=False)["severity"] == "critical"
