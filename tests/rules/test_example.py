"""The public example (shared/examples/maple-road.jsonl) through the rules, with linkage set to the
example's known people: exactly the expected open alerts, in any load order."""

from __future__ import annotations

import json
import random

import pytest

from tests.conftest import SHARED

from .builders import who

FEED = SHARED / "examples" / "maple-road.jsonl"
CHECKS = json.loads((SHARED / "examples" / "maple-road.checks.json").read_text())
PEOPLE = next(c["persons"] for c in CHECKS if "persons" in c)
AS_OF = [c for c in CHECKS if "as_of" in c]


def holds(alerts: list[dict], rule: str, records: list[str], extra: dict | None = None) -> bool:
    return any(a["rule"] == rule and any(set(records) <= set(subject.split("+")) for _, subject in who(a))
               and all(a[k] == v for k, v in (extra or {}).items()) for a in alerts)


def load_example(sg, shuffle: int | None = None) -> None:
    lines = [line for line in FEED.read_text().splitlines() if line.strip()]
    if shuffle is not None:
        random.Random(shuffle).shuffle(lines)
    sg.load(*(json.loads(line) for line in lines))
    for group in PEOPLE:
        sg.same_person(*group)


@pytest.mark.parametrize("check", AS_OF, ids=[f"{c['as_of'][:10]}{'-shuffled' if 'shuffle' in c else ''}" for c in AS_OF])
def test_the_public_example(sg, check):
    load_example(sg, check.get("shuffle"))
    alerts = sg.alerts(check["as_of"], open_only=True)
    for rule, records, *extra in check["open"]:
        assert holds(alerts, rule, records, *extra), (rule, records, extra)
    for rule, records in check["not_open"]:
        assert not holds(alerts, rule, records), (rule, records)
    if "exactly_open" in check:
        assert len(alerts) == check["exactly_open"], [a["rule"] for a in alerts]


def test_the_example_history_found_with_risk_raised_and_satisfied(sg):
    load_example(sg)
    alert = sg.one("2026-11-02T12:00:00+00:00", "MISSING-FOUND-WITH-RISK")
    assert (alert["raised_at"], alert["status"], alert["closed_at"]) == (
        "2026-10-06T08:30:00+00:00", "satisfied", "2026-10-20T12:00:00+00:00")
    assert who(alert) == [("missing", "csc/C3+police/P2"), ("adult", "police/P3+visor/V1")]


def test_the_example_evaluated_day_by_day_gives_the_same_alerts_as_once(sg, link):
    load_example(sg)
    once = sg.alerts("2026-11-02T12:00:00+00:00")
    from safeguard.alerts.models import Alert, EvaluationState

    Alert.objects.all().delete()
    EvaluationState.objects.all().delete()
    import datetime as dt

    day = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)
    while day < dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC):
        sg.evaluate(day.isoformat())
        day += dt.timedelta(days=1)
    daily = sg.alerts("2026-11-02T12:00:00+00:00")
    strip = lambda alerts: [{k: v for k, v in a.items() if k not in ("id",)} | {"subjects": who(a)} for a in alerts]  # noqa: E731
    assert strip(daily) == strip(once)


def test_an_evaluation_writes_only_the_alerts_that_changed(sg):
    """Evaluating again with nothing new rewrites nothing; an alert whose stored evidence no longer
    matches what the rules compute is rewritten, and only that one."""
    from safeguard.alerts.models import Alert, AlertEvidence, AlertSeverity, AlertSubject

    load_example(sg)
    first = sg.evaluate("2026-11-02T12:00:00+00:00")
    assert first["created"] > 0 and first["created"] == first["total"]
    rows = lambda model: sorted(model.objects.values_list("pk", flat=True))  # noqa: E731
    before = {model: rows(model) for model in (AlertSubject, AlertEvidence, AlertSeverity)}
    stamps = dict(Alert.objects.values_list("pk", "summary"))

    again = sg.evaluate("2026-11-02T12:00:00+00:00")
    assert again == {"created": 0, "updated": 0, "unchanged": first["total"], "removed": 0, "total": first["total"]}
    assert {model: rows(model) for model in before} == before  # no detail row deleted and written again
    assert dict(Alert.objects.values_list("pk", "summary")) == stamps

    # Damage one alert's stored evidence and summary: the next evaluation puts back that alert alone.
    damaged = AlertEvidence.objects.order_by("pk").first()
    alert_id, record_id = damaged.alert_id, damaged.record_id
    damaged.delete()
    Alert.objects.filter(pk=alert_id).update(summary="out of date")
    mended = sg.evaluate("2026-11-02T12:00:00+00:00")
    assert mended == {"created": 0, "updated": 1, "unchanged": first["total"] - 1, "removed": 0, "total": first["total"]}
    assert record_id in AlertEvidence.objects.filter(alert_id=alert_id).values_list("record_id", flat=True)
    assert Alert.objects.get(pk=alert_id).summary == stamps[alert_id]
    kept = set(before[AlertSubject]) & set(rows(AlertSubject))  # only the mended alert's subject rows were written again
    assert len(kept) == len(before[AlertSubject]) - AlertSubject.objects.filter(alert_id=alert_id).count()
