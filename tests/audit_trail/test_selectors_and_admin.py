"""Only information security and administrators see the audit trail, and only read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguard.audit_trail.models import Action
from safeguard.audit_trail.selectors import entries_for_object
from safeguard.audit_trail.services import audit_log


@pytest.fixture
def person_entries(three_entries):
    audit_log(actor=None, action=Action.CONSULTATION, object_type="person", object_ids=["4", "420"])
    audit_log(actor=None, action=Action.CONSULTATION, object_type="location", object_ids=["42"])
    return three_entries


@pytest.mark.parametrize("role", ["information_security", "administrator"])
def test_auditors_see_every_entry_about_an_object_newest_first(audit_user, person_entries, role):
    auditor = audit_user("auditor", roles=(role,))

    entries = entries_for_object(user=auditor, object_type="person", object_id=42)

    assert [e.seq for e in entries] == [3, 2]


def test_an_investigator_sees_no_audit_entries(audit_user, person_entries):
    investigator = audit_user("investigator")

    assert not entries_for_object(user=investigator, object_type="person", object_id="42").exists()


def test_an_object_with_no_entries_has_none(audit_user, person_entries):
    auditor = audit_user("auditor", roles=("information_security",))

    assert not entries_for_object(user=auditor, object_type="person", object_id="99").exists()


def test_the_admin_shows_entries_read_only(admin_client, three_entries):
    assert admin_client.get(reverse("admin:audit_trail_auditentry_changelist")).status_code == 200
    detail = admin_client.get(reverse("admin:audit_trail_auditentry_change", args=[2]))
    assert detail.status_code == 200
    assert b"Strategy meeting" in detail.content

    assert admin_client.get(reverse("admin:audit_trail_auditentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:audit_trail_auditentry_delete", args=[2])).status_code == 403
    assert admin_client.post(reverse("admin:audit_trail_auditentry_change", args=[2]), {}).status_code == 403
