"""Administrators change settings and routing in the admin, without code; every change is audited."""

from __future__ import annotations

import pytest

from safeguard.alerts.admin import PartnershipForm
from safeguard.alerts.models import Partnership
from safeguard.audit_trail.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_unknown_settings_are_refused_with_the_known_ones_listed():
    form = PartnershipForm(data={"name": "North", "settings": '{"missing_repeat_dayz": 28}'})
    assert not form.is_valid()
    assert "missing_repeat_dayz" in str(form.errors["settings"]) and "missing_repeat_days" in str(form.errors["settings"])


def test_a_partnership_saved_in_the_admin_is_audited(client, make_user):
    admin_user = make_user("admin", roles=("administrator",), is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post("/admin/alerts/partnership/add/", {
        "name": "Northshire Safeguarding Partnership", "settings": '{"missing_repeat_days": 28}',
        "organisations": [admin_user.organisation_id],
        "routes-TOTAL_FORMS": "0", "routes-INITIAL_FORMS": "0", "routes-MIN_NUM_FORMS": "0", "routes-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content[:2000]
    partnership = Partnership.objects.get()
    assert partnership.settings == {"missing_repeat_days": 28}
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_ids) == ("alteration", "alerts.partnership", [str(partnership.pk)])
