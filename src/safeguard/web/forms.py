"""Forms for the web pages, with error messages in the GOV.UK Design System's words."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from safeguard.core.calendar import london_date
from safeguard.core.clock import now

from .words import EVENT_TYPES, SEVERITY_ORDER, SOURCES


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "Your account has been switched off. Ask your Safeguard administrator for help",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


# ---- dates as people type them ------------------------------------------------------------

MONTHS = {name: i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def parse_partial_date(text: str) -> tuple[dt.date, dt.date] | None:
    """A full or partial date as a range of days: `11/3/1990`, `1990-03-11`, `11 March 1990`,
    `3/1990`, `March 1990`, `1990`. None when it is not a date."""
    text = text.strip().lower()
    if not text:
        return None
    for name, number in MONTHS.items():
        text = re.sub(rf"\b{name}[a-z]*\b", f" {number} ", text)
    parts = [p for p in re.split(r"[\s/.\-]+", text) if p]
    if not parts or not all(p.isdigit() for p in parts) or len(parts) > 3:
        return None
    numbers = [int(p) for p in parts]
    if len(parts[0]) == 4:  # ISO order: year first
        numbers = list(reversed(numbers))
    try:
        if len(numbers) == 3:
            day = dt.date(numbers[2], numbers[1], numbers[0])
            return day, day
        if len(numbers) == 2:
            first = dt.date(numbers[1], numbers[0], 1)
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            return first, last
        return dt.date(numbers[0], 1, 1), dt.date(numbers[0], 12, 31)
    except ValueError:
        return None


def _full_date(text: str) -> dt.date | None:
    found = parse_partial_date(text)
    if found is None or found[0] != found[1]:
        return None
    return found[0]


# ---- alerts ---------------------------------------------------------------------------------

class ResolveForm(forms.Form):
    rationale = forms.CharField(
        label="Why can this alert be closed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why this alert can be closed"},
        max_length=4000,
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label="Assign to", coerce=int,
        error_messages={"required": "Select who to assign this alert to",
                        "invalid_choice": "Select someone from the list"},
    )

    def __init__(self, *args, assignees: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(str(pk), name) for pk, name in assignees]


class BulkAssignForm(AssignForm):
    alerts = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": "Select the alerts to assign", "invalid_choice": "Select alerts from the list"})

    def __init__(self, *args, alert_ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alerts"].choices = [(str(pk), str(pk)) for pk in (alert_ids or [])]


class QueueFilterForm(forms.Form):
    rule = forms.ChoiceField(label="Alert type", required=False)
    severity = forms.ChoiceField(label="Severity", required=False,
                                 choices=[("", "Any severity")] + [(s, s.capitalize()) for s in SEVERITY_ORDER])
    overdue = forms.BooleanField(label="Overdue only", required=False)
    team = forms.ChoiceField(label="Team", required=False)
    area = forms.ChoiceField(label="Area", required=False)
    subject = forms.CharField(label="Person's name", required=False, max_length=100)

    def __init__(self, *args, rules=(), teams=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "Any type"), *rules]
        self.fields["team"].choices = [("", "Any team"), *teams]
        self.fields["area"].choices = [("", "Any area"), *[(a, a) for a in areas]]


# ---- restricted fields ----------------------------------------------------------------------

class RevealForm(forms.Form):
    object_type = forms.ChoiceField(choices=[("person", "person"), ("location", "location"), ("event", "event")])
    record = forms.IntegerField(min_value=1)
    reason = forms.CharField(
        label="Why do you need to see this?", min_length=10, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why you need to see this information",
                        "min_length": "Reason must be 10 characters or more"},
    )
    next = forms.CharField(required=False, max_length=2000)


# ---- search ---------------------------------------------------------------------------------

class SearchForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200)
    dob = forms.CharField(label="Date of birth", required=False, max_length=30)
    address = forms.CharField(label="Address or postcode", required=False, max_length=200)
    identifier = forms.CharField(label="Identifier", required=False, max_length=128)

    def clean_dob(self) -> tuple[dt.date, dt.date] | None:
        text = self.cleaned_data["dob"].strip()
        if not text:
            return None
        found = parse_partial_date(text)
        if found is None:
            raise forms.ValidationError("Date of birth must be a real date, like 27/3/2007, 3/2007 or 2007")
        return found

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(f) for f in ("name", "dob", "address", "identifier")):
            raise forms.ValidationError("Enter a name, date of birth, address or postcode, or identifier")
        name = (data.get("name") or "").strip()
        if name and len(re.sub(r"[^A-Za-z]", "", name)) < 2:
            self.add_error("name", "Name must be 2 letters or more")
        return data


# ---- as of, chronology ----------------------------------------------------------------------

class AsOfForm(forms.Form):
    """A GOV.UK date input: day, month and year as three fields."""

    day = forms.CharField(required=False, max_length=2)
    month = forms.CharField(required=False, max_length=2)
    year = forms.CharField(required=False, max_length=4)

    def clean(self):
        data = super().clean()
        parts = [(data.get(f) or "").strip() for f in ("day", "month", "year")]
        if not any(parts):
            data["date"] = None
            return data
        if not all(parts):
            raise forms.ValidationError("Date must include a day, month and year")
        try:
            day = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError("Date must be a real date") from None
        if day > london_date(now()):
            raise forms.ValidationError("Date must be today or in the past")
        data["date"] = day
        return data


PERIODS = {"30d": ("Last 30 days", 30), "3m": ("Last 3 months", 92), "12m": ("Last 12 months", 366),
           "2y": ("Last 2 years", 731), "5y": ("Last 5 years", 1827)}


class ChronologyFilterForm(forms.Form):
    type = forms.ChoiceField(label="Type", required=False)
    source = forms.ChoiceField(label="Organisation", required=False)
    period = forms.ChoiceField(label="Period", required=False,
                               choices=[("", "Any time")] + [(k, v[0]) for k, v in PERIODS.items()])
    start = forms.CharField(label="From", required=False, max_length=20)
    end = forms.CharField(label="To", required=False, max_length=20)

    def __init__(self, *args, types=(), sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Any type")] + [(t, EVENT_TYPES.get(t, t)) for t in types]
        self.fields["source"].choices = [("", "Any organisation")] + [(s, SOURCES.get(s, s)) for s in sources]

    def _date(self, name: str) -> dt.date | None:
        text = self.cleaned_data[name].strip()
        if not text:
            return None
        day = _full_date(text)
        if day is None:
            raise forms.ValidationError(f"{self.fields[name].label} date must be a real date, like 27/3/2024")
        return day

    def clean_start(self):
        return self._date("start")

    def clean_end(self):
        return self._date("end")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "To date must be the same as or after the from date")
        return data
