"""The partner API for referrals: a partner system reads the referrals addressed to its
organisation and answers them. Mounted on the main API (api/urls.py) at /api/v1/."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from safeguard.api.principal import TokenPrincipal
from safeguard.audit_trail.services import Action as AuditAction
from safeguard.audit_trail.services import audit_log
from safeguard.core.clock import iso, now
from safeguard.core.errors import PermissionDenied, SafeguardError

from . import selectors, services
from .models import Referral

router = Router(tags=["referrals"])


class ReferralOut(Schema):
    id: str
    case_reference: str
    from_organisation: str
    agency: str
    subjects: list[str]
    shared: str
    reason: str
    request: str
    sent_at: str
    response_due_at: str
    overdue: bool
    escalated_at: str | None
    decision: str | None
    response: str | None
    responded_at: str | None


class ResponseIn(Schema):
    decision: Referral.Decision
    response: str


class Problem(Schema):
    detail: str


def _out(referral: Referral, moment) -> dict:
    return {
        "id": str(referral.pk), "case_reference": referral.investigation.reference,
        "from_organisation": referral.investigation.organisation.name, "agency": referral.agency,
        "subjects": [str(p) for p in referral.subjects.values_list("pk", flat=True)], "shared": referral.shared,
        "reason": referral.reason, "request": referral.request, "sent_at": iso(referral.sent_at),
        "response_due_at": iso(referral.response_due_at),
        "overdue": referral.responded_at is None and referral.response_due_at <= moment,
        "escalated_at": iso(referral.escalated_at), "decision": referral.decision or None,
        "response": referral.response or None, "responded_at": iso(referral.responded_at),
    }


def _logged(request: HttpRequest, ids: list[str]) -> None:
    token = request.partner_token
    audit_log(actor=None, actor_label=token.actor_label, action=AuditAction.DISCLOSURE, object_type="referral",
              object_ids=ids, recipient=str(token.organisation))


@router.get("/referrals", response={200: list[ReferralOut]}, summary="Read referrals",
            description="Referrals sent to this partner's organisation, unanswered first.")
def list_referrals(request: HttpRequest):
    moment = now()
    rows = [_out(r, moment) for r in selectors.partner_referrals(TokenPrincipal(request.partner_token))]
    _logged(request, [r["id"] for r in rows])
    return Status(200, rows)


@router.post("/referrals/{referral_id}/response", response={200: ReferralOut, 400: Problem, 404: Problem, 409: Problem},
             summary="Answer a referral",
             description="Record this partner's decision and response; a referral is answered once.")
def respond(request: HttpRequest, referral_id: int, body: ResponseIn):
    principal = TokenPrincipal(request.partner_token)
    try:
        referral = selectors.partner_referral(principal, referral_id)
    except Http404:
        return Status(404, {"detail": "Not found"})
    try:
        referral = services.referral_respond(actor=principal, referral=referral, decision=body.decision.value,
                                             response=body.response, actor_label=request.partner_token.actor_label)
    except PermissionDenied:
        return Status(404, {"detail": "Not found"})
    except services.AlreadyAnswered as refusal:
        return Status(409, {"detail": str(refusal)})
    except SafeguardError as refusal:
        return Status(400, {"detail": str(refusal)})
    return Status(200, _out(referral, now()))
