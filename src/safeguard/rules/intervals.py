"""Sets of moments as sorted lists of half-open intervals [start, end) in recorded time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

INF = dt.datetime.max.replace(tzinfo=dt.UTC)
NEG_INF = dt.datetime.min.replace(tzinfo=dt.UTC)
Interval = tuple[dt.datetime, dt.datetime]


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals; drop empty ones."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Both inputs must be unions (sorted, disjoint)."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out = []
    for start, end in a:
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
            if cursor >= end:
                break
        if cursor < end:
            out.append((cursor, end))
    return out


def clip(intervals: list[Interval], start: dt.datetime, end: dt.datetime = INF) -> list[Interval]:
    return intersect(intervals, [(start, end)]) if start < end else []


def at_least(n: int, groups: Iterable[Iterable[Interval]]) -> list[Interval]:
    """When at least `n` of the groups hold at once (each group's intervals are merged first, so a
    group counts once however many of its intervals overlap)."""
    if n <= 0:
        raise ValueError("n must be at least 1")
    changes: list[tuple[dt.datetime, int]] = []
    for group in groups:
        for start, end in union(group):
            changes += [(start, 1), (end, -1)]
    changes.sort(key=lambda c: (c[0], c[1]))  # at a shared moment, ends (-1) before starts: half-open spans
    out: list[Interval] = []
    count, since = 0, None
    for moment, step in changes:
        before, count = count, count + step
        if before < n <= count:
            since = moment
        elif count < n <= before and since is not None:
            if since < moment:
                out.append((since, moment))
            since = None
    return union(out)
