"""The one place the current moment comes from, so that tests and replays can fix it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

UTC = dt.UTC


def now() -> dt.datetime:
    return timezone.now()


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 date-time that must carry an offset; returned in UTC."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError as exc:
        raise ValueError(f'"{text}" is not an ISO 8601 date-time') from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f'"{text}" has no offset: write it as e.g. 2026-11-02T12:00:00+00:00')
    return value.astimezone(UTC)


def iso(value: dt.datetime | None) -> str | None:
    """Date-times in output: ISO 8601 in UTC with +00:00."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat()
