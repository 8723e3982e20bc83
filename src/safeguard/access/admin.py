from django.contrib import admin

from safeguard.audit_trail.admin_mixins import AuditedAdmin

from .models import BreakGlass, Restriction


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


@admin.register(BreakGlass)
class BreakGlassAdmin(admin.ModelAdmin):
    """Read-only: uses are opened and reviewed through their services, which audit them."""

    list_display = ["user", "subject_type", "subject_id", "opened_at", "expires_at", "reviewed_at", "reviewed_by"]
    list_filter = ["reviewed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
