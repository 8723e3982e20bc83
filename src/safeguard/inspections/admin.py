"""Administrators edit audit frameworks here. A version in use by an exercise is read-only: the
"new version" action copies it, and the copy is edited (exercises keep the version they used)."""

from django.contrib import admin, messages

from safeguard.audit_trail.admin_mixins import AuditedAdmin

from .models import Criterion, Framework, Topic
from .services import framework_new_version


def _frozen(obj) -> bool:
    framework = obj if isinstance(obj, Framework) else obj.framework if isinstance(obj, Topic) else None
    return framework is not None and framework.in_use


class FrozenInline(admin.TabularInline):
    """Rows of a framework in use cannot be added, changed or removed (obj is the parent)."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj is not None and _frozen(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and _frozen(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and _frozen(obj))


class TopicInline(FrozenInline):
    model = Topic
    show_change_link = True


class CriterionInline(FrozenInline):
    model = Criterion


@admin.register(Framework)
class FrameworkAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "version", "created_at"]
    readonly_fields = ["created_at", "created_by"]
    inlines = [TopicInline]
    actions = ["make_new_version"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and _frozen(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and _frozen(obj))

    def save_model(self, request, obj, form, change):
        if not change:
            from safeguard.core.clock import now

            obj.created_at, obj.created_by = now(), request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Make a new version to edit")
    def make_new_version(self, request, queryset):
        for framework in queryset:
            copy = framework_new_version(framework=framework, actor=request.user)
            messages.success(request, f"Created {copy}.")


@admin.register(Topic)
class TopicAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["title", "framework", "order"]
    list_filter = ["framework"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and _frozen(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and _frozen(obj))
