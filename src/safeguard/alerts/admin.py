from django import forms
from django.contrib import admin

from safeguard.audit_trail.admin_mixins import AuditedAdmin
from safeguard.rules.settings import RuleSettings

from .models import AlertRoute, Partnership


class AlertRouteInline(admin.TabularInline):
    model = AlertRoute
    extra = 1


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["name", "organisations", "settings"]

    def clean_settings(self):
        value = self.cleaned_data["settings"] or {}
        try:
            RuleSettings.with_overrides(value)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(f"{exc}. Known settings: {', '.join(RuleSettings.__dataclass_fields__)}") from exc
        return value


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin, admin.ModelAdmin):
    form = PartnershipForm
    list_display = ["name"]
    filter_horizontal = ["organisations"]
    inlines = [AlertRouteInline]
