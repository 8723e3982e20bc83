"""Fast time arithmetic for the generator.

Moments are integer seconds since 1970-01-01T00:00:00Z; days are proleptic Gregorian ordinals
(``date.toordinal()``). Europe/London summer time and England and Wales bank holidays are
computed here independently of Safeguard's own calendar code, so that the ground truth does not
share its bugs.
"""

from __future__ import annotations

import bisect
import datetime as dt

EPOCH = dt.date(1970, 1, 1).toordinal()
DAY = 86400
HOUR = 3600
MINUTE = 60
INF = 1 << 62


def day_of(d: dt.date) -> int:
    return d.toordinal()


def ts_of_day(day: int, seconds: int = 0) -> int:
    """UTC moment of ``seconds`` after 00:00 UTC of ``day`` (not London)."""
    return (day - EPOCH) * DAY + seconds


def _last_sunday(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1).toordinal()
    last = nxt - 1
    return last - (dt.date.fromordinal(last).weekday() + 1) % 7


_BST_YEARS: list[int] = []
_BST_START: list[int] = []  # UTC moment summer time starts (01:00 UTC, last Sunday of March)
_BST_END: list[int] = []  # UTC moment it ends (01:00 UTC, last Sunday of October)
for _y in range(1900, 2101):
    _BST_YEARS.append(ts_of_day(dt.date(_y, 1, 1).toordinal()))
    _BST_START.append(ts_of_day(_last_sunday(_y, 3), HOUR))
    _BST_END.append(ts_of_day(_last_sunday(_y, 10), HOUR))


_LAST = [0, 0, 0, 0]  # year start, next year start, summer start, summer end of the last year looked up


def london_offset(ts: int) -> int:
    """Seconds Europe/London is ahead of UTC at moment ``ts`` (3600 in summer time, else 0)."""
    last = _LAST
    if not last[0] <= ts < last[1]:
        i = bisect.bisect_right(_BST_YEARS, ts) - 1
        last[0], last[1], last[2], last[3] = _BST_YEARS[i], _BST_YEARS[i + 1], _BST_START[i], _BST_END[i]
    return HOUR if last[2] <= ts < last[3] else 0


def london_day(ts: int) -> int:
    return (ts + london_offset(ts)) // DAY + EPOCH


def london_time(day: int, seconds: int) -> int:
    """UTC moment of a London wall-clock time (``seconds`` after local midnight of ``day``)."""
    guess = ts_of_day(day, seconds)
    ts = guess - london_offset(guess - HOUR)
    if london_offset(ts) != guess - ts:  # at the edges of summer time
        ts = guess - london_offset(ts)
    return ts


def london_midnight(day: int) -> int:
    return london_time(day, 0)


def end_of_day(day: int) -> int:
    """The first moment after a London day (a date-only ``to`` counts to the end of its day)."""
    return london_midnight(day + 1)


_DATE_CACHE: dict[int, str] = {}


def fmt_day(day: int) -> str:
    s = _DATE_CACHE.get(day)
    if s is None:
        s = _DATE_CACHE[day] = dt.date.fromordinal(day).isoformat()
    return s


_TOD: list[str] = []


def _tod(s: int) -> str:
    if not _TOD:
        _TOD.extend(f"T{x // 3600:02d}:{x % 3600 // 60:02d}:{x % 60:02d}" for x in range(DAY))
    return _TOD[s]


def _fmt(ts: int, offset: int, suffix: str) -> str:
    d, s = divmod(ts + offset, DAY)
    day = _DATE_CACHE.get(d + EPOCH) or fmt_day(d + EPOCH)
    return day + (_TOD[s] if _TOD else _tod(s)) + suffix


def fmt_utc(ts: int) -> str:
    return _fmt(ts, 0, "+00:00")


def fmt_z(ts: int) -> str:
    return _fmt(ts, 0, "Z")


def fmt_london(ts: int) -> str:
    off = london_offset(ts)
    return _fmt(ts, off, "+01:00" if off else "+00:00")


FORMATTERS = {"utc": fmt_utc, "z": fmt_z, "london": fmt_london}


_AM_CACHE: dict[tuple[int, int], int] = {}


def add_months_day(day: int, months: int) -> int:
    key = (day, months)
    v = _AM_CACHE.get(key)
    if v is None:
        if len(_AM_CACHE) > 200_000:
            _AM_CACHE.clear()
        v = _AM_CACHE[key] = _add_months_day(day, months)
    return v


