"""Fixtures for the audit trail tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from safeguard.accounts.models import Organisation, User
from safeguard.audit_trail.models import Action, AuditEntry
from safeguard.audit_trail.services import audit_log


@pytest.fixture
def audit_user(db) -> Callable[..., User]:
    from django.contrib.auth.models import Group

    def make(username: str, *, roles: tuple[str, ...] = ("investigator",)) -> User:
        org, _ = Organisation.objects.get_or_create(name="Northshire Police", defaults={"kind": "police"})
        user = User.objects.create_user(username=username, organisation=org)
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    return make


@pytest.fixture
def three_entries(audit_user) -> list[AuditEntry]:
    officer = audit_user("pc.jones")
    return [
        audit_log(
            actor=None,
            actor_label="token:police-feed",
            action=Action.COLLECTION,
            object_type="feed_load",
            object_ids=["7"],
            details={"records": 120},
        ),
        audit_log(
            actor=officer,
            action=Action.CONSULTATION,
            object_type="person",
            object_ids=["42"],
            justification="Strategy meeting",
        ),
        audit_log(
            actor=officer,
            action=Action.DISCLOSURE,
            object_type="person",
            object_ids=["42", "43"],
            recipient="Northshire children's services",
            justification="Section 47 enquiry",
        ),
    ]
