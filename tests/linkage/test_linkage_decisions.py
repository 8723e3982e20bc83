"""People's decisions on pairs of records: kept, audited, and winning over every later run."""

from __future__ import annotations

import pytest

from safeguard.audit_trail.models import AuditEntry
from safeguard.core.clock import now
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.linkage.models import MembershipChange, PairReview, PersonMembership, ResolvedPerson
from safeguard.linkage.services import link_all, pair_decide, person_split
from safeguard.records.models import Source

from .conftest import feed_lines, load, people, person_of, record_id

REASON = "Checked with the health visitor: same man"


@pytest.fixture
def linked(db, make_user):
    load(feed_lines())
    link_all()
    analyst = make_user("analyst", roles=("analyst",))
    Source.objects.update(organisation=analyst.organisation)
    return analyst


def pending(left: str, right: str) -> PairReview:
    a, b = sorted((record_id(left), record_id(right)))
    return PairReview.objects.create(record_l_id=a, record_r_id=b, match_weight=-2.0, created_at=now(),
                                     evidence=["For: same surname Ellis", "Against: different dates of birth"])


def test_confirming_a_pair_joins_the_two_people_and_later_runs_keep_them_joined(linked) -> None:
    review = pending("police/P3", "police/P6")  # Mark ELLIS and Sanjay PATEL: the model keeps them apart
    mark, sanjay = person_of("police/P3"), person_of("police/P6")

    result = pair_decide(review_id=review.pk, actor=linked, same_person=True, reason=REASON)

    assert person_of("police/P3") == person_of("police/P6") == min(mark, sanjay)  # the older id stays
    assert result.changed_persons == {mark, sanjay}
    assert ResolvedPerson.objects.get(pk=max(mark, sanjay)).merged_into_id == min(mark, sanjay)
    review.refresh_from_db()
    assert (review.status, review.decided_by, review.reason) == (PairReview.Status.CONFIRMED, linked, REASON)
    moved = MembershipChange.objects.filter(kind="person", user=linked)
    assert moved.exists() and all(REASON in change.reason for change in moved)
    entry = AuditEntry.objects.filter(action="combination", object_type="person_pair").get()
    assert entry.actor == linked and entry.details["decision"] == "same person"

    link_all()
    assert person_of("police/P3") == person_of("police/P6")


def test_splitting_a_record_off_keeps_it_apart_even_when_a_third_record_bridges(linked) -> None:
    lily = person_of("csc/C1")
    assert person_of("health/H1") == person_of("education/E1") == lily

    result = person_split(person_id=lily, record_ids={record_id("health/H1")}, actor=linked, reason=REASON)

    assert person_of("health/H1") != lily
    assert person_of("csc/C1") == lily  # the id stays with most of its records
    assert lily in result.changed_persons and person_of("health/H1") in result.changed_persons
    decided = set(PairReview.objects.filter(status=PairReview.Status.SPLIT).values_list("record_l_id", "record_r_id"))
    assert decided == {tuple(sorted((record_id("health/H1"), record_id(other)))) for other in ("csc/C1", "education/E1")}
    assert AuditEntry.objects.filter(action="combination", object_type="resolved_person").get().actor == linked

    # education/E1 matches both; the split pair never ends up in one person again.
    link_all()
    assert person_of("health/H1") not in {person_of("csc/C1"), person_of("education/E1")}
    assert person_of("csc/C1") == lily


def test_a_split_pair_stays_apart_when_the_queue_decides_it(linked) -> None:
    review = pending("csc/C2", "police/P4")  # Jade HARPER in two agencies, which the model joins
    pair_decide(review_id=review.pk, actor=linked, same_person=False, reason=REASON)
    assert person_of("csc/C2") != person_of("police/P4")
    link_all()
    assert person_of("csc/C2") != person_of("police/P4")


def test_only_analysts_supervisors_and_administrators_decide(linked, make_user) -> None:
    review = pending("police/P3", "police/P6")
    investigator = make_user("investigator", roles=("investigator",))
    with pytest.raises(PermissionDenied):
        pair_decide(review_id=review.pk, actor=investigator, same_person=True, reason=REASON)
    with pytest.raises(PermissionDenied):
        person_split(person_id=person_of("csc/C1"), record_ids={record_id("health/H1")}, actor=investigator,
                     reason=REASON)
    supervisor = make_user("supervisor", roles=("supervisor",))
    pair_decide(review_id=review.pk, actor=supervisor, same_person=False, reason=REASON)
    assert PairReview.objects.get(pk=review.pk).status == PairReview.Status.SPLIT


def test_a_reviewer_who_cannot_see_both_records_gets_not_found(linked, make_user) -> None:
    review = pending("police/P3", "police/P6")
    elsewhere = make_user("other", organisation="Southshire Police", roles=("analyst",))
    with pytest.raises(PermissionDenied):
        pair_decide(review_id=review.pk, actor=elsewhere, same_person=True, reason=REASON)
    assert PairReview.objects.get(pk=review.pk).status == PairReview.Status.PENDING


def test_bad_decisions_are_refused_with_a_reason(linked) -> None:
    review = pending("police/P3", "police/P6")
    with pytest.raises(SafeguardError, match="at least 10 characters"):
        pair_decide(review_id=review.pk, actor=linked, same_person=True, reason="same")
    pair_decide(review_id=review.pk, actor=linked, same_person=False, reason=REASON)
    with pytest.raises(SafeguardError, match="already been decided"):
        pair_decide(review_id=review.pk, actor=linked, same_person=True, reason=REASON)

    lily = person_of("csc/C1")
    members = set(PersonMembership.objects.filter(person_id=lily).values_list("record_id", flat=True))
    with pytest.raises(SafeguardError, match="but not all of them"):
        person_split(person_id=lily, record_ids=members, actor=linked, reason=REASON)
    with pytest.raises(SafeguardError, match="but not all of them"):
        person_split(person_id=lily, record_ids={record_id("police/P3")}, actor=linked, reason=REASON)
    assert len(people()) == 7
