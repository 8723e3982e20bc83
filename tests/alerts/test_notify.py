"""Critical alerts are mailed to the owning team at once and escalated to supervisors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from safeguard.accounts.models import Organisation, Team
from safeguard.alerts.models import Alert
from safeguard.alerts.notify import notify_critical

pytestmark = pytest.mark.django_db
THIRTY = dt.timedelta(minutes=30)


@pytest.fixture
def team(make_user):
    police = Organisation.objects.create(name="Northshire Police", kind="police")
    team = Team.objects.create(organisation=police, name="Child Protection North")
    officer = make_user("pc", email="pc@example.invalid")
    officer.teams.add(team)
    boss = make_user("sgt", email="sgt@example.invalid", roles=("supervisor",))
    team.supervisors.add(boss)
    return team


def _alert(team, age: dt.timedelta, severity="critical") -> Alert:
    return Alert.objects.create(rule="RISKY-ADULT-CHILD", key=f"k{age}", raised_at=timezone.now() - age, severity=severity,
                                summary="Daniel PRICE lives with a baby", owner_organisation=team.organisation, owner_team=team)


def test_a_new_critical_alert_mails_the_team_once_without_personal_data(team):
    _alert(team, dt.timedelta(minutes=1))
    assert notify_critical(THIRTY) == {"notified": 1, "escalated": 0}
    assert [m.to for m in mail.outbox] == [["pc@example.invalid"]]
    assert "PRICE" not in mail.outbox[0].body
    assert notify_critical(THIRTY) == {"notified": 0, "escalated": 0}
    assert len(mail.outbox) == 1


def test_unacknowledged_after_the_escalation_time_goes_to_the_supervisor(team):
    _alert(team, dt.timedelta(minutes=31))
    assert notify_critical(THIRTY) == {"notified": 1, "escalated": 1}
    assert sorted(m.to[0] for m in mail.outbox) == ["pc@example.invalid", "sgt@example.invalid"]


def test_acknowledged_or_lower_severity_alerts_are_not_escalated(team):
    acknowledged = _alert(team, dt.timedelta(hours=2))
    acknowledged.acknowledged_at = timezone.now()
    acknowledged.save()
    _alert(team, dt.timedelta(hours=3), severity="high")
    assert notify_critical(THIRTY) == {"notified": 1, "escalated": 0}
