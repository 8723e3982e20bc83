"""Break-glass: opening a person's records outside one's scope, with a written reason.

The use is time-boxed (settings.BREAK_GLASS_MINUTES), audited with its reason, announced to
information security by e-mail (no personal data in it: a link only) and listed on the
information-security page until an officer closes it with a review note.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from safeguard.access.models import BreakGlass, BreakGlassObject
from safeguard.accounts.models import User
from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.clock import now
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import EventSubject, PersonLocationVersion, RelationshipVersion

MIN_REASON = 20
INFOSEC = "information_security"


def person_record_ids(person_id: int) -> set[int]:
    """The person's own records and the records about them: events they are a subject of, their
    addresses and relationships (with the places those name). Five queries, whatever the size."""
    own = set(PersonMembership.objects.filter(person_id=person_id).values_list("record_id", flat=True))
    if not own:
        return set()
    events = set(EventSubject.objects.filter(person_id__in=own).values_list("version__record_id", flat=True))
    links = PersonLocationVersion.objects.filter(person_id__in=own).values_list("record_id", "location_id")
    relationships = RelationshipVersion.objects.filter(Q(person_id__in=own) | Q(other_id__in=own)).values_list(
        "record_id", flat=True)
    places = {location for _, location in links if location is not None}
    return own | events | {record for record, _ in links} | places | set(relationships)


def _notify_information_security(use: BreakGlass) -> None:
    recipients = sorted(set(User.objects.filter(groups__name=INFOSEC, is_active=True).exclude(email="")
                            .values_list("email", flat=True)))
    if recipients:
        send_mail(f"Break-glass used by {use.user.get_username()}",
                  f"{use.user.get_username()} opened records outside their scope until "
                  f"{use.expires_at:%Y-%m-%d %H:%M %Z}.\nReview it in Safeguard: /information-security/\n",
                  None, recipients)


def break_glass_open(*, actor: User, person_id: int, reason: str) -> BreakGlass:
    """Open every record of a resolved person to `actor` for settings.BREAK_GLASS_MINUTES."""
    reason = reason.strip()
    if not (actor.is_authenticated and actor.is_active and actor.organisation_id):
        raise PermissionDenied("Only a signed-in practitioner of an organisation can use break-glass.")
    if len(reason) < MIN_REASON:
        raise SafeguardError(f"Write why you need these records: at least {MIN_REASON} characters.")
    with transaction.atomic():
        records = person_record_ids(person_id)
        if not records:
            raise SafeguardError(f"There is no person {person_id}. Check the person number and try again.")
        opened = now()
        use = BreakGlass.objects.create(
            user=actor, subject_type="person", subject_id=person_id, reason=reason, opened_at=opened,
            expires_at=opened + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES))
        BreakGlassObject.objects.bulk_create(
            [BreakGlassObject(grant=use, kind="record", object_id=record) for record in sorted(records)])
        audit_log(actor=actor, action=Action.CONSULTATION, object_type="person", object_ids=[person_id],
                  justification=reason,
                  details={"break_glass": use.pk, "records": len(records), "minutes": settings.BREAK_GLASS_MINUTES})
        transaction.on_commit(lambda: _notify_information_security(use))
    return use


def break_glass_review(*, actor: User, use_id: int, note: str) -> BreakGlass:
    """Information security closes a use with its finding."""
    note = note.strip()
    if not (actor.is_authenticated and actor.is_active and actor.has_role(INFOSEC)):
        raise PermissionDenied("Only information security reviews break-glass uses.")
    if not note:
        raise SafeguardError("Write what you found: the review note is required.")
    with transaction.atomic():
        use = BreakGlass.objects.select_for_update().filter(pk=use_id).first()
        if use is None:
            raise PermissionDenied("Not found")
        if use.reviewed_at is not None:
            raise SafeguardError("This use was already reviewed.")
        if use.user_id == actor.pk:
            raise SafeguardError("Someone else must review your own break-glass use.")
        use.reviewed_at, use.reviewed_by, use.review_note = now(), actor, note
        use.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
        audit_log(actor=actor, action=Action.ALTERATION, object_type="break_glass", object_ids=[use.pk],
                  justification=note, details={"reviewed": True})
    return use


def open_uses(*, user: User):
    """Uses awaiting review, oldest first; none unless the user is information security."""
    if not user.has_role(INFOSEC):
        return BreakGlass.objects.none()
    return BreakGlass.objects.filter(reviewed_at__isnull=True).select_related("user").order_by("opened_at")
