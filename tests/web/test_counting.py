"""On SQLite the web selectors judge "counts as of T" on rows they have read (to keep SQLite's
planner off the valid_to index); that judgement must agree with records.selectors.as_of, and so
must the one query PostgreSQL is asked."""

from __future__ import annotations

import pytest
from django.db.models import Q

from safeguard.core.clock import parse_moment
from safeguard.records.models import VERSION_MODELS, EventSubject, EventVersion
from safeguard.records.selectors import as_of
from safeguard.web.selectors.common import counting, counting_event_ids, counting_in_two_steps

pytestmark = pytest.mark.django_db

MOMENTS = [None, "2019-05-01T10:00:00+00:00", "2026-10-05T20:30:00+00:00", "2026-10-06T08:29:59+00:00",
           "2026-10-06T08:30:00+00:00", "2026-11-02T12:00:00+00:00"]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("kind", list(VERSION_MODELS))
def test_counting_agrees_with_as_of(maple, kind, moment):
    model = VERSION_MODELS[kind]
    when = parse_moment(moment) if moment else None
    everything = Q(record_id__in=list(model.objects.values_list("record_id", flat=True)))
    expected = set(model.objects.filter(as_of(when)).values_list("pk", flat=True))
    assert set(counting(model, when, everything).values_list("pk", flat=True)) == expected
    # The two steps (SQLite's way) on any database.
    assert set(counting_in_two_steps(model, when, everything).values_list("pk", flat=True)) == expected
    assert expected or kind == "relationship"  # the first relationship was recorded in 2020


@pytest.mark.parametrize("moment", MOMENTS)
def test_counting_events_by_subject_agrees_with_as_of(maple, moment):
    when = parse_moment(moment) if moment else None
    people = list(EventSubject.objects.values_list("person_id", flat=True))
    expected = set(EventVersion.objects.filter(as_of(when), subjects__person_id__in=people).values_list("pk", flat=True))
    assert set(counting_event_ids(when, Q(person_id__in=people))) == expected
