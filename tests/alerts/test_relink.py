"""Alerts follow linkage's merges and splits (shared/spec/rules.md, "When linkage changes"):
a merge keeps the oldest resolved id and its alerts move with it, two alerts that now share a key
become one (the older, keeping every action on both); after a split an alert stays with the
resolved person that keeps its evidence, and one whose condition no longer holds lapses.

The people are joined and split the way analysts do it (the review queue and the person page),
on records loaded through the feed; the alerts are those the rules raise (RISKY-ADULT-CHILD: an
adult with a violent conviction living with a child)."""

from __future__ import annotations

import pytest

from safeguard.alerts.models import Alert, AlertEvidence, AlertSubject
from safeguard.alerts.services import alert_acknowledge, alert_assign, evaluate
from safeguard.audit_trail.models import AuditEntry
from safeguard.core.clock import now
from safeguard.feed.hooks import after_load
from safeguard.linkage.models import PairReview
from safeguard.linkage.services import pair_decide, person_split
from safeguard.records.models import Source
from tests.feed.helpers import load
from tests.linkage.conftest import person_of, record_id
from tests.rules.builders import T0, adult, home, lives, offence

pytestmark = pytest.mark.django_db

RULE = "RISKY-ADULT-CHILD"
LATER = "2026-04-01T09:00:00+00:00"
REASON = "Checked with the health visitor: the same man"


def ryan(*, offends: bool = True, at_home: bool = True) -> list[dict]:
    """Ryan COLEMAN (police), loaded first: his resolved id is the older."""
    out = [*home(), adult("P1", "1990-01-01", given="Ryan", family="COLEMAN")]
    if offends:
        out.append(offence("O1", "P1", "2021-03-02T23:10:00+00:00", rec="2021-06-15T16:00:00+00:00"))
    if at_home:
        out.append(lives("PL1", "P1", "csc/L1", rec=T0))
    return out


def dean(*, offends: bool = True, education: bool = False) -> list[dict]:
    """The same man as Dean WALSH in health (and education) records, which linkage keeps apart
    from Ryan COLEMAN; recorded a month later."""
    out = [adult("H1", "1984-07-19", given="Dean", family="WALSH", source="health", rec=LATER),
           lives("HL1", "H1", "csc/L1", source="health", rec=LATER)]
    if education:
        out.append(adult("E1", "1984-07-19", given="Dean", family="WALSH", source="education", rec=LATER))
    if offends:
        out.append(offence("O2", "health/H1", "2023-05-01T22:00:00+00:00", rec=LATER))
    return out


@pytest.fixture
def people(make_user):
    officer = make_user("officer", roles=("investigator",))
    colleague = make_user("colleague", roles=("investigator",))
    analyst = make_user("analyst", roles=("analyst",))

    def scene(first: list[dict], second: list[dict]):
        after_load(load(*first))
        after_load(load(*second, origin="second.jsonl"))
        Source.objects.update(organisation=officer.organisation)
        return officer, colleague, analyst

    return scene


def home_id() -> int:
    """The resolved place of the child's home (the alert's key names the adult and the home)."""
    from safeguard.linkage.models import LocationMembership

    return LocationMembership.objects.get(record_id=record_id("csc/L1", "location")).location_id


def confirm(analyst, left: str, right: str) -> None:
    a, b = sorted((record_id(left), record_id(right)))
    review = PairReview.objects.create(record_l_id=a, record_r_id=b, match_weight=-2.0, created_at=now(),
                                       evidence=["Against: different names and dates of birth"])
    pair_decide(review_id=review.pk, actor=analyst, same_person=True, reason=REASON)


def risky() -> list[Alert]:
    return list(Alert.objects.filter(rule=RULE).order_by("raised_at", "pk"))


def subjects(alert: Alert) -> set[tuple[int, str]]:
    return set(AlertSubject.objects.filter(alert=alert).values_list("person_id", "role"))


def evidence(alert: Alert) -> set[int]:
    return set(AlertEvidence.objects.filter(alert=alert).values_list("record_id", flat=True))


