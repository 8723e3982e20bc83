"""Queue counts shared, in production, by the users who may see the same alerts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safeguard.alerts.models import Alert
from safeguard.web.selectors import queue as queue_selectors

pytestmark = pytest.mark.django_db
QUEUE = reverse("web:queue")


@pytest.fixture
def shared(settings):
    settings.PRODUCTION = True
    queue_selectors._shared_counts.clear()
    yield queue_selectors._shared_counts
    queue_selectors._shared_counts.clear()


def _viewed(user, tab="team"):
    """The tab as a new session of the user sees it, and how many grouped (counting) queries it took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        queue = client.get(QUEUE, {"tab": tab}).context["queue"]
    return queue, sum("GROUP BY" in q["sql"] for q in captured.captured_queries)


def test_users_who_see_the_same_alerts_share_the_counts(shared, maple):
    investigator, colleague, teacher = (maple.users[k] for k in ("investigator", "colleague", "teacher"))
    first, grouped = _viewed(investigator)
    assert grouped == 3  # what they may see, every open alert, their own work
    again, grouped = _viewed(colleague)  # the same organisation: the same alerts
    assert grouped == 1  # only their own work
    assert [t.count for t in again.tabs[1:]] == [t.count for t in first.tabs[1:]]
    assert [r.alert.pk for r in again.rows] == [r.alert.pk for r in first.rows]
    # A partner sees other alerts: theirs are read (every open alert is not: it is the same).
    partner, grouped = _viewed(teacher, "all")
    assert grouped == 2
    assert partner.tabs[-1].count < first.tabs[-1].count
    # What a user may see is never taken from another's counts.
    assert queue_selectors._seen_key(teacher) != queue_selectors._seen_key(investigator)
    assert queue_selectors._seen_key(colleague) == queue_selectors._seen_key(investigator)


def test_shared_counts_are_read_again_when_alerts_change_or_after_a_minute(shared, maple, monkeypatch):
    investigator, supervisor = maple.users["investigator"], maple.users["supervisor"]
    first, _ = _viewed(investigator)
    pk = maple.alert("DA-MARAC")
    other = Client()
    other.force_login(supervisor)
    other.post(reverse("web:alert-resolve", args=[pk]), {"rationale": "Discussed at MARAC; a plan is in place."})
    assert Alert.objects.get(pk=pk).resolved_at is not None
    after, grouped = _viewed(investigator)
    assert grouped == 3 and after.tabs[1].count == first.tabs[1].count - 1
    _, grouped = _viewed(investigator)
    assert grouped == 1
    for key, (at, groups) in list(shared.items()):
        shared[key] = (at - queue_selectors.COUNTS_SECONDS - 1, groups)
    _, grouped = _viewed(investigator)
    assert grouped == 3


def test_outside_production_nothing_is_shared(maple):
    queue_selectors._shared_counts.clear()
    _viewed(maple.users["investigator"])
    _, grouped = _viewed(maple.users["colleague"])
    assert grouped == 3 and not queue_selectors._shared_counts
