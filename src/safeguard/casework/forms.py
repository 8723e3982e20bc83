"""Casework forms, with error messages in the GOV.UK Design System's words."""

from __future__ import annotations

import datetime as dt

from django import forms

from safeguard.core.calendar import end_of_day, london_date
from safeguard.core.clock import now

from .models import Bail, Investigation, Referral


def _required(message: str) -> dict:
    return {"required": message}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def date_field(label: str, required_message: str, hint: str = "", required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, help_text=hint, required=required, widget=DateInput(),
                           error_messages={"required": required_message, "invalid": f"{label} must be a real date"})


def _future_day(form: forms.Form, name: str, what: str) -> dt.datetime | None:
    day = form.cleaned_data.get(name)
    if day is None:
        return None
    if day < london_date(now()):
        form.add_error(name, f"{what} must be today or in the future")
        return None
    return end_of_day(day)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class OpenCaseForm(forms.Form):
    title = forms.CharField(label="Case title", max_length=200, help_text="A short description, for example "
                            "“Injuries to a baby at home”", error_messages=_required("Enter a case title"))
    category = forms.ChoiceField(label="Category", choices=Investigation.Category.choices, widget=forms.RadioSelect,
                                 error_messages=_required("Select the category of abuse"))
    risk_level = forms.ChoiceField(label="Risk level", choices=Investigation.Risk.choices, widget=forms.RadioSelect,
                                   error_messages=_required("Select the risk level"))
    team = forms.TypedChoiceField(label="Team", coerce=int, error_messages=_required("Select the team"))
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="What is known so far and why the case is opened.")
    alert = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Choose a team")] + [(t.pk, t.name) for t in teams]


class EditCaseForm(VersionedForm):
    title = forms.CharField(label="Case title", max_length=200, error_messages=_required("Enter a case title"))
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    risk_level = forms.ChoiceField(label="Risk level", choices=Investigation.Risk.choices, widget=forms.RadioSelect,
                                   error_messages=_required("Select the risk level"))
    officer = forms.TypedChoiceField(label="Officer in charge", coerce=int,
                                     error_messages=_required("Select the officer in charge"))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(u.pk, u.display_name) for u in officers]


class ActivityForm(forms.Form):
    text = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="For example, a visit, a call, an interview, evidence seized.",
                           error_messages=_required("Enter what was done"))


class StageForm(VersionedForm):
    stage = forms.ChoiceField(label="Move the case to", widget=forms.RadioSelect,
                              error_messages=_required("Select the next stage"))
    note = forms.CharField(label="Decision and reasons", widget=forms.Textarea(attrs={"rows": 4}), required=False,
                           help_text="For a strategy discussion: who takes part and when. For a section 47 enquiry: "
                                     "the strategy discussion's decision and reasons.")

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(label="Outcome", choices=Investigation.Outcome.choices, widget=forms.RadioSelect,
                                error_messages=_required("Select the outcome"))
    rationale = forms.CharField(label="Reasons for the outcome", widget=forms.Textarea(attrs={"rows": 4}),
                                error_messages=_required("Enter the reasons for the outcome"))


class ClosureForm(VersionedForm):
    rationale = forms.CharField(label="Why can the case be closed?", widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="A supervisor must sign the closure off.",
                                error_messages=_required("Enter why the case can be closed"))


class SignOffForm(VersionedForm):
    pass


class ActionForm(forms.Form):
    description = forms.CharField(label="What must be done", widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages=_required("Enter what must be done"))
    owner = forms.TypedChoiceField(label="Owner", coerce=int, error_messages=_required("Select who will do it"))
    due = date_field("Deadline", "Enter the deadline")

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Choose someone")] + [(u.pk, u.display_name) for u in officers]

    def clean(self):
        data = super().clean()
        data["due_at"] = _future_day(self, "due", "The deadline")
        return data


class DoneForm(forms.Form):
    note = forms.CharField(label="What was done", required=False, widget=forms.Textarea(attrs={"rows": 2}))


DIRECTIONS = 3


