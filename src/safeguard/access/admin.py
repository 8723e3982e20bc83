from django.contrib import admin

from safeguard.audit_trail.admin_mixins import AuditedAdmin

from .models import Restriction


@admin.register(Restriction)
class RestrictionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["object_type", "object_id", "created_at", "created_by"]
    list_filter = ["object_type"]
    filter_horizontal = ["allowed_users", "allowed_organisations"]
    readonly_fields = ["created_at", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
