from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the view permission shows entries; nobody may add, change or delete them."""

    list_display = ["seq", "at", "action", "outcome", "actor_label", "organisation_label", "object_type"]
    list_filter = ["action", "outcome"]
    ordering = ["-seq"]
    search_fields = ["actor_label", "organisation_label", "recipient"]
    # Counting millions of rows on every page costs more than it tells.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
