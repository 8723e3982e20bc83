"""`core.db.plain_rows` (the World's, the scope's and the alert reconciliation's reads) must give
exactly the values Django's `values_list` gives: the same rows, the same types, date-times aware in
UTC with the same tzinfo, JSON parsed; on both databases, read whole (server-side on PostgreSQL)
and a chunk of ids at a time."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.alerts.models import Alert
from safeguard.core.db import among, plain_rows
from safeguard.records.models import (
    EventReference,
    EventSubject,
    EventVersion,
    PersonLocationVersion,
    PersonVersion,
)
from tests.feed.helpers import load as feed_load

from .conftest import moment
from .test_incremental import HORIZON, _batches


def _typed(rows):
    """Rows with each value's type (and a date-time's tzinfo), in one order."""
    return sorted(([(v, type(v).__name__, v.tzinfo if isinstance(v, dt.datetime) else None) for v in row] for row in rows),
                  key=repr)


def test_plain_rows_give_what_values_list_gives(sg):
    from safeguard.alerts.services import evaluate

    for batch in _batches(random.Random(2)):
        assert feed_load(*batch).rejected == 0
    sg._link()
    evaluate(horizon=moment(HORIZON))
    h = moment(HORIZON)
    reads = [
        (EventVersion.objects.filter(recorded_at__lte=h, deleted=False),
         ("id", "record_id", "recorded_at", "valid_to", "type", "at", "ends_at", "attributes", "location_id")),
        (PersonVersion.objects.all(), ("record_id", "recorded_at", "valid_to", "dob_earliest", "dob_latest", "given_names")),
        (PersonLocationVersion.objects.all(), ("record_id", "recorded_at", "person_id", "role", "from_date", "to_date")),
        (EventSubject.objects.filter(version__recorded_at__lte=h), ("version_id", "person_id", "role", "version__record_id")),
        (EventReference.objects.all(), ("version_id", "name", "target_id")),
        (Alert.objects.all(), ("pk", "rule", "key", "raised_at", "due_at", "closed_at", "summary_parts")),
    ]
    for queryset, fields in reads:
        expected = list(queryset.values_list(*fields))
        assert expected or queryset.model is EventReference, f"nothing to compare in {queryset.model.__name__}"
        assert _typed(plain_rows(queryset, fields, size=7)) == _typed(expected)
        ids = [row[0] for row in expected[::2]]
        in_parts = [row for part in among(queryset, fields[0], ids) for row in plain_rows(part, fields, many=False)]
        assert _typed(in_parts) == _typed(row for row in expected if row[0] in set(ids))
    aware = [v for row in plain_rows(*reads[0]) for v in row if isinstance(v, dt.datetime)]
    assert aware and all(v.tzinfo is dt.UTC for v in aware)
    # the raw cursor's queries are counted where Django counts its own
    with CaptureQueriesContext(connection) as captured:
        list(plain_rows(*reads[1]))
    assert len(captured.captured_queries) == 1
