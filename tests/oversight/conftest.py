"""A small force whose every dashboard figure is computed by hand in the tests (test_measures.py).

Everything is recorded between January and April 2026; the tests ask "as of" the end of a
London day (31 March 2026 unless a test says otherwise). Times are UTC ("Z") unless they say
otherwise; British Summer Time began on 29 March 2026.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import pytest

from safeguard.accounts.models import Organisation, Team, User
from tests.feed.helpers import load
from tests.rules.builders import (
    conference,
    episode,
    event,
    notification,
    online,
    person,
    referral,
    registration,
    return_interview,
    rso_visit,
    strategy,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"
P = {"source": "police"}


def z(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Force:
    police: Organisation
    csc: Organisation
    health: Organisation
    north: Team
    south: Team
    users: dict[str, User] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)


def feed_records() -> list[dict]:
    return [
        person("C1", "2012-05-05", given="Lily", family="HARPER", **P),
        person("C2", "2014-01-01", given="Jade", family="HARPER", **P),
        person("A1", "1980-01-01", **P),
        person("A2", "1975-06-06", given="Mark", family="STONE", **P),
        # Online referrals: O1 never triaged; O2 triaged high on 23 March; O3 sent already triaged very
        # high and actioned on 1 April; O4 untriaged, received on 31 March.
        online("O1", "A1", "2026-03-02T09:00:00Z", **P),
        online("O2", "A2", "2026-03-20T09:00:00Z", **P),
        online("O2", "A2", "2026-03-20T09:00:00Z", kirat_level="high", triaged_at="2026-03-23T10:00:00Z",
               rec="2026-03-23T10:00:00Z", **P),
        online("O3", "A1", "2026-03-30T09:00:00+01:00", kirat_level="very_high", triaged_at="2026-03-30T12:00:00+01:00",
               **P),
        online("O3", "A1", "2026-03-30T09:00:00+01:00", kirat_level="very_high", triaged_at="2026-03-30T12:00:00+01:00",
               actioned_at="2026-04-01T09:00:00+01:00", rec="2026-04-01T09:00:00+01:00", **P),
        online("O4", "A2", "2026-03-31T09:00:00+01:00", **P),
        # Missing episodes and return-home interviews.
        episode("M1", "C1", "2026-03-01T20:00:00Z", ends_at="2026-03-02T08:00:00Z", rec="2026-03-02T08:00:00Z", **P),
        return_interview("R1", "C1", "M1", "2026-03-04T10:00:00Z", completed_at="2026-03-04T10:00:00Z", **P),
        episode("M2", "C1", "2026-03-10T20:00:00Z", ends_at="2026-03-11T08:00:00Z", rec="2026-03-11T08:00:00Z", **P),
        return_interview("R2", "C1", "M2", "2026-03-16T10:00:00Z", completed_at="2026-03-16T10:00:00Z", **P),
        episode("M3", "A1", "2026-03-10T20:00:00Z", ends_at="2026-03-11T08:00:00Z", rec="2026-03-11T08:00:00Z", **P),
        episode("M4", "C1", "2026-03-19T20:00:00Z", ends_at="2026-03-20T08:00:00Z", rec="2026-03-20T08:00:00Z", **P),
        return_interview("R4", "C1", "M4", "2026-03-21T10:00:00Z", declined=True, offered_at="2026-03-21T10:00:00Z",
                         **P),
        episode("M5", "C1", "2026-03-29T20:00:00Z", ends_at="2026-03-30T08:00:00Z", rec="2026-03-30T08:00:00Z", **P),
        # Strategy discussions and initial conferences.
        strategy("SD1", "C1", "2026-02-02T10:00:00Z", **P),
        conference("CF1", "C1", "2026-02-20T10:00:00Z", **P),
        strategy("SD2", "C2", "2026-03-02T10:00:00Z", **P),
        strategy("SD3", "C2", "2026-03-03T10:00:00Z", outcome="no_s47", **P),
        strategy("SD4", "C2", "2026-03-25T10:00:00Z", **P),
        # Referrals to children's social care and their decisions.
        referral("RF1", "C1", "2026-03-02T10:00:00Z", **P),
        referral("RF1", "C1", "2026-03-02T10:00:00Z", decision="assessment", decided_at="2026-03-03T09:00:00Z",
                 rec="2026-03-03T09:00:00Z", **P),
        referral("RF2", "C2", "2026-03-05T10:00:00Z", **P),
        referral("RF2", "C2", "2026-03-05T10:00:00Z", decision="early_help", decided_at="2026-03-09T09:00:00Z",
                 rec="2026-03-09T09:00:00Z", **P),
        referral("RF3", "C2", "2026-03-05T10:00:00Z", to_agency="police", **P),
        # Registered sex offenders: A1 high risk, seen 1 December 2025; A2 low risk, never seen or notified.
        registration("RG1", "A1", "2025-01-10", risk_level="high", **P),
        notification("N1", "A1", "2025-01-10T11:00:00Z", "initial", **P),
        notification("N2", "A1", "2026-01-05T11:00:00Z", "annual", **P),
        rso_visit("V1", "A1", "2025-12-01T11:00:00Z", **P),
        rso_visit("V2", "A1", "2026-01-20T11:00:00Z", outcome="not_seen", **P),
        registration("RG2", "A2", "2024-06-01", risk_level="low", **P),
        event("X1", "offence", "2026-03-01T10:00:00Z", [("A2", "suspect")], category="other", outcome="suspected", **P),
    ]


def _user(username: str, org: Organisation, role: str, **extra) -> User:
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username=username, password=PASSWORD, organisation=org, **extra)
    user.groups.set([Group.objects.get(name=role)])
    return user


def _alerts(force: Force) -> None:
    from safeguard.alerts.models import Alert

    rows = {
        "E1": ("ENCOMPASS", "2026-03-02T10:00:00Z", "2026-03-03T09:00:00Z", "2026-03-03T08:00:00Z", "satisfied",
               None, None, force.north),
        "E2": ("ENCOMPASS", "2026-03-09T10:00:00Z", "2026-03-10T09:00:00Z", "2026-03-10T12:00:00Z", "satisfied",
               None, None, force.north),
        "E3": ("ENCOMPASS", "2026-03-16T10:00:00Z", "2026-03-17T09:00:00Z", None, "", None, None, force.north),
        "A1": ("RISKY-ADULT-CHILD", "2026-03-10T10:00:00Z", "2026-03-11T10:00:00Z", None, "",
               "2026-03-10T12:00:00Z", "2026-03-12T10:00:00Z", force.north),
        "A2": ("RISKY-ADULT-CHILD", "2026-03-20T10:00:00Z", "2026-03-23T10:00:00Z", None, "", None, None, force.north),
        "A3": ("ONLINE-TRIAGE", "2026-03-25T10:00:00Z", "2026-04-10T10:00:00Z", None, "", None, None, force.north),
        "A4": ("BAIL-ADDRESS", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "2026-03-05T10:00:00Z", "lapsed",
               None, None, force.south),
    }
    for name, (rule, raised, due, closed, reason, acked, resolved, team) in rows.items():
        alert = Alert.objects.create(
            rule=rule, key=name, raised_at=z(raised), due_at=z(due), closed_at=z(closed) if closed else None,
            close_reason=reason, severity="high", summary=f"Alert {name}", owner_organisation=force.police,
            owner_team=team, acknowledged_at=z(acked) if acked else None, resolved_at=z(resolved) if resolved else None,
            rationale="Done" if resolved else "")
        force.alerts[name] = alert.pk


def _cases(force: Force) -> None:
    from safeguard.casework.models import Investigation, InvestigationLog, Referral, SupervisoryReview

    officer = force.users["supervisor"]

    def case(ref: str, team: Team, opened: str, risk: str, stage: str, closed: str | None = None) -> Investigation:
        inv = Investigation.objects.create(
            reference=ref, title=f"Case {ref}", category="neglect", risk_level=risk, stage=stage,
            organisation=force.police, team=team, opened_at=z(opened), opened_by=officer,
            closed_at=z(closed) if closed else None, last_activity_at=z(opened))
        InvestigationLog.objects.create(investigation=inv, at=z(opened), kind="opened", actor=officer)
        force.cases[ref] = inv.pk
        return inv

    def log(inv: Investigation, at: str, kind: str, **data) -> None:
        InvestigationLog.objects.create(investigation=inv, at=z(at), kind=kind, data=data, actor=officer)

    # I1: opened 5 January at referral stage, to section 47 on 1 February, reviewed 25 March.
    i1 = case("CP-1", force.north, "2026-01-05T10:00:00Z", "high", "section_47")
    log(i1, "2026-02-01T10:00:00Z", "stage", **{"from": "referral", "to": "section_47"})
    SupervisoryReview.objects.create(investigation=i1, reviewer=officer, reviewed_at=z("2026-03-25T10:00:00Z"),
                                     scope="All", rationale="Fine")
    # I2: opened 20 March, medium risk until it was raised to high on 10 April.
    i2 = case("CP-2", force.south, "2026-03-20T10:00:00Z", "high", "referral")
    log(i2, "2026-04-10T10:00:00Z", "risk", **{"from": "medium", "to": "high"})
    # I3: opened 1 October 2025, closed 15 March 2026.
    i3 = case("CP-3", force.north, "2025-10-01T10:00:00Z", "standard", "closed", closed="2026-03-15T10:00:00Z")
    log(i3, "2026-03-15T10:00:00Z", "stage", **{"from": "criminal_investigation", "to": "closed"})
    log(i3, "2026-03-15T10:00:00Z", "closed")
    # CP-4: opened 1 February, closed 20 March from the strategy discussion stage, as casework's
    # services log a closure: one "closed" entry saying the stage it left.
    i4 = case("CP-4", force.north, "2026-02-01T10:00:00Z", "medium", "closed", closed="2026-03-20T10:00:00Z")
    log(i4, "2026-03-20T10:00:00Z", "closed", **{"from": "strategy_discussion", "to": "closed"})

    def sent(inv, org, agency, at, due, answered=None):
        Referral.objects.create(investigation=inv, to_organisation=org, agency=agency, shared="Case summary",
                                reason="Safeguarding", request="Check records", sent_at=z(at), sent_by=officer,
                                response_due_at=z(due), responded_at=z(answered) if answered else None,
                                decision="accepted" if answered else "")

    sent(i1, force.csc, "childrens_social_care", "2026-03-02T10:00:00Z", "2026-03-09T10:00:00Z", "2026-03-05T10:00:00Z")
    sent(i1, force.health, "health", "2026-03-10T10:00:00Z", "2026-03-17T10:00:00Z", "2026-03-20T10:00:00Z")
    sent(i2, force.csc, "childrens_social_care", "2026-03-25T10:00:00Z", "2026-03-30T10:00:00Z")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def force(db) -> Force:
    from safeguard.records.models import Source

    police = Organisation.objects.create(name="Northshire Police", kind="police")
    csc = Organisation.objects.create(name="Northshire Children's Services", kind="childrens_services")
    health = Organisation.objects.create(name="Northshire Health", kind="health")
    other = Organisation.objects.create(name="Southshire Police", kind="police")
    summary = load(*feed_records())
    assert summary.counts()["rejected"] == 0, summary.counts()
    Source.objects.filter(code="police").update(organisation=police)
    north = Team.objects.create(organisation=police, name="Child Protection North", area="North")
    south = Team.objects.create(organisation=police, name="Child Protection South", area="South")
    f = Force(police, csc, health, north, south)
    f.users = {
        "leader": _user("leader", police, "senior_leader"),
        "supervisor": _user("sgt", police, "supervisor"),
        "investigator": _user("pc", police, "investigator"),
        "outsider": _user("other", other, "senior_leader"),
    }
    f.users["supervisor"].teams.add(north)
    _alerts(f)
    _cases(f)
    return f