def _add_months_day(day: int, months: int) -> int:
    d = dt.date.fromordinal(day)
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(d.day, last)).toordinal()


def add_months(ts: int, months: int) -> int:
    """Calendar months on the London clock; a month without that day ends on its last day."""
    off = london_offset(ts)
    day, secs = divmod(ts + off, DAY)
    return london_time(add_months_day(day + EPOCH, months), secs)


def add_days(ts: int, days: int) -> int:
    off = london_offset(ts)
    day, secs = divmod(ts + off, DAY)
    return london_time(day + EPOCH + days, secs)


def year_of(day: int) -> int:
    return dt.date.fromordinal(day).year


# --- working days ---------------------------------------------------------------------------

_HOLIDAYS: set[int] = set()
_HOLIDAY_YEARS: set[int] = set()

# Bank holidays moved or added by proclamation (England and Wales)
_MOVED = {
    1995: {(5, 1): (5, 8)},
    2002: {(5, 27): (6, 4)},
    2012: {(5, 28): (6, 4)},
    2020: {(5, 4): (5, 8)},
    2022: {(5, 30): (6, 2)},
}
_EXTRA = [
    (1999, 12, 31),
    (2002, 6, 3),
    (2011, 4, 29),
    (2012, 6, 5),
    (2022, 6, 3),
    (2022, 9, 19),
    (2023, 5, 8),
]


def _easter(y: int) -> dt.date:
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(y, month, day)


def bank_holidays(y: int) -> list[dt.date]:
    """England and Wales bank holidays of a year (computed here, independent of Safeguard's calendar)."""
    out = []
    ny = dt.date(y, 1, 1)
    out.append(ny + dt.timedelta(days={5: 2, 6: 1}.get(ny.weekday(), 0)))
    easter = _easter(y)
    out += [easter - dt.timedelta(days=2), easter + dt.timedelta(days=1)]
    may1 = dt.date(y, 5, 1)
    early = may1 + dt.timedelta(days=(7 - may1.weekday()) % 7)
    last_may = dt.date(y, 5, 31) - dt.timedelta(days=dt.date(y, 5, 31).weekday())
    last_aug = dt.date(y, 8, 31) - dt.timedelta(days=dt.date(y, 8, 31).weekday())
    for d in (early, last_may):
        moved = _MOVED.get(y, {}).get((d.month, d.day))
        out.append(dt.date(y, *moved) if moved else d)
    out.append(last_aug)
    xmas, boxing = dt.date(y, 12, 25), dt.date(y, 12, 26)
    if xmas.weekday() == 5:  # Saturday: Monday and Tuesday
        out += [dt.date(y, 12, 27), dt.date(y, 12, 28)]
    elif xmas.weekday() == 6:  # Sunday: Boxing Day Monday, Christmas substitute Tuesday
        out += [boxing, dt.date(y, 12, 27)]
    elif xmas.weekday() == 4:  # Friday: Boxing Day substitute Monday
        out += [xmas, dt.date(y, 12, 28)]
    else:
        out += [xmas, boxing]
    out += [dt.date(*e) for e in _EXTRA if e[0] == y]
    return out


def _load_holidays(year: int) -> None:
    for y in range(min(year, 1960), max(year, 2080) + 1):
        if y not in _HOLIDAY_YEARS:
            _HOLIDAY_YEARS.add(y)
            _HOLIDAYS.update(d.toordinal() for d in bank_holidays(y))


_WD_CACHE: dict[int, bool] = {}


def is_working_day(day: int) -> bool:
    w = _WD_CACHE.get(day)
    if w is None:
        d = dt.date.fromordinal(day)
        if d.year not in _HOLIDAY_YEARS:
            _load_holidays(d.year)
        w = _WD_CACHE[day] = d.weekday() < 5 and day not in _HOLIDAYS
    return w


def add_working_days(ts: int, n: int) -> int:
    """N working days after ``ts``: same London clock time on the N-th working day after its date."""
    off = london_offset(ts)
    day, secs = divmod(ts + off, DAY)
    day += EPOCH
    while n > 0:
        day += 1
        if is_working_day(day):
            n -= 1
    return london_time(day, secs)


def next_working_day_at(ts: int, hour: int) -> int:
    """``hour``:00 London time on the first working day after ``ts``'s London date."""
    day = london_day(ts) + 1
    while not is_working_day(day):
        day += 1
    return london_time(day, hour * HOUR)


def working_day_on_or_after(day: int) -> int:
    while not is_working_day(day):
        day += 1
    return day
