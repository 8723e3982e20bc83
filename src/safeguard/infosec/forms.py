"""Forms of the information-security pages."""

from __future__ import annotations

from django import forms

from .breakglass import MIN_REASON
from .models import RetentionGroup


class BreakGlassForm(forms.Form):
    person = forms.IntegerField(
        label="Person number", min_value=1, max_value=2**63 - 1,
        help_text="The number in the person's page address, e.g. 1234 in /people/1234/.",
        error_messages={"required": "Enter the person number", "invalid": "Enter the person number as digits",
                        "min_value": "Enter a person number of 1 or more",
                        "max_value": "Enter a real person number"})
    reason = forms.CharField(
        label="Why do you need these records now?", min_length=MIN_REASON, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why you need to open these records",
                        "min_length": f"Reason must be {MIN_REASON} characters or more"})


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Review note", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what you found before closing this use"})


class RetentionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("retain", "Retain until the next review"), ("restrict", "Restrict (mask for everyone)"),
                 ("erase", "Erase the personal data")],
        widget=forms.RadioSelect, error_messages={"required": "Choose retain, restrict or erase"})
    reason = forms.CharField(
        label="Reason for the decision", min_length=10, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for the decision",
                        "min_length": "Reason must be 10 characters or more"})


class RetentionScheduleForm(forms.Form):
    person = forms.IntegerField(label="Person number", min_value=1, max_value=2**63 - 1,
                                error_messages={"required": "Enter the person number",
                                                "invalid": "Enter the person number as digits"})
    group = forms.TypedChoiceField(label="MoPI group", coerce=int, choices=RetentionGroup.choices,
                                   widget=forms.RadioSelect, error_messages={"required": "Choose the MoPI group"})
    from_date = forms.DateField(label="Review period starts (date of the latest record or conviction)",
                                error_messages={"required": "Enter the date the review period starts",
                                                "invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-11-25"})
