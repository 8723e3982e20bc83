"""What the information-security page reads: unusual access, failed sign-ins, the chain's anchor,
and who has consulted or disclosed a person's records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from safeguard.access.policy import visible
from safeguard.audit_trail.checkpoints import CheckpointCheck, verify_against_checkpoints
from safeguard.audit_trail.models import Action, AuditEntry, AuditHead
from safeguard.core.clock import now
from safeguard.linkage.models import PersonMembership
from safeguard.records.models import SourceRecord

INFOSEC = "information_security"
SUPERVISOR = "supervisor"
WINDOW_PAGE = 2000


def is_information_security(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(INFOSEC))


def may_see_who_has_seen(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(INFOSEC, SUPERVISOR))


@dataclass(frozen=True)
class UnusualAccess:
    actor_label: str
    people: int


def unusual_access() -> list[UnusualAccess]:
    """Users who consulted more than UNUSUAL_ACCESS_PEOPLE distinct people in the last
    UNUSUAL_ACCESS_MINUTES. Entries are read newest first through the (object_type, seq) index
    and the walk stops at the window's start (times rise with seq), so only the window is read."""
    since = now() - dt.timedelta(minutes=settings.UNUSUAL_ACCESS_MINUTES)
    seen: dict[str, set[str]] = defaultdict(set)
    newest = AuditEntry.objects.filter(object_type="person").order_by("-seq").values_list(
        "seq", "at", "action", "actor_label", "object_ids")
    below: int | None = None
    while True:
        page = list((newest.filter(seq__lt=below) if below is not None else newest)[:WINDOW_PAGE])
        for _, at, action, actor, ids in page:
            if at < since:
                break
            if action == Action.CONSULTATION:
                seen[actor].update(ids)
        else:
            if len(page) == WINDOW_PAGE:
                below = page[-1][0]
                continue
        break
    return sorted((UnusualAccess(actor, len(ids)) for actor, ids in seen.items()
                   if len(ids) > settings.UNUSUAL_ACCESS_PEOPLE), key=lambda u: -u.people)


@dataclass(frozen=True)
class FailedSignIns:
    available: bool
    rows: list[dict]


def failed_sign_ins(limit: int = 50) -> FailedSignIns:
    """Recent failures recorded by django-axes, when it is installed (part A's lockout)."""
    if not apps.is_installed("axes"):
        return FailedSignIns(False, [])
    model = apps.get_model("axes", "AccessFailureLog")
    rows = list(model.objects.order_by("-attempt_time").values("username", "ip_address", "attempt_time", "locked_out")[:limit])
    return FailedSignIns(True, rows)


@dataclass(frozen=True)
class ChainStatus:
    head_seq: int
    checkpoints: CheckpointCheck


def chain_status() -> ChainStatus:
    """The head and the check against the external checkpoints (one query). The full walk of
    every entry is `safeguard audit verify`, which the clock runs."""
    head = AuditHead.objects.filter(pk=AuditHead.ROW_ID).values_list("seq", flat=True).first() or 0
    return ChainStatus(head, verify_against_checkpoints(report=lambda seq, message: None))


def person_entries(*, user, person_id: int) -> QuerySet[AuditEntry]:
    """Every consultation and disclosure of a person or of one of their records, newest first.

    404 unless the user may see who has seen (supervisors, information security) and may see at
    least one of the person's records: the list itself names who worked with a child.
    """
    if not may_see_who_has_seen(user):
        raise Http404("Not found")
    records = list(PersonMembership.objects.filter(person_id=person_id).values_list("record_id", flat=True))
    if not records or not visible(user, SourceRecord.objects.filter(pk__in=records)).exists():
        raise Http404("Not found")
    about = Q(object_type="person", object_ids__includes=str(person_id))
    for record in records:
        about |= Q(object_type="person_record", object_ids__includes=str(record))
    return AuditEntry.objects.filter(about, action__in=[Action.CONSULTATION, Action.DISCLOSURE]).order_by("-seq")