class ReviewForm(forms.Form):
    scope = forms.CharField(label="What did you review?", widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="For example, the risk assessment, the investigation plan, the log since the last review.",
                            error_messages=_required("Enter what you reviewed"))
    rationale = forms.CharField(label="Your rationale", widget=forms.Textarea(attrs={"rows": 4}),
                                error_messages=_required("Enter your rationale"))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose someone")] + [(u.pk, u.display_name) for u in officers]
        for i in range(1, DIRECTIONS + 1):
            self.fields[f"direction_{i}"] = forms.CharField(label=f"Direction {i}", required=False,
                                                            widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"direction_{i}_owner"] = forms.TypedChoiceField(label=f"Direction {i}: owner", coerce=int,
                                                                         required=False, choices=choices, empty_value=None)
            self.fields[f"direction_{i}_due"] = date_field(f"Direction {i}: deadline", "", required=False)

    def direction_rows(self):
        return [(self[f"direction_{i}"], self[f"direction_{i}_owner"], self[f"direction_{i}_due"])
                for i in range(1, DIRECTIONS + 1)]

    def clean(self):
        data = super().clean()
        data["directions"] = []
        for i in range(1, DIRECTIONS + 1):
            text, owner = data.get(f"direction_{i}", "").strip(), data.get(f"direction_{i}_owner")
            if not text:
                if owner or data.get(f"direction_{i}_due"):
                    self.add_error(f"direction_{i}", f"Enter what direction {i} asks for")
                continue
            if not owner:
                self.add_error(f"direction_{i}_owner", f"Select who must carry out direction {i}")
            if data.get(f"direction_{i}_due") is None and f"direction_{i}_due" not in self.errors:
                self.add_error(f"direction_{i}_due", f"Enter the deadline for direction {i}")
            due = _future_day(self, f"direction_{i}_due", f"The deadline for direction {i}")
            if owner and due:
                data["directions"].append((text, owner, due))
        return data


class BailForm(forms.Form):
    suspect = forms.TypedChoiceField(label="Suspect", coerce=int, error_messages=_required("Select the suspect"))
    kind = forms.ChoiceField(label="Type", choices=Bail.Kind.choices, widget=forms.RadioSelect,
                             error_messages=_required("Select pre-charge bail or released under investigation"))
    starts_on = date_field("Start date", "Enter the start date", "For an extension, the day the extension starts.")
    expires_on = date_field("Expiry date", "", "Pre-charge bail only.", required=False)
    authority = forms.ChoiceField(label="Authorised by (authority)", required=False,
                                  choices=[("", "Choose the authority")] + list(Bail.Authority.choices))
    authorised_by = forms.CharField(label="Name and rank of the authorising officer, or the court", required=False,
                                    max_length=200)
    extends = forms.TypedChoiceField(label="Extends", coerce=int, required=False, empty_value=None)
    conditions = forms.CharField(label="Conditions", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    residence_address = forms.CharField(label="Residence condition: address", required=False, max_length=300,
                                        help_text="The full address with house number or name and postcode.")

    def __init__(self, *args, suspects, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suspect"].choices = [("", "Choose the suspect")] + suspects
        self.fields["extends"].choices = [("", "A new period (not an extension)")] + periods

    def clean(self):
        data = super().clean()
        if data.get("kind") == Bail.Kind.PRE_CHARGE_BAIL:
            if data.get("expires_on") is None and "expires_on" not in self.errors:
                self.add_error("expires_on", "Enter the date pre-charge bail expires")
            if not data.get("authority"):
                self.add_error("authority", "Choose who authorised this period of bail")
            if not data.get("authorised_by", "").strip():
                self.add_error("authorised_by", "Enter the name and rank of the officer, or the court, that authorised it")
        return data


class ReferralForm(forms.Form):
    to_organisation = forms.TypedChoiceField(label="Send to", coerce=int,
                                             error_messages=_required("Select the partner organisation"))
    subjects = forms.TypedMultipleChoiceField(label="People the referral is about", coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    shared = forms.CharField(label="What are you sharing?", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages=_required("Enter what you are sharing"))
    reason = forms.CharField(label="Why are you sharing it?", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The lawful basis and the purpose, for example “to safeguard a child "
                                       "(Children Act 1989 s 47; Data Protection Act 2018 Sch 8 para 4)”.",
                             error_messages=_required("Enter why you are sharing it"))
    request = forms.CharField(label="What are you asking them to do?", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages=_required("Enter what you are asking the partner to do"))
    due = date_field("Response due by", "Enter the date a response is due")

    def __init__(self, *args, organisations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].choices = [("", "Choose an organisation")] + [(o.pk, o.name) for o in organisations]
        self.fields["subjects"].choices = people

    def clean(self):
        data = super().clean()
        data["due_at"] = _future_day(self, "due", "The date a response is due")
        return data


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", choices=Referral.Decision.choices, widget=forms.RadioSelect,
                                 error_messages=_required("Select your decision"))
    response = forms.CharField(label="Your response", widget=forms.Textarea(attrs={"rows": 5}),
                               help_text="What you have done or will do, and why.",
                               error_messages=_required("Enter your response"))


class SubjectForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput, required=False)
    person = forms.TypedChoiceField(label="Person", coerce=int, widget=forms.RadioSelect,
                                    error_messages=_required("Select the person to add"))
    role = forms.ChoiceField(label="Their part in the case", widget=forms.RadioSelect,
                             error_messages=_required("Select their part in the case"))

    def __init__(self, *args, people, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = people
        self.fields["role"].choices = roles
