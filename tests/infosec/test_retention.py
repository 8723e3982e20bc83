"""MoPI retention: review dates by group, the review queue, and decisions to retain, restrict or
erase, each with its reason; erasure leaves the audit chain whole and free of the erased data."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from safeguard.access.masking import masked_fields
from safeguard.audit_trail.models import AuditEntry
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.infosec.models import RetentionReview
from safeguard.infosec.retention import retention_decide, retention_schedule, review_due
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import PersonVersion

from .conftest import reauthenticated

DAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(("group", "dob", "due"), [
    (1, dt.date(1990, 2, 28), dt.date(2090, 2, 28)),  # until 100 years of age
    (1, None, dt.date(2036, 11, 25)),  # age unknown: reviewed every 10 years
    (2, dt.date(1990, 2, 28), dt.date(2036, 11, 25)),
    (3, None, dt.date(2032, 11, 25)),
    (4, None, DAY),  # undetermined: reviewed now, to place it in a group
])
def test_review_dates_follow_the_mopi_groups(group, dob, due):
    assert review_due(group, from_date=DAY, dob=dob) == due


def test_a_leap_day_moves_to_the_28th():
    assert review_due(3, from_date=dt.date(2024, 2, 29), dob=None) == dt.date(2030, 2, 28)


def test_an_unknown_group_is_refused():
    with pytest.raises(SafeguardError, match="not a MoPI group"):
        review_due(5, from_date=DAY, dob=None)


def _records(person_id: int) -> list[int]:
    return list(PersonMembership.objects.filter(person_id=person_id).values_list("record_id", flat=True))


def test_erasure_blanks_every_version_and_the_audit_chain_still_verifies(maple, infosec_officer, client):
    dan = maple.people["dan"]
    names = set(PersonVersion.objects.filter(record_id__in=_records(dan)).values_list("family_name", flat=True))
    assert names - {""}
    review = retention_schedule(actor=infosec_officer, person_id=dan, group=4, from_date=DAY)
    call_command("audit", "checkpoint", stdout=StringIO())
    client.force_login(infosec_officer)
    reauthenticated(client)
    assert f"Person {dan}" in client.get(reverse("infosec:retention")).content.decode()

    response = client.post(reverse("infosec:retention-decide", args=[review.pk]),
                           {"decision": "erase", "reason": "No policing purpose remains after review."})

    assert response.status_code == 302
    versions = PersonVersion.objects.filter(record_id__in=_records(dan))
    assert versions.exists()
    assert set(versions.values_list("family_name", "given_names", "dob", "pnc")) == {("", "", "", "")}
    assert all(v == {"erased": True} for v in versions.values_list("payload", flat=True))
    erasure = AuditEntry.objects.get(action="erasure", object_type="retention_review")
    assert erasure.justification == "No policing purpose remains after review."
    every_entry = " ".join(str(e.__dict__) for e in AuditEntry.objects.all())
    assert not any(name.lower() in every_entry.lower() for name in names - {""})
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("audit chain OK")
    review.refresh_from_db()
    assert (review.decision, review.decided_by) == ("erase", infosec_officer)


def test_restricting_masks_the_person_for_everyone(maple, infosec_officer):
    lily = maple.people["lily"]
    review = retention_schedule(actor=infosec_officer, person_id=lily, group=4, from_date=DAY)

    retention_decide(actor=infosec_officer, review_id=review.pk, decision="restrict",
                     reason="Protected victim: mask until the next review.")

    hidden = masked_fields(maple.users["investigator"], "person", _records(lily))
    assert set(hidden) == set(_records(lily)) and all("family_name" in f for f in hidden.values())


def test_retaining_schedules_the_next_review(maple, infosec_officer):
    review = retention_schedule(actor=infosec_officer, person_id=maple.people["mark"], group=4, from_date=DAY)
    review.group = 3
    review.save(update_fields=["group"])

    retention_decide(actor=infosec_officer, review_id=review.pk, decision="retain",
                     reason="Still under investigation for a linked offence.")

    following = RetentionReview.objects.get(decided_at__isnull=True, person_id=maple.people["mark"])
    assert following.group == 3 and following.due_on.year >= DAY.year + 6


def test_decisions_need_information_security_a_reason_and_an_open_review(maple, infosec_officer):
    review = retention_schedule(actor=infosec_officer, person_id=maple.people["mark"], group=4, from_date=DAY)
    with pytest.raises(PermissionDenied):
        retention_decide(actor=maple.users["supervisor"], review_id=review.pk, decision="erase", reason="x" * 20)
    with pytest.raises(SafeguardError, match="at least 10 characters"):
        retention_decide(actor=infosec_officer, review_id=review.pk, decision="erase", reason="short")
    retention_decide(actor=infosec_officer, review_id=review.pk, decision="retain", reason="Kept for the trial.")
    with pytest.raises(SafeguardError, match="already decided"):
        retention_decide(actor=infosec_officer, review_id=review.pk, decision="erase", reason="Second thoughts here.")


def test_bad_scheduling_input_gets_a_clear_error(maple, infosec_officer, client):
    client.force_login(infosec_officer)
    response = client.post(reverse("infosec:retention"), {"person": 10**9, "group": 2, "from_date": "2026-11-25"})
    assert response.status_code == 400 and f"There is no person {10**9}" in response.content.decode()
    response = client.post(reverse("infosec:retention"), {"person": 1, "group": 2, "from_date": "next Tuesday"})
    assert "Enter the date as YYYY-MM-DD" in response.content.decode()
    assert not RetentionReview.objects.exists()


def test_the_retention_pages_are_not_found_for_everyone_else(client, maple):
    client.force_login(maple.users["supervisor"])
    assert client.get(reverse("infosec:retention")).status_code == 404
