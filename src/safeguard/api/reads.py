"""Reading alerts and resolved persons: through the access layer, each read logged as a disclosure."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Field, Query, Schema
from ninja.responses import Status

from safeguard.access.masking import MASK, masked_fields
from safeguard.access.policy import visible
from safeguard.alerts.selectors import alerts_export
from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.clock import now, parse_moment
from safeguard.linkage.selectors import person_export
from safeguard.records.models import Kind, SourceRecord

from .principal import TokenPrincipal
from .urls import api


class RecordRef(Schema):
    source: str
    id: str


class EvidenceRef(Schema):
    source: str
    kind: str
    id: str


class SubjectOut(Schema):
    person: str
    role: str
    records: list[RecordRef]


class AlertOut(Schema):
    id: str
    rule: str
    severity: str
    status: str
    overdue: bool
    raised_at: str
    due_at: str | None
    closed_at: str | None
    summary: str
    subjects: list[SubjectOut]
    evidence: list[EvidenceRef]


class PersonOut(Schema):
    person: str
    display_name: str
    dob: str | None
    records: list[RecordRef]


class Problem(Schema):
    detail: str


class AlertFilters(Schema):
    # Documented as a date-time so clients (and the fuzzer) know a free string is refused.
    as_of: str | None = Field(None, json_schema_extra={"format": "date-time"},
                              description="ISO 8601 date-time with offset, e.g. 2026-11-25T09:00:00+00:00")
    all: bool = False


def _disclose(request: HttpRequest, object_type: str, ids: list[str]) -> None:
    token = request.partner_token
    audit_log(actor=None, actor_label=token.actor_label, action=Action.DISCLOSURE, object_type=object_type,
              object_ids=ids, recipient=str(token.organisation))


@api.get("/alerts", response={200: list[AlertOut], 400: Problem}, summary="Read alerts",
         description="Alerts open as of `as_of` (default now) that this partner may see; with all=true every alert raised by then.")
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]):
    try:
        moment = parse_moment(filters.as_of) if filters.as_of else now()
    except ValueError as exc:
        return Status(400, {"detail": f"as_of: {exc}"})
    alerts = alerts_export(user=TokenPrincipal(request.partner_token), moment=moment, include_closed=filters.all)
    _disclose(request, "alert", [a["id"] for a in alerts])
    return Status(200, alerts)


@api.get("/persons/{person_id}", response={200: PersonOut, 404: Problem}, summary="Read a resolved person",
         description="A resolved person with the source records this partner may see; 404 if none.")
def get_person(request: HttpRequest, person_id: int):
    principal = TokenPrincipal(request.partner_token)
    try:
        person = person_export(user=principal, person_id=person_id)
    except Http404:
        return Status(404, {"detail": "Not found"})
    _disclose(request, "person", [str(person_id)])
    return Status(200, _masked(principal, person_id, person))


def _masked(principal: TokenPrincipal, person_id: int, person: dict) -> dict:
    """Restricted names and dates of birth stay masked for partners outside the allow-list. The
    display name and date of birth are chosen across records, so either is masked when any of the
    person's records restricts it."""
    records = visible(principal, SourceRecord.objects.filter(person_membership__person_id=person_id, kind=Kind.PERSON))
    hidden = set().union(*masked_fields(principal, "person", records.values_list("pk", flat=True)).values())
    if {"given_names", "family_name"} & hidden:
        person = {**person, "display_name": MASK}
    if "dob" in hidden and person["dob"]:
        person = {**person, "dob": MASK}
    return person
