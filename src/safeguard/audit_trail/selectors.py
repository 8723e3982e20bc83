"""Reading the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from safeguard.accounts.models import User

VIEW_PERMISSION = "audit_trail.view_auditentry"


def entries_for_object(
    *, user: User | AnonymousUser, object_type: str, object_id: str | int
) -> QuerySet[AuditEntry]:
    """Every entry about one object, newest first; none unless the user may view the audit trail."""
    if not user.has_perm(VIEW_PERMISSION):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(object_type=object_type, object_ids__includes=str(object_id)).order_by(
        "-seq"
    )
