from django.contrib import admin, messages

from safeguard.audit_trail.admin_mixins import AuditedAdmin

from .models import PartnerToken


@admin.register(PartnerToken)
class PartnerTokenAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "organisation", "sources", "key_hint", "active", "last_used_at"]
    list_filter = ["organisation", "active"]
    readonly_fields = ["key_hint", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        raw = obj.issue() if not change else None
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(request, f"Copy this token now; it is stored hashed and will not be shown again: {raw}")
