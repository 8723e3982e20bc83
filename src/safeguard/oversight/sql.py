"""SQL pieces the dashboards count with: hours between two moments, and the median of a group.

The median is PostgreSQL's `percentile_cont(0.5)` (the mean of the two middle values of an even
number, as `board.median`); SQLite has no such aggregate, so there the dashboards read the two
moments of the rows concerned and take the median in Python (`has_median`).
"""

from __future__ import annotations

from django.db.models import Aggregate, FloatField, Func


def has_median(connection) -> bool:
    return connection.vendor == "postgresql"


class Hours(Func):
    """Hours from the second moment to the first, as a float (PostgreSQL)."""

    arg_joiner = " - "
    template = "(CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision) / 3600.0)"
    output_field = FloatField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


class Days(Hours):
    """Days from the second moment to the first, as a float (PostgreSQL)."""

    template = "(CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision) / 86400.0)"


class Median(Aggregate):
    """The median of a group (PostgreSQL's ordered-set aggregate), FILTER-able like any aggregate."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()
