"""Information security restricts records in the admin: its role carries the permissions, and
each restriction is audited and masks the fields for everyone outside the allow-list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguard.access.masking import masked_fields
from safeguard.audit_trail.models import AuditEntry


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_information_security_restricts_a_record_in_the_admin(client, make_user):
    officer = make_user("infosec", roles=("information_security",), is_staff=True)
    colleague = make_user("investigator", roles=("investigator",))
    client.force_login(officer)

    response = client.post(reverse("admin:access_restriction_add"), {
        "object_type": "location", "object_id": "41", "fields": '["address", "postcode"]',
        "reason": "A child's placement address", "allowed_users": [], "allowed_organisations": []})

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(actor=officer, object_type__icontains="restriction").last()
    assert entry is not None and entry.action == "alteration"
    assert masked_fields(colleague, "location", [41]) == {41: {"address", "postcode"}}


def test_other_roles_cannot_restrict(client, make_user):
    investigator = make_user("staff-investigator", roles=("investigator",), is_staff=True)
    client.force_login(investigator)
    assert client.get(reverse("admin:access_restriction_add")).status_code == 403
