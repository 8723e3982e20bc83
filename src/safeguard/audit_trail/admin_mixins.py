"""Every write through the Django admin is audited like any other write."""

from __future__ import annotations

from django.db import transaction

from .services import Action, audit_log


class AuditedAdmin:
    """Mix into a ModelAdmin: saves, deletes and many-to-many changes write an "alteration" (or
    "erasure") entry in the same transaction, naming the object and the changed fields only."""

    def _audit(self, request, obj, action: Action, fields: list[str]) -> None:
        audit_log(actor=request.user, action=action, object_type=obj._meta.label_lower, object_ids=[obj.pk],
                  details={"fields": sorted(fields), "via": "admin"})

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._audit(request, obj, Action.ALTERATION, list(form.changed_data) if change else ["created"])

    def delete_model(self, request, obj):
        with transaction.atomic():
            pk = obj.pk
            super().delete_model(request, obj)
            obj.pk = pk
            self._audit(request, obj, Action.ERASURE, ["deleted"])

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            objects = list(queryset)
            super().delete_queryset(request, queryset)
            for obj in objects:
                self._audit(request, obj, Action.ERASURE, ["deleted"])
