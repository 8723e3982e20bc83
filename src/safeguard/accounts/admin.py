from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from safeguard.audit_trail.admin_mixins import AuditedAdmin

from .models import Organisation, Team, User


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["shares_with"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "organisation", "area"]
    list_filter = ["organisation"]
    search_fields = ["name", "area"]
    filter_horizontal = ["supervisors"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Organisation", {"fields": ("organisation", "teams")}),
    )
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["organisation", "groups", "is_active"]
    filter_horizontal = ["groups", "user_permissions", "teams"]
