"""The queue's page ids read along the index of open alerts (issue 10) are the ids the plain
ordered query gives: overdue first, then severity, the soonest due, alerts with no due time last,
then raised time and id; alerts open at the moment but closed or resolved since included."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.accounts.models import Organisation
from safeguard.alerts.models import Alert
from safeguard.web.selectors.queue import _Lapsing, _open_q, _ordered, _QueueOrderIds
from safeguard.web.words import SEVERITY_ORDER

pytestmark = pytest.mark.django_db
MOMENT = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _alerts(organisation) -> None:
    hour = dt.timedelta(hours=1)
    n = 0
    for severity in ("low", "critical", "medium", "high", "critical", "bogus"):
        for due in (MOMENT - 5 * hour, MOMENT - hour, MOMENT + hour, MOMENT + 5 * hour, None, MOMENT - hour):
            for raised in (MOMENT - 48 * hour, MOMENT - 24 * hour):
                n += 1
                Alert.objects.create(rule="RHI-72H", key=f"k{n}", raised_at=raised, due_at=due, severity=severity,
                                     summary="s", owner_organisation=organisation)
    # Open at the moment, closed or resolved since: still in the queue as of the moment.
    for n, (closed, resolved, due) in enumerate(((MOMENT + hour, None, MOMENT - hour), (None, MOMENT + hour, None),
                                                 (MOMENT + hour, MOMENT + 2 * hour, MOMENT + hour))):
        Alert.objects.create(rule="MISSING-REPEAT", key=f"later{n}", raised_at=MOMENT - 3 * hour, due_at=due,
                             severity="high", summary="s", owner_organisation=organisation, closed_at=closed,
                             resolved_at=resolved)
    # Not open at the moment: closed or resolved before it, or raised after it.
    Alert.objects.create(rule="MISSING-REPEAT", key="closed", raised_at=MOMENT - 3 * hour, closed_at=MOMENT - hour,
                         severity="critical", summary="s", owner_organisation=organisation)
    Alert.objects.create(rule="MISSING-REPEAT", key="resolved", raised_at=MOMENT - 3 * hour, resolved_at=MOMENT - hour,
                         severity="critical", summary="s", owner_organisation=organisation)
    Alert.objects.create(rule="MISSING-REPEAT", key="future", raised_at=MOMENT + hour, severity="critical", summary="s",
                         owner_organisation=organisation)


def test_the_page_ids_along_the_index_are_the_ordered_querys():
    organisation = Organisation.objects.create(name="Northshire Police", kind="police")
    _alerts(organisation)
    candidates = Alert.objects.filter(_open_q(MOMENT)).filter(owner_organisation=organisation)
    expected = list(_ordered(candidates, MOMENT).values_list("pk", flat=True))
    assert len(expected) == 6 * 6 * 2 + 3
    assert len(set(expected)) == len(expected)
    ids = _QueueOrderIds(candidates, MOMENT)
    for start, stop in ((0, 25), (25, 50), (50, 75), (0, 1), (3, 7), (70, 100), (0, 500), (10, None)):
        assert ids[start:stop] == expected[start:stop], (start, stop)
    # The same with a filter (as a tab's filters narrow the candidates).
    critical = candidates.filter(severity="critical")
    expected = list(_ordered(critical, MOMENT).values_list("pk", flat=True))
    assert _QueueOrderIds(critical, MOMENT)[0:5] == expected[:5] and len(expected) > 5


def test_the_index_ranks_severity_as_the_queue_does():
    index = next(i for i in Alert._meta.indexes if i.name == "alert_open_queue")
    rank = index.expressions[0]
    assert [when.condition.children[0] for when in rank.cases] == [("severity", s) for s in SEVERITY_ORDER]
    assert [when.result.value for when in rank.cases] == list(range(len(SEVERITY_ORDER)))
    assert rank.default.value == len(SEVERITY_ORDER)


def test_the_third_walk_kept_a_while_gives_the_ordered_querys_ids(settings):
    """The alerts that close or were resolved after the moment are read once and kept (shared, in
    production): for a later moment within the minute the page is still the ordered query's,
    though alerts closed, were raised or became overdue between the two moments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguard.web.selectors import queue as queue_selectors

    settings.PRODUCTION = True
    queue_selectors._shared_counts.clear()
    organisation = Organisation.objects.create(name="Northshire Police", kind="police")
    _alerts(organisation)
    second = dt.timedelta(seconds=1)
    for n, (raised, due, closed, severity) in enumerate((
            (MOMENT - 3600 * second, MOMENT + 30 * second, MOMENT + 7200 * second, "critical"),  # overdue in between
            (MOMENT - 3600 * second, MOMENT - 60 * second, MOMENT + 20 * second, "critical"),  # closes in between
            (MOMENT + 10 * second, MOMENT - 60 * second, MOMENT + 7200 * second, "critical"),  # raised in between
            (MOMENT - 3600 * second, MOMENT - 60 * second, MOMENT - 2 * second, "critical"),  # open only before
            (MOMENT - 3600 * second, None, MOMENT + 7200 * second, "low"))):
        Alert.objects.create(rule="MISSING-REPEAT", key=f"between{n}", raised_at=raised, due_at=due, closed_at=closed,
                             severity=severity, summary="s", owner_organisation=organisation)
    Alert.objects.create(rule="MISSING-REPEAT", key="resolved-between", raised_at=MOMENT - 3600 * second,
                         due_at=MOMENT - 60 * second, closed_at=MOMENT + 7200 * second, resolved_at=MOMENT + 20 * second,
                         severity="critical", summary="s", owner_organisation=organisation)
    base = Alert.objects.filter(owner_organisation=organisation)
    try:
        with CaptureQueriesContext(connection) as captured:
            for moment in (MOMENT, MOMENT + 50 * second, MOMENT - 5 * second):
                candidates = Alert.objects.filter(_open_q(moment)).filter(owner_organisation=organisation)
                for overdue_only in (False, True):
                    chosen = candidates.filter(due_at__lt=moment) if overdue_only else candidates
                    expected = list(_ordered(chosen, moment).values_list("pk", flat=True))
                    ids = _QueueOrderIds(chosen, moment, _Lapsing(base, "v1", overdue_only=overdue_only))
                    for start, stop in ((0, 25), (25, 50), (0, 1), (3, 7), (70, 100), (0, 250)):
                        assert ids[start:stop] == expected[start:stop], (moment, overdue_only, start, stop)
        lapsing_reads = [q for q in captured.captured_queries
                         if '"alerts_alert"."resolved_at" AS "resolved_at" FROM' in q["sql"]]
        assert len(lapsing_reads) == 1  # read once, for every moment and both filters
    finally:
        queue_selectors._shared_counts.clear()
