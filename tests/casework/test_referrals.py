"""Referrals to partners: the disclosure entry, the partner's answer (in the app and through
the API), timeliness, and escalation when an answer is overdue."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from safeguard.api.models import PartnerToken
from safeguard.audit_trail.models import AuditEntry
from safeguard.casework import services
from safeguard.casework.models import InvestigationLog, Referral
from safeguard.core.errors import PermissionDenied, SafeguardError


@pytest.fixture
def referral(force, open_case, clock):
    case = open_case()
    return services.referral_send(
        actor=force["oic"], investigation=case, to_organisation=force.csc,
        shared="Injuries to the baby and the paediatric opinion.", reason="Children Act 1989 s 47: to safeguard a child.",
        request="Join a strategy discussion tomorrow.", response_due_at=clock.moment + dt.timedelta(days=1),
        subjects=[force.child])


def test_sending_is_a_disclosure_with_recipient_and_reason(force, referral):
    entry = AuditEntry.objects.get(action="disclosure", object_type="referral", object_ids=[str(referral.pk)])
    assert entry.recipient == force.csc.name and entry.justification.startswith("Children Act 1989")
    assert referral.agency == "childrens_social_care"
    assert referral.investigation.log.filter(kind=InvestigationLog.Kind.REFERRAL).exists()


def test_a_referral_must_say_what_why_and_to_whom(force, open_case, clock):
    case = open_case()
    base = dict(actor=force["oic"], investigation=case, to_organisation=force.csc, shared="x", reason="y", request="z",
                response_due_at=clock.moment + dt.timedelta(days=1))
    with pytest.raises(SafeguardError, match="why you are sharing"):
        services.referral_send(**{**base, "reason": " "})
    with pytest.raises(SafeguardError, match="children's social care, health"):
        services.referral_send(**{**base, "to_organisation": force.other_force})
    with pytest.raises(SafeguardError, match="Only people on the case"):
        services.referral_send(**base, subjects=[force.sibling])


def test_the_partner_answers_once_late_answers_are_marked(force, referral, clock):
    with pytest.raises(PermissionDenied):
        services.referral_respond(actor=force["nurse"], referral=referral, decision="accepted", response="Not ours")
    clock.advance(days=2)
    answered = services.referral_respond(actor=force["social_worker"], referral=referral, decision="accepted",
                                         response="Strategy discussion booked; social worker allocated.")
    assert answered.responded_at == clock.moment and answered.responded_at > answered.response_due_at
    entry = answered.investigation.log.get(kind=InvestigationLog.Kind.REFERRAL_RESPONSE)
    assert entry.data["late"] is True
    with pytest.raises(services.AlreadyAnswered):
        services.referral_respond(actor=force["social_worker"], referral=referral, decision="declined", response="No")


def test_overdue_referrals_are_escalated_once(force, referral, clock):
    assert services.escalate_overdue_referrals(now=referral.response_due_at - dt.timedelta(minutes=1)) == 0
    later = referral.response_due_at + dt.timedelta(days=2)
    assert services.escalate_overdue_referrals(now=later) == 1
    referral.refresh_from_db()
    assert referral.escalated_at == later and "2 days after it was due" in referral.escalation_note
    assert services.escalate_overdue_referrals(now=later + dt.timedelta(days=1)) == 0
    assert referral.investigation.log.filter(kind="referral", data__escalated=True).count() == 1


def test_the_clock_command_escalates(force, referral, capsys):
    at = (referral.response_due_at + dt.timedelta(days=1)).isoformat()
    call_command("casework_clock", "--at", at)
    assert "1 overdue referral escalated" in capsys.readouterr().out
    assert Referral.objects.get(pk=referral.pk).escalated_at is not None


def test_escalation_mails_the_partner_and_the_case_supervisors(force, referral, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_overdue_referrals(now=referral.response_due_at + dt.timedelta(days=1))
    [message] = mail.outbox
    assert set(message.to) == {"social_worker@example.org", "sergeant@example.org", "sergeant2@example.org"}
    assert "Injuries" not in message.body  # no personal data in mail: a reference and a link


# ---- the partner's pages and API --------------------------------------------------------------

def test_the_partner_answers_in_the_app(force, referral, client):
    client.force_login(force["social_worker"])
    listing = client.get(reverse("casework:referrals"))
    assert referral.investigation.reference in listing.content.decode()
    url = reverse("casework:referral", args=[referral.pk])
    page = client.get(url)
    assert "Injuries to the baby" in page.content.decode()
    missing = client.post(url, {"decision": "accepted"})
    assert missing.status_code == 200 and "Enter your response" in missing.content.decode()
    assert client.post(url, {"decision": "accepted", "response": "Allocated to a social worker."}).status_code == 302
    assert Referral.objects.get(pk=referral.pk).responded_by == force["social_worker"]
    # Another partner, and the partner on the case page: not found.
    client.force_login(force["nurse"])
    assert client.get(url).status_code == 404
    client.force_login(force["social_worker"])
    assert client.get(reverse("casework:case", args=[referral.investigation_id])).status_code == 404


def _token(org, name):
    token = PartnerToken(name=name, organisation=org)
    raw = token.issue()
    token.save()
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_partner_api(force, referral, client):
    csc, health = _token(force.csc, "csc-system"), _token(force.health, "health-system")
    listed = client.get("/api/v1/referrals", **csc)
    assert listed.status_code == 200
    [item] = listed.json()
    assert (item["id"], item["decision"], item["subjects"]) == (str(referral.pk), None, [str(force.child.pk)])
    assert client.get("/api/v1/referrals", **health).json() == []
    assert AuditEntry.objects.filter(action="disclosure", object_type="referral", actor_label="token:csc-system").exists()

    url = f"/api/v1/referrals/{referral.pk}/response"
    assert client.post(url, {"decision": "accepted", "response": "x"}, content_type="application/json",
                       **health).status_code == 404
    bad = client.post(url, {"decision": "maybe", "response": "x"}, content_type="application/json", **csc)
    assert bad.status_code == 422
    empty = client.post(url, {"decision": "accepted", "response": " "}, content_type="application/json", **csc)
    assert empty.status_code == 400 and "Enter your response" in empty.json()["detail"]
    ok = client.post(url, {"decision": "more_information", "response": "Please send the medical report."},
                     content_type="application/json", **csc)
    assert ok.status_code == 200 and ok.json()["decision"] == "more_information"
    assert AuditEntry.objects.filter(action="collection", object_type="referral", actor_label="token:csc-system").exists()
    again = client.post(url, {"decision": "accepted", "response": "x"}, content_type="application/json", **csc)
    assert again.status_code == 409
    assert client.get("/api/v1/referrals").status_code == 401


def test_the_running_clock_escalates_and_anchors_the_audit_chain(force, referral, clock, settings):
    from safeguard.core import ticks

    for tick in ticks._TICKS.values():
        tick.last = None  # as on a freshly started clock
    clock.set(referral.response_due_at + dt.timedelta(hours=1))
    call_command("clock", "--once")
    assert Referral.objects.get(pk=referral.pk).escalated_at is not None
    checkpoint = json.loads(settings.AUDIT_CHECKPOINT_PATH.read_text().splitlines()[-1])
    assert checkpoint["seq"] > 0 and checkpoint["key_id"] == settings.AUDIT_CHECKPOINT_KEY_ID
