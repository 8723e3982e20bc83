"""People's actions on alerts: acknowledge, assign, resolve; permissions; as-of status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safeguard.accounts.models import Organisation
from safeguard.alerts.models import Alert, AlertHistory
from safeguard.alerts.selectors import status_as_of
from safeguard.alerts.services import alert_acknowledge, alert_assign, alert_resolve, alerts_bulk_assign
from safeguard.core.errors import PermissionDenied, SafeguardError

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert():
    police = Organisation.objects.create(name="Northshire Police", kind="police")
    return Alert.objects.create(rule="RHI-72H", key="RHI-72H:1", raised_at=timezone.now() - dt.timedelta(hours=1),
                                severity="high", summary="s", owner_organisation=police)


def test_acknowledge_then_resolve_with_a_rationale(alert, make_user):
    officer = make_user("pc")
    alert_acknowledge(alert=alert, actor=officer)
    alert.refresh_from_db()
    assert status_as_of(alert, timezone.now())[0] == "acknowledged"
    assert alert.assigned_to == officer
    with pytest.raises(SafeguardError, match="at least 10 characters"):
        alert_resolve(alert=alert, actor=officer, rationale="done")
    alert_resolve(alert=alert, actor=officer, rationale="Interview completed by phone; recorded in case notes.")
    alert.refresh_from_db()
    status, closed = status_as_of(alert, timezone.now())
    assert status == "resolved" and closed == alert.resolved_at
    # As of a moment before the actions, the alert was open.
    assert status_as_of(alert, alert.raised_at)[0] == "open"
    assert list(AlertHistory.objects.filter(alert=alert).values_list("action", flat=True)) == ["acknowledged", "resolved"]


def test_a_user_who_cannot_see_an_alert_cannot_act_on_it(alert, make_user):
    nurse = make_user("hv", organisation="Northshire Health", kind="health", roles=("partner_practitioner",))
    with pytest.raises(PermissionDenied):
        alert_acknowledge(alert=alert, actor=nurse)
    assert not AlertHistory.objects.exists()


def test_assign_only_to_someone_who_can_see_it(alert, make_user):
    boss = make_user("sgt", roles=("supervisor",))
    officer = make_user("pc")
    outsider = make_user("hv", organisation="Northshire Health", kind="health")
    alert_assign(alert=alert, actor=boss, assignee=officer)
    with pytest.raises(SafeguardError, match="cannot see this alert"):
        alert_assign(alert=alert, actor=boss, assignee=outsider)
    alert.refresh_from_db()
    assert alert.assigned_to == officer


def test_only_supervisors_assign_in_bulk(alert, make_user):
    officer = make_user("pc")
    with pytest.raises(PermissionDenied):
        alerts_bulk_assign(alerts=[alert], actor=officer, assignee=officer)
    boss = make_user("sgt", roles=("supervisor",))
    assert alerts_bulk_assign(alerts=[alert], actor=boss, assignee=officer) == 1
