"""core/calendar.py: working days, London dates and clocks, calendar arithmetic (rules.md, "Words")."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.core.calendar import (
    add_months,
    add_years,
    at_london,
    days_after,
    end_of_day,
    hours_after,
    is_working_day,
    london_date,
    months_after,
    next_working_day_at,
    nth_working_day_after,
    nth_working_day_before,
    start_of_day,
    working_days_after,
    working_days_before,
)

D = dt.date
UTC = dt.UTC


def u(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


# ---- working days ------------------------------------------------------------------------------

@pytest.mark.parametrize("day", [
    D(2026, 1, 1),  # New Year's Day
    D(2026, 4, 3), D(2026, 4, 6),  # Good Friday, Easter Monday
    D(2026, 5, 4), D(2026, 5, 25),  # early May, spring bank holiday
    D(2026, 8, 31),  # August bank holiday (England and Wales; not Scotland's)
    D(2026, 12, 25), D(2026, 12, 28),  # Christmas; Boxing Day falls on Saturday, so Monday the 28th
    D(2027, 12, 27), D(2027, 12, 28),  # Christmas and Boxing Day both at a weekend
    D(2022, 9, 19),  # the State Funeral of Queen Elizabeth II
    D(2023, 5, 8),  # the Coronation
    D(2020, 5, 8),  # early May bank holiday moved to VE Day
    D(2026, 3, 7), D(2026, 3, 8),  # a weekend
])
def test_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [
    D(2026, 3, 2), D(2026, 4, 7), D(2026, 8, 3),  # August's first Monday is Scotland's holiday, not England's
    D(2026, 3, 17),  # St Patrick's Day is Northern Ireland's
    D(2026, 11, 30),  # St Andrew's Day is Scotland's
    D(2026, 12, 29), D(2020, 5, 4),
])
def test_working_days(day):
    assert is_working_day(day)


def test_nth_working_day_after_never_counts_the_day_itself():
    assert nth_working_day_after(D(2026, 3, 2), 1) == D(2026, 3, 3)
    assert nth_working_day_after(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday: Monday
    assert nth_working_day_after(D(2026, 3, 7), 1) == D(2026, 3, 9)  # Saturday: Monday
    assert nth_working_day_after(D(2026, 4, 2), 1) == D(2026, 4, 7)  # Thursday before Easter: Tuesday after
    assert nth_working_day_after(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_nth_working_day_before():
    assert nth_working_day_before(D(2026, 3, 9), 1) == D(2026, 3, 6)
    assert nth_working_day_before(D(2026, 4, 7), 1) == D(2026, 4, 2)
    assert nth_working_day_before(D(2026, 6, 2), 20) == D(2026, 5, 1)  # over both May bank holidays


@pytest.mark.parametrize("moment, n, expected", [
    ("2026-03-02T09:00:00+00:00", 1, "2026-03-03T09:00:00+00:00"),
    ("2026-03-06T16:30:00+00:00", 1, "2026-03-09T16:30:00+00:00"),  # Friday: Monday, same clock time
    ("2026-03-07T11:00:00+00:00", 1, "2026-03-09T11:00:00+00:00"),  # Saturday: Monday is the first
    ("2026-03-02T23:59:00+00:00", 1, "2026-03-03T23:59:00+00:00"),  # late on a day still counts from it
    ("2026-03-02T00:00:00+00:00", 2, "2026-03-04T00:00:00+00:00"),
    ("2026-03-27T09:00:00+00:00", 1, "2026-03-30T08:00:00+00:00"),  # 09:00 GMT Friday: 09:00 BST Monday
    ("2026-10-23T09:00:00+01:00", 1, "2026-10-26T09:00:00+00:00"),  # 09:00 BST Friday: 09:00 GMT Monday
    ("2026-06-10T23:30:00+00:00", 1, "2026-06-12T00:30:00+01:00"),  # 00:30 BST Thursday: 00:30 BST Friday
    ("2026-04-02T15:00:00+01:00", 1, "2026-04-07T15:00:00+01:00"),  # Easter
    ("2026-08-28T10:00:00+01:00", 1, "2026-09-01T10:00:00+01:00"),  # August bank holiday
    ("2026-12-24T12:00:00+00:00", 2, "2026-12-30T12:00:00+00:00"),  # Christmas, weekend, substitute day
    ("2026-10-03T10:00:00+01:00", 45, "2026-12-04T10:00:00+00:00"),
    ("2026-11-02T10:00:00+00:00", 45, "2027-01-07T10:00:00+00:00"),
])
def test_working_days_after(moment, n, expected):
    assert working_days_after(u(moment), n) == u(expected)


def test_working_days_before_keeps_the_london_clock_time():
    assert working_days_before(u("2026-06-02T10:00:00+01:00"), 20) == u("2026-05-01T10:00:00+01:00")
    assert working_days_before(u("2026-03-30T09:00:00+01:00"), 1) == u("2026-03-27T09:00:00+00:00")


def test_next_working_day_at_a_clock_time():
    assert next_working_day_at(u("2026-03-06T22:00:00+00:00"), dt.time(9)) == u("2026-03-09T09:00:00+00:00")
    assert next_working_day_at(u("2026-06-10T23:30:00+00:00"), dt.time(9)) == u("2026-06-12T09:00:00+01:00")
    assert next_working_day_at(u("2026-03-09T08:00:00+00:00"), dt.time(9)) == u("2026-03-10T09:00:00+00:00")
    assert next_working_day_at(u("2026-10-23T21:00:00+01:00"), dt.time(9)) == u("2026-10-26T09:00:00+00:00")


# ---- London dates and clocks -------------------------------------------------------------------

def test_london_date():
    assert london_date(u("2026-06-10T23:30:00+00:00")) == D(2026, 6, 11)
    assert london_date(u("2026-01-10T23:30:00+00:00")) == D(2026, 1, 10)


@pytest.mark.parametrize("day, start, end", [
    (D(2026, 1, 15), "2026-01-15T00:00:00+00:00", "2026-01-16T00:00:00+00:00"),
    (D(2026, 6, 1), "2026-05-31T23:00:00+00:00", "2026-06-01T23:00:00+00:00"),
    (D(2026, 3, 29), "2026-03-29T00:00:00+00:00", "2026-03-29T23:00:00+00:00"),  # 23 hours
    (D(2026, 10, 25), "2026-10-24T23:00:00+00:00", "2026-10-26T00:00:00+00:00"),  # 25 hours
])
def test_a_date_means_that_whole_day_in_london(day, start, end):
    assert (start_of_day(day), end_of_day(day)) == (u(start), u(end))


def test_a_clock_time_in_the_spring_gap_moves_forward_by_the_gap():
    assert at_london(D(2026, 3, 29), dt.time(1, 30)) == u("2026-03-29T01:30:00+00:00")  # = 02:30 BST


def test_a_clock_time_repeated_in_autumn_is_its_first_occurrence():
    assert at_london(D(2026, 10, 25), dt.time(1, 30)) == u("2026-10-25T01:30:00+01:00")


# ---- hours, days, months, years -----------------------------------------------------------------

def test_hours_are_elapsed_time():
    assert hours_after(u("2026-03-28T12:00:00+00:00"), 24) == u("2026-03-29T12:00:00+00:00")  # 13:00 BST
    assert hours_after(u("2026-10-24T10:00:00+00:00"), 72) == u("2026-10-27T10:00:00+00:00")


def test_days_are_calendar_days_on_the_london_clock():
    assert days_after(u("2026-03-28T12:00:00+00:00"), 1) == u("2026-03-29T12:00:00+01:00")  # 23 hours later
    assert days_after(u("2026-10-20T11:00:00+01:00"), 7) == u("2026-10-27T11:00:00+00:00")
    assert days_after(u("2026-10-27T18:00:00+00:00"), -30) == u("2026-09-27T18:00:00+01:00")
    assert days_after(u("2026-03-28T01:30:00+00:00"), 1) == u("2026-03-29T01:30:00+00:00")  # into the gap: forward


def test_months_are_calendar_months_ending_on_the_last_day_when_short():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 8, 31), 1) == D(2026, 9, 30)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 3, 15), -3) == D(2025, 12, 15)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert months_after(u("2026-03-02T10:00:00+00:00"), 3) == u("2026-06-02T10:00:00+01:00")
    assert months_after(u("2026-09-15T15:00:00+01:00"), 3) == u("2026-12-15T15:00:00+00:00")


def test_birthdays_on_29_february_fall_on_1_march_in_other_years():
    assert add_years(D(2008, 2, 29), 18) == D(2026, 3, 1)
    assert add_years(D(2020, 2, 29), 4) == D(2024, 2, 29)
    assert add_years(D(2020, 2, 29), 5) == D(2025, 3, 1)
    assert add_years(D(2008, 6, 20), 18) == D(2026, 6, 20)
