from django.contrib import admin

from safeguard.audit_trail.admin_mixins import AuditedAdmin

from .models import FeedLoad, Source


@admin.register(Source)
class SourceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["code"]


@admin.register(FeedLoad)
class FeedLoadAdmin(admin.ModelAdmin):
    list_display = ["pk", "origin", "actor_label", "started_at", "finished_at"]
    readonly_fields = ["started_at", "finished_at", "origin", "actor_label", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