def test_a_merge_moves_alerts_to_the_oldest_id_and_two_alerts_of_one_key_become_the_older(people) -> None:
    officer, colleague, analyst = people(ryan(), dean())
    child = person_of("csc/C1")
    ryan_id, dean_id = person_of("police/P1"), person_of("health/H1")
    assert ryan_id < dean_id
    older, newer = risky()
    assert (older.key, newer.key) == (f"{RULE}:{ryan_id}:{home_id()}", f"{RULE}:{dean_id}:{home_id()}")
    alert_acknowledge(alert=older, actor=officer)
    alert_assign(alert=newer, actor=officer, assignee=colleague)
    alert_acknowledge(alert=newer, actor=colleague)

    confirm(analyst, "police/P1", "health/H1")

    assert person_of("health/H1") == ryan_id  # the oldest resolved id stays
    (merged,) = risky()
    assert merged.pk == older.pk and merged.key == f"{RULE}:{ryan_id}:{home_id()}"
    assert not Alert.objects.filter(pk=newer.pk).exists()
    actions = list(merged.history.order_by("at", "pk").values_list("action", "actor__username"))
    assert actions[:3] == [("acknowledged", "officer"), ("assigned", "officer"), ("acknowledged", "colleague")]
    assert actions[3][0] == "merged"
    assert (merged.acknowledged_by, merged.assigned_to) == (officer, officer)
    assert subjects(merged) == {(ryan_id, "adult"), (child, "child")}
    assert {record_id(r, "event") for r in ("police/O1", "police/O2")} <= evidence(merged)
    entry = AuditEntry.objects.get(object_type="alert_relink")
    assert entry.actor == analyst and entry.details["merged"] == {str(older.pk): [newer.pk]}

    evaluate()  # a later full evaluation keeps the one alert and what people did
    (again,) = risky()
    assert (again.pk, again.acknowledged_by, again.history.count()) == (older.pk, officer, 4)


def test_after_a_split_an_alert_stays_with_the_person_that_keeps_its_evidence(people) -> None:
    officer, _, analyst = people(ryan(), dean(education=True))
    child = person_of("csc/C1")
    assert person_of("health/H1") == person_of("education/E1")
    confirm(analyst, "police/P1", "health/H1")
    joined = person_of("police/P1")
    (alert,) = risky()
    alert_acknowledge(alert=alert, actor=officer)

    # Ryan's record is split off: the resolved id stays with Dean's two records, and Ryan's
    # record (whose offence and home raised the alert first) gets a new id.
    person_split(person_id=joined, record_ids={record_id("police/P1")}, actor=analyst, reason=REASON)

    ryan_id = person_of("police/P1")
    assert person_of("health/H1") == joined != ryan_id
    followed, deans = risky()
    assert followed.pk == alert.pk and followed.key == f"{RULE}:{ryan_id}:{home_id()}"
    # still open: it closes only when the child turns 18, as the rules say
    assert followed.acknowledged_by == officer and followed.closed_at > now()
    assert subjects(followed) == {(ryan_id, "adult"), (child, "child")}
    assert evidence(followed) & {record_id("police/O1", "event")} and record_id("police/O2", "event") not in evidence(followed)
    assert deans.key == f"{RULE}:{joined}:{home_id()}" and not deans.touched_by_people
    assert list(followed.history.order_by("at", "pk").values_list("action", flat=True)) == ["merged", "acknowledged", "moved"]


def test_after_a_split_an_alert_whose_condition_no_longer_holds_lapses(people) -> None:
    # Ryan has the conviction but no home with the child; Dean lives there: only as one man
    # do they raise the alert.
    officer, _, analyst = people(ryan(at_home=False), dean(offends=False))
    assert risky() == []
    confirm(analyst, "police/P1", "health/H1")
    (alert,) = risky()
    assert alert.closed_at > now()  # open (the rules close it when the child turns 18)
    alert_acknowledge(alert=alert, actor=officer)
    before_split = now()

    person_split(person_id=person_of("police/P1"), record_ids={record_id("health/H1")}, actor=analyst, reason=REASON)

    (lapsed,) = risky()
    assert lapsed.pk == alert.pk
    assert lapsed.close_reason == "lapsed" and lapsed.closed_at >= before_split
    assert lapsed.acknowledged_by == officer
    assert set(lapsed.history.values_list("action", flat=True)) == {"acknowledged", "lapsed"}
    assert AuditEntry.objects.filter(object_type="alert_relink", details__lapsed=[alert.pk]).exists()


def test_an_untouched_alert_moves_in_place_to_the_oldest_id(people) -> None:
    # Only Dean (the newer resolved id) has a conviction; nobody has touched his alert.
    _, _, analyst = people(ryan(offends=False), dean())
    child, ryan_id, dean_id = person_of("csc/C1"), person_of("police/P1"), person_of("health/H1")
    (alert,) = risky()
    assert alert.key == f"{RULE}:{dean_id}:{home_id()}"

    confirm(analyst, "health/H1", "police/P1")

    (moved,) = risky()
    assert person_of("health/H1") == ryan_id
    assert moved.pk == alert.pk and moved.key == f"{RULE}:{ryan_id}:{home_id()}"
    assert subjects(moved) == {(ryan_id, "adult"), (child, "child")}
    assert AuditEntry.objects.get(object_type="alert_relink").details["moved"] == {str(alert.pk): moved.key}
