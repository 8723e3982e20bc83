from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.utils.decorators import method_decorator
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.audit_trail.admin_mixins import AuditedAdmin

from .models import Organisation, Team, User
from .reauth import require_recent_auth


def _sign_in_first(request, extra_context=None):
    """The admin has no sign-in form of its own: everyone signs in through the one page, with its
    lockout and second factor, and comes back."""
    return redirect_to_login(request.GET.get("next") or "/admin/")


admin.site.login = _sign_in_first

# Changing who someone is or what a role may do needs a fresh password and code.
_reauth = method_decorator(require_recent_auth())


class ReauthenticatedChanges:
    @_reauth
    def add_view(self, request, *args, **kwargs):
        return super().add_view(request, *args, **kwargs)

    @_reauth
    def change_view(self, request, *args, **kwargs):
        return super().change_view(request, *args, **kwargs)

    @_reauth
    def delete_view(self, request, *args, **kwargs):
        return super().delete_view(request, *args, **kwargs)


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
class UserAdmin(ReauthenticatedChanges, AuditedAdmin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Organisation", {"fields": ("organisation", "teams")}),
    )
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["organisation", "groups", "is_active"]
    filter_horizontal = ["groups", "user_permissions", "teams"]

    @_reauth
    def user_change_password(self, request, *args, **kwargs):
        return super().user_change_password(request, *args, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReauthenticatedChanges, AuditedAdmin, BaseGroupAdmin):
    """Roles: a group's permissions are what everyone with the role may do."""


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(ReauthenticatedChanges, AuditedAdmin, TOTPDeviceAdmin):
    """Deleting a user's authenticator makes them set up a new one at their next sign-in (a lost
    phone). Nobody adds one here: whoever chose its key could pass the user's second factor."""

    def has_add_permission(self, request) -> bool:
        return False
