"""Retention review (MoPI): when a person's records are next reviewed, and the decisions to
retain, restrict or erase them, each recorded with its reason.

Erasure removes the personal data from the records and every version of them, keeping the
records' existence, sources and dates, so that what points at them (alerts, memberships) still
holds. The audit trail is never touched: its entries hold ids and counts, not personal data, so
the chain still verifies after an erasure.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from safeguard.access.models import Restriction
from safeguard.accounts.models import User
from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.calendar import london_date
from safeguard.core.clock import now
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import Kind, PersonVersion, SourceRecord
from safeguard.web.selectors.search import reset_index

from .models import Decision, RetentionGroup, RetentionReview

INFOSEC = "information_security"
#: every field of a person version that identifies someone
PERSON_FIELDS = ["given_names", "family_name", "aliases", "dob", "sex", "identifiers"]
_ERASED = {"given_names": "", "family_name": "", "aliases": [], "dob": "", "dob_earliest": None, "dob_latest": None,
           "sex": "unknown", "deceased_on": None, "nhs": "", "pnc": "", "cro": "", "upn": "", "ni": "", "visor": "", "local": "",
           "payload": {"erased": True}}


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def review_due(group: int, *, from_date: dt.date, dob: dt.date | None) -> dt.date:
    """The MoPI review date. Group 1 is kept until the person is 100 (reviewed every 10 years
    when the date of birth is unknown); group 2 every 10 years; group 3 after 6; group 4 now."""
    if group == RetentionGroup.PUBLIC_PROTECTION:
        return _years_after(dob, 100) if dob else _years_after(from_date, 10)
    if group == RetentionGroup.SERIOUS:
        return _years_after(from_date, 10)
    if group == RetentionGroup.OTHER:
        return _years_after(from_date, 6)
    if group == RetentionGroup.UNDETERMINED:
        return from_date
    raise SafeguardError(f"Group {group} is not a MoPI group: choose 1, 2, 3 or 4.")


def _require_infosec(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.has_role(INFOSEC)):
        raise PermissionDenied("Only information security decides retention.")


def _person_records(person_id: int) -> list[int]:
    records = list(PersonMembership.objects.filter(person_id=person_id).values_list("record_id", flat=True))
    if not records:
        raise SafeguardError(f"There is no person {person_id}. Check the person number.")
    return records


def _earliest_dob(records: list[int]) -> dt.date | None:
    return (PersonVersion.objects.filter(record_id__in=records, dob_earliest__isnull=False)
            .order_by("dob_earliest").values_list("dob_earliest", flat=True).first())


def retention_schedule(*, actor: User, person_id: int, group: int, from_date: dt.date) -> RetentionReview:
    """Put a person's records in a MoPI group, due for review on the group's date."""
    _require_infosec(actor)
    with transaction.atomic():
        records = _person_records(person_id)
        review = RetentionReview.objects.create(
            person_id=person_id, group=group, scheduled_at=now(), scheduled_by=actor,
            due_on=review_due(group, from_date=from_date, dob=_earliest_dob(records)))
        audit_log(actor=actor, action=Action.ALTERATION, object_type="retention_review", object_ids=[review.pk],
                  details={"person": person_id, "group": group, "due_on": review.due_on.isoformat()})
    return review


def due_reviews(*, user: User):
    """Undecided reviews due by today, oldest first; none unless the user is information security."""
    if not user.has_role(INFOSEC):
        return RetentionReview.objects.none()
    return RetentionReview.objects.filter(decided_at__isnull=True, due_on__lte=london_date(now())).order_by("due_on")


def retention_decide(*, actor: User, review_id: int, decision: str, reason: str) -> RetentionReview:
    """Close a review: retain (and schedule the next), restrict (mask for everyone) or erase."""
    _require_infosec(actor)
    reason = reason.strip()
    if len(reason) < 10:
        raise SafeguardError("Write the reason for the decision: at least 10 characters.")
    if decision not in Decision.values:
        raise SafeguardError("Choose retain, restrict or erase.")
    with transaction.atomic():
        review = RetentionReview.objects.select_for_update().filter(pk=review_id, decided_at__isnull=True).first()
        if review is None:
            raise SafeguardError("This review does not exist or was already decided.")
        records = _person_records(review.person_id)
        details: dict = {"person": review.person_id, "decision": decision}
        if decision == Decision.RETAIN:
            following = RetentionReview.objects.create(
                person_id=review.person_id, group=review.group, scheduled_at=now(), scheduled_by=actor,
                due_on=review_due(review.group, from_date=london_date(now()), dob=_earliest_dob(records)))
            details["next_review"] = following.due_on.isoformat()
        elif decision == Decision.RESTRICT:
            Restriction.objects.bulk_create([
                Restriction(object_type="person", object_id=record, fields=PERSON_FIELDS, reason=reason, created_by=actor)
                for record in records])
            details["records"] = len(records)
        else:
            details.update(_erase(records))
            transaction.on_commit(reset_index)  # the surname index must forget the erased names
        review.decision, review.reason, review.decided_at, review.decided_by = decision, reason, now(), actor
        review.save(update_fields=["decision", "reason", "decided_at", "decided_by"])
        action = Action.ERASURE if decision == Decision.ERASE else Action.ALTERATION
        audit_log(actor=actor, action=action, object_type="retention_review", object_ids=[review.pk],
                  justification=reason, details=details)
    return review


def _erase(records: list[int]) -> dict[str, int]:
    """Blank the personal data of the person records and every version of them (one UPDATE)."""
    person_records = SourceRecord.objects.filter(pk__in=records, kind=Kind.PERSON).values("pk")
    versions = PersonVersion.objects.filter(record_id__in=person_records).update(**_ERASED)
    return {"records": len(records), "versions": versions}
