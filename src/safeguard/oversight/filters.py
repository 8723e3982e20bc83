"""The filters every dashboard takes: the date the figures are computed as of, the period counted
back from it, and the area and team. The same query string drives the page, its drill-down lists
and its exports, so a list always shows the rows behind the number it was opened from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms

from safeguard.core.calendar import end_of_day, london_date
from safeguard.core.clock import now

PERIODS: dict[str, tuple[str, int]] = {
    "30d": ("Last 30 days", 30),
    "3m": ("Last 3 months", 92),
    "12m": ("Last 12 months", 365),
}
DEFAULT_PERIOD = "3m"


@dataclass(frozen=True)
class Filters:
    moment: dt.datetime  # the figures are as of this moment (records recorded by then)
    day: dt.date | None  # the day asked for; None: now
    period: str
    area: str = ""
    team: int | None = None

    @property
    def start(self) -> dt.datetime:
        """The period counted back from `moment` (exclusive start)."""
        return self.moment - dt.timedelta(days=PERIODS[self.period][1])

    @property
    def period_label(self) -> str:
        return PERIODS[self.period][0]

    def query(self, **extra: str) -> str:
        """The query string that reproduces these filters (plus `extra`)."""
        params = {"as_of": self.day.isoformat() if self.day else "", "period": self.period, "area": self.area,
                  "team": str(self.team or ""), **extra}
        return urlencode({k: v for k, v in params.items() if v})


class FilterForm(forms.Form):
    as_of = forms.CharField(label="Figures as of", required=False, max_length=10,
                            help_text="A date in the past, for example 2026-03-31. Leave empty for now.")
    period = forms.ChoiceField(label="Period", required=False, choices=[(k, v[0]) for k, v in PERIODS.items()])
    area = forms.ChoiceField(label="Area", required=False)
    team = forms.ChoiceField(label="Team", required=False)

    def __init__(self, data, *, areas: list[str], teams: list[tuple[int, str]]):
        if not data.get("period"):
            # Show the period the figures are counted over, not the list's first choice.
            data = data.copy()
            data["period"] = DEFAULT_PERIOD
        super().__init__(data)
        self.fields["area"].choices = [("", "All areas"), *[(a, a) for a in areas]]
        self.fields["team"].choices = [("", "All teams"), *[(str(pk), name) for pk, name in teams]]

    def clean_as_of(self) -> dt.date | None:
        text = (self.cleaned_data.get("as_of") or "").strip()
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError("Enter the date as year-month-day, for example 2026-03-31") from None
        if day > london_date(now()):
            raise forms.ValidationError("The date must be today or in the past")
        return day

    def filters(self) -> Filters:
        """The filters chosen (call after is_valid())."""
        day = self.cleaned_data.get("as_of")
        # The end of the day asked for, but never a moment still to come: clocks must not run ahead.
        moment = min(end_of_day(day) - dt.timedelta(microseconds=1), now()) if day else now()
        team = self.cleaned_data.get("team")
        return Filters(moment=moment, day=day, period=self.cleaned_data.get("period") or DEFAULT_PERIOD,
                       area=self.cleaned_data.get("area") or "", team=int(team) if team else None)
