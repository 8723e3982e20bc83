"""Forms for the inspection pages, with error messages in the GOV.UK Design System's words."""

from __future__ import annotations

import secrets

from django import forms

from safeguard.casework.models import Investigation

from .models import Framework, Grade, PlanAction, Recommendation

GRADE_CHOICES = Grade.choices


def _required(field: forms.Field, message: str) -> forms.Field:
    field.error_messages["required"] = message
    return field


class ExerciseForm(forms.Form):
    title = _required(forms.CharField(max_length=200, label="Name of the exercise"), "Enter a name for the exercise")
    organisation = _required(forms.ModelChoiceField(queryset=None, label="Force audited", empty_label=None),
                             "Choose the force audited")
    framework = _required(forms.ModelChoiceField(queryset=Framework.objects.none(), label="Audit framework",
                                                 empty_label=None), "Choose an audit framework")
    period_start = _required(forms.DateField(label="Cases opened from", help_text="For example, 2026-01-31"),
                             "Enter the first day of the period, for example 2026-01-31")
    period_end = _required(forms.DateField(label="Cases opened up to", help_text="For example, 2026-06-30"),
                           "Enter the last day of the period, for example 2026-06-30")
    case_types = forms.MultipleChoiceField(choices=Investigation.Category.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple, label="Case types",
                                           help_text="Leave all unticked to audit every case type")
    teams = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                                           label="Teams", help_text="Leave all unticked to audit every team")
    sample_size = _required(forms.IntegerField(min_value=1, max_value=500, label="Number of case files to sample"),
                            "Enter how many case files to sample")
    seed = forms.IntegerField(min_value=0, required=False, label="Random seed",
                              help_text="Drawing with the same seed over the same cases gives the same sample. "
                                        "Leave blank for a new one")
    moderation_percent = _required(forms.IntegerField(min_value=0, max_value=100, initial=20,
                                                      label="Share of the sample moderated (%)"),
                                   "Enter the share of the sample a second auditor grades")
    auditors = _required(forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple,
                                                        label="Auditors"), "Choose at least one auditor")

    def __init__(self, *args, organisations, frameworks, teams, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["framework"].queryset = frameworks
        self.fields["teams"].queryset = teams
        self.fields["auditors"].queryset = auditors
        self.fields["auditors"].label_from_instance = lambda u: u.display_name

    def clean_seed(self) -> int:
        seed = self.cleaned_data.get("seed")
        return seed if seed is not None else secrets.randbelow(10**9)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be the same as or after its start")
        return data


def grading_form(criteria, data=None) -> forms.Form:
    """Every criterion of the framework (a grade and a comment), then the overall grade and rationale."""
    fields: dict[str, forms.Field] = {}
    for c in criteria:
        fields[f"grade_{c.pk}"] = _required(forms.ChoiceField(choices=GRADE_CHOICES, widget=forms.RadioSelect,
                                                              label=c.text), f"Grade: {c.text}")
        fields[f"comment_{c.pk}"] = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                                    label=f"Comment on: {c.text}")
    fields["overall_grade"] = _required(forms.ChoiceField(choices=GRADE_CHOICES, widget=forms.RadioSelect,
                                                          label="Overall grade"), "Choose the overall grade")
    fields["rationale"] = _required(forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                                                    label="Rationale for the overall grade"),
                                    "Give the rationale for the overall grade")
    return type("GradingForm", (forms.Form,), fields)(data)


class SettleForm(forms.Form):
    grade = _required(forms.ChoiceField(choices=GRADE_CHOICES, widget=forms.RadioSelect, label="Agreed grade"),
                      "Choose the agreed grade")
    note = _required(forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="How it was settled"),
                     "Record how the disagreement was settled")


class PublishForm(forms.Form):
    summary = _required(forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Summary of findings"),
                        "Write the report's summary of findings")


class RecommendationForm(forms.Form):
    text = _required(forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Recommendation"),
                     "Enter the recommendation")
    priority = _required(forms.ChoiceField(choices=Recommendation.Priority.choices, widget=forms.RadioSelect,
                                           label="To be met"), "Choose when the recommendation must be met")
    owner = _required(forms.ModelChoiceField(queryset=None, label="Owner"), "Choose the owner")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.display_name


class PlanActionForm(forms.Form):
    description = _required(forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Action"),
                            "Describe the action")
    owner = _required(forms.ModelChoiceField(queryset=None, label="Owner"), "Choose the owner")
    due_on = _required(forms.DateField(label="Due by", help_text="For example, 2026-12-31"),
                       "Enter the date the action is due, for example 2026-12-31")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.display_name


class ActionUpdateForm(forms.Form):
    status = _required(forms.ChoiceField(choices=PlanAction.Status.choices, widget=forms.RadioSelect, label="Status"),
                       "Choose the action's status")
    evidence = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Evidence",
                               help_text="What shows the action is done, for example a revised policy or an audit result")

    def clean(self):
        data = super().clean()
        if data.get("status") == PlanAction.Status.DONE and not (data.get("evidence") or "").strip():
            self.add_error("evidence", "Give the evidence that the action is done")
        return data
