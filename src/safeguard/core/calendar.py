"""Time as the rules count it (shared/spec/rules.md, "Words").

- A date-only field means that whole day in Europe/London: `from`/`starts_on` count from 00:00
  of their day, `to`/`ends_on`/`expires_on` to the end of their day (here: 00:00 of the next
  day, exclusive).
- A working day is Monday to Friday and not a bank holiday in England and Wales, on the London
  calendar (the `holidays` package, subdivision ENG: it includes Easter Monday and the August
  bank holiday, which plain GB() leaves out, and works offline).
- "N working days after t" is the same London clock time on the N-th working day after t's
  London date; t's own date never counts, whatever the time of day.
- "N hours after t" is elapsed time; "N days/months after t" are calendar days/months on the
  London clock, a month without that day ending on its last day.
- Someone born on 29 February has their birthday on 1 March in other years.

Clock times that do not exist (the hour lost in March) move forward by the gap; times that
occur twice (October) take the first.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def london_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date()


@lru_cache(maxsize=65536)  # pure; an evaluation asks for the same few thousand days again and again
def at_london(day: dt.date, clock: dt.time = dt.time(0)) -> dt.datetime:
    """The UTC moment of a London wall-clock time on a day. With fold=0 zoneinfo reads a time in
    the spring gap with the offset before it (so it moves forward by the gap) and a repeated
    autumn time as its first occurrence."""
    return dt.datetime.combine(day, clock).replace(tzinfo=LONDON, fold=0).astimezone(UTC)


def start_of_day(day: dt.date) -> dt.datetime:
    return at_london(day)


def end_of_day(day: dt.date) -> dt.datetime:
    """The end of a London day: 00:00 of the next day (exclusive)."""
    return at_london(day + dt.timedelta(days=1))


@lru_cache(maxsize=65536)
def nth_working_day_after(day: dt.date, n: int) -> dt.date:
    current, counted = day, 0
    while counted < n:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


@lru_cache(maxsize=65536)
def nth_working_day_before(day: dt.date, n: int) -> dt.date:
    current, counted = day, 0
    while counted < n:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def working_days_before(moment: dt.datetime, n: int) -> dt.datetime:
    local = moment.astimezone(LONDON)
    return at_london(nth_working_day_before(local.date(), n), local.time().replace(tzinfo=None))


def working_days_after(moment: dt.datetime, n: int) -> dt.datetime:
    local = moment.astimezone(LONDON)
    return at_london(nth_working_day_after(local.date(), n), local.time().replace(tzinfo=None))


def next_working_day_at(moment: dt.datetime, clock: dt.time) -> dt.datetime:
    """`clock` on the first working day after the London date of `moment`."""
    return at_london(nth_working_day_after(london_date(moment), 1), clock)


def hours_after(moment: dt.datetime, n: float) -> dt.datetime:
    return moment + dt.timedelta(hours=n)


def days_after(moment: dt.datetime, n: int) -> dt.datetime:
    local = moment.astimezone(LONDON)
    return at_london(local.date() + dt.timedelta(days=n), local.time().replace(tzinfo=None))


def add_months(day: dt.date, n: int) -> dt.date:
    month0 = day.month - 1 + n
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def months_after(moment: dt.datetime, n: int) -> dt.datetime:
    local = moment.astimezone(LONDON)
    return at_london(add_months(local.date(), n), local.time().replace(tzinfo=None))


def add_years(day: dt.date, n: int) -> dt.date:
    """Birthdays: 29 February falls on 1 March in years without one."""
    try:
        return day.replace(year=day.year + n)
    except ValueError:
        return dt.date(day.year + n, 3, 1)
