"""A small force for casework tests: two police teams with their supervisors, force-wide
readers, and two partner organisations; resolved people to be the subjects; and a clock the
tests can set (services read the moment from `safeguard.core.clock.now`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from safeguard.accounts.models import Organisation, Team, User
from safeguard.core.clock import parse_moment
from safeguard.linkage.models import ResolvedPerson

START = parse_moment("2026-03-02T09:00:00+00:00")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Clock:
    """The moment casework services see, moved on by tests."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.moment = start
        monkeypatch.setattr("safeguard.casework.services.clock_now", lambda: self.moment)

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.moment = moment
        return moment

    def advance(self, **delta) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch, START)


@dataclass
class Force:
    police: Organisation
    other_force: Organisation
    csc: Organisation
    health: Organisation
    team_a: Team
    team_b: Team
    users: dict[str, User] = field(default_factory=dict)
    child: ResolvedPerson | None = None
    sibling: ResolvedPerson | None = None
    suspect: ResolvedPerson | None = None

    def __getitem__(self, name: str) -> User:
        return self.users[name]


@pytest.fixture
def force(db, make_user) -> Force:
    police = Organisation.objects.create(name="Northshire Police", kind="police")
    other = Organisation.objects.create(name="Southshire Police", kind="police")
    csc = Organisation.objects.create(name="Northshire Children's Services", kind="childrens_services")
    health = Organisation.objects.create(name="Northshire Health NHS Trust", kind="health")
    # Fed records are shared both ways; casework must still stay need-to-know.
    csc.shares_with.set([police])
    police.shares_with.set([csc])
    team_a = Team.objects.create(organisation=police, name="Child Protection North")
    team_b = Team.objects.create(organisation=police, name="Child Protection South")
    f = Force(police, other, csc, health, team_a, team_b)
    specs = {
        "oic": ("Northshire Police", "police", ("investigator",), team_a),
        "colleague": ("Northshire Police", "police", ("investigator",), team_a),
        "sergeant": ("Northshire Police", "police", ("supervisor",), team_a),
        "sergeant2": ("Northshire Police", "police", ("supervisor",), team_a),
        "other_team": ("Northshire Police", "police", ("investigator",), team_b),
        "other_sergeant": ("Northshire Police", "police", ("supervisor",), team_b),
        "chief": ("Northshire Police", "police", ("senior_leader",), None),
        "inspector": ("Northshire Police", "police", ("inspector",), None),
        "analyst": ("Northshire Police", "police", ("analyst",), None),
        "outsider": ("Southshire Police", "police", ("investigator",), None),
        "social_worker": ("Northshire Children's Services", "childrens_services", ("partner_practitioner",), None),
        "nurse": ("Northshire Health NHS Trust", "health", ("partner_practitioner",), None),
    }
    for name, (org, kind, roles, team) in specs.items():
        user = make_user(name, organisation=org, kind=kind, roles=roles, first_name=name.title(), last_name="Test",
                         email=f"{name}@example.org")
        if team is not None:
            user.teams.add(team)
        f.users[name] = user
    team_a.supervisors.add(f["sergeant"], f["sergeant2"])
    team_b.supervisors.add(f["other_sergeant"])
    f.child = ResolvedPerson.objects.create(created_at=START)
    f.sibling = ResolvedPerson.objects.create(created_at=START)
    f.suspect = ResolvedPerson.objects.create(created_at=START)
    return f


@pytest.fixture
def open_case(force, clock):
    """Open a case for team A led by "oic", with the child and the suspect as subjects."""
    from safeguard.casework.services import investigation_open

    def make(risk: str = "medium", title: str = "Injuries to a baby", **extra):
        return investigation_open(actor=force["oic"], title=title, category="physical", risk_level=risk,
                                  team=force.team_a, subjects=[(force.child.pk, "child"), (force.suspect.pk, "suspect")],
                                  **extra)

    return make
