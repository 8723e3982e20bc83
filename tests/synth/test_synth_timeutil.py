"""The generator's own calendar (it must not share Safeguard's code, so it is checked here
against zoneinfo and the holidays package)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import holidays

from safeguard.synth import timeutil as T

LONDON = ZoneInfo("Europe/London")


def test_london_offset_matches_zoneinfo():
    rng = random.Random(1)
    lo = int(dt.datetime(1996, 1, 1, tzinfo=dt.UTC).timestamp())
    hi = int(dt.datetime(2060, 1, 1, tzinfo=dt.UTC).timestamp())
    for _ in range(20000):
        ts = rng.randint(lo, hi)
        assert T.london_offset(ts) == dt.datetime.fromtimestamp(ts, LONDON).utcoffset().total_seconds()


def test_formats():
    ts = int(dt.datetime(2026, 7, 1, 12, 30, 5, tzinfo=dt.UTC).timestamp())
    assert T.fmt_utc(ts) == "2026-07-01T12:30:05+00:00"
    assert T.fmt_z(ts) == "2026-07-01T12:30:05Z"
    assert T.fmt_london(ts) == "2026-07-01T13:30:05+01:00"
    winter = int(dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC).timestamp())
    assert T.fmt_london(winter) == "2026-12-01T08:00:00+00:00"


def test_bank_holidays_match_the_holidays_package():
    theirs = holidays.country_holidays("GB", subdiv="ENG", years=range(1996, 2041))
    mine = {d for y in range(1996, 2041) for d in T.bank_holidays(y)}
    assert mine <= set(theirs)
    assert {d for d in theirs if d.weekday() < 5} == mine


def test_working_days():
    rng = random.Random(2)
    hols = holidays.country_holidays("GB", subdiv="ENG", years=range(2015, 2031))
    lo = int(dt.datetime(2016, 1, 1, tzinfo=dt.UTC).timestamp())
    hi = int(dt.datetime(2029, 1, 1, tzinfo=dt.UTC).timestamp())
    for _ in range(2000):
        ts = rng.randint(lo, hi)
        n = rng.randint(1, 45)
        got = dt.datetime.fromtimestamp(T.add_working_days(ts, n), LONDON)
        start = dt.datetime.fromtimestamp(ts, LONDON)
        d, k = start.date(), 0
        while k < n:
            d += dt.timedelta(days=1)
            if d.weekday() < 5 and d not in hols:
                k += 1
        assert got.date() == d and got.time() == start.time()
    # Friday 22:00 before the August bank holiday: 09:00 on Tuesday
    fri = int(dt.datetime(2026, 8, 28, 21, 0, tzinfo=dt.UTC).timestamp())
    assert T.fmt_london(T.next_working_day_at(fri, 9)) == "2026-09-01T09:00:00+01:00"


def test_months():
    jan31 = T.london_time(dt.date(2026, 1, 31).toordinal(), 10 * 3600)
    assert T.fmt_london(T.add_months(jan31, 1)) == "2026-02-28T10:00:00+00:00"
    assert T.fmt_london(T.add_months(jan31, 12)) == "2027-01-31T10:00:00+00:00"
