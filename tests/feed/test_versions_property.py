"""For any sequence of versions of a record, loaded in any order and any batching, "as of T"
answers the latest version recorded by T, or nothing after a delete."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard.records.models import PersonVersion
from safeguard.records.selectors import as_of

from .helpers import load

BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

versions = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.sampled_from(["A", "B", "C", None])),  # None: delete
    min_size=1, max_size=8, unique_by=lambda v: v[0],
)


def _line(offset: int, name: str | None) -> dict:
    at = (BASE + dt.timedelta(hours=offset)).isoformat()
    if name is None:
        return {"kind": "person", "source": "police", "id": "P1", "recorded_at": at, "op": "delete"}
    return {"kind": "person", "source": "police", "id": "P1", "recorded_at": at, "family_name": name}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=versions, order=st.randoms(use_true_random=False), split=st.integers(min_value=0, max_value=8))
def test_as_of_returns_the_latest_version_recorded_by_then(history, order, split):
    PersonVersion.objects.all().delete()
    lines = [_line(offset, name) for offset, name in history]
    order.shuffle(lines)
    load(*lines[:split])
    load(*lines[split:])
    for probe in range(-1, 42):
        moment = BASE + dt.timedelta(hours=probe, minutes=30)
        known = [(offset, name) for offset, name in history if offset <= probe + 0.5]
        expected = max(known)[1] if known else None
        got = PersonVersion.objects.filter(as_of(moment), record__ext_id="P1").first()
        assert (got.family_name if got else None) == expected, (probe, history)
