"""Restricted fields: masked on every page, revealed only with a reason, which is logged."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safeguard.access.models import Restriction
from safeguard.audit_trail.models import AuditEntry
from safeguard.records.models import SourceRecord

pytestmark = pytest.mark.django_db
REVEAL = reverse("web:reveal")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def placement(maple):
    """Children's services restrict their address of Lily's home (as if a placement address)."""
    record = SourceRecord.objects.get(source__code="csc", kind="location", ext_id="L1")
    Restriction.objects.create(object_type="location", object_id=record.pk, fields=["address", "postcode", "uprn"],
                               reason="placement address")
    return record


@pytest.fixture
def protected(maple):
    record = SourceRecord.objects.get(source__code="csc", kind="person", ext_id="C2")
    Restriction.objects.create(object_type="person", object_id=record.pk, fields=["dob", "identifiers"],
                               reason="protected victim")
    return record


def test_a_restricted_address_is_masked_on_the_place_page(client, maple, placement):
    client.force_login(maple.users["investigator"])
    response = client.get(reverse("web:place", args=[maple.places["14 Maple Road"]]))
    records = {(r.source, r.ext_id): r for r in response.context["page"].records}
    assert records[("csc", "L1")].address == "[restricted]" and records[("csc", "L1")].uprn == "[restricted]"
    assert "100031234567" not in response.text
    assert "14 Maple Road" not in response.text.replace("14 Maple Rd", "")  # health's own spelling is not restricted
    assert f'name="record" value="{placement.pk}"' in response.text  # the reveal form


def test_restricted_person_fields_are_masked_on_the_person_page(client, maple, protected):
    client.force_login(maple.users["investigator"])
    response = client.get(reverse("web:person", args=[maple.people["jade"]]))
    rows = {(r.source, r.ext_id): r for r in response.context["page"].identities}
    assert rows[("csc", "C2")].dob == "[restricted]"
    assert rows[("police", "P4")].dob == "20 Feb 1998"
    assert "Reveal" in response.text


def test_reveal_needs_a_reason(client, maple, placement):
    user = maple.users["investigator"]
    client.force_login(user)
    before = AuditEntry.objects.count()
    response = client.post(REVEAL, {"object_type": "location", "record": placement.pk, "reason": ""}, **HTMX)
    assert "Enter why you need to see this information" in response.text
    assert "govuk-form-group--error" in response.text
    short = client.post(REVEAL, {"object_type": "location", "record": placement.pk, "reason": "need"}, **HTMX)
    assert "Reason must be 10 characters or more" in short.text
    assert "100031234567" not in response.text + short.text
    assert AuditEntry.objects.count() == before


def test_reveal_with_a_reason_shows_the_fields_and_logs_the_reason(client, maple, placement):
    user = maple.users["investigator"]
    client.force_login(user)
    reason = "Strategy discussion today: need the placement address."
    response = client.post(REVEAL, {"object_type": "location", "record": placement.pk, "reason": reason}, **HTMX)
    assert response.status_code == 200
    assert "14 Maple Road, Kettering" in response.text and "100031234567" in response.text
    assert "Your reason has been recorded" in response.text
    entry = AuditEntry.objects.filter(action="consultation", object_type="location_record", actor=user).last()
    assert entry.object_ids == [str(placement.pk)]
    assert entry.justification == reason
    assert entry.details == {"reveal": ["address", "postcode", "uprn"]}
    # Without JavaScript: a page with the same, and a way back.
    page = client.post(REVEAL, {"object_type": "location", "record": placement.pk, "reason": reason,
                                "next": reverse("web:place", args=[maple.places["14 Maple Road"]])})
    assert "<h1 class=\"govuk-heading-l\">Restricted details</h1>" in page.text
    assert f'href="{reverse("web:place", args=[maple.places["14 Maple Road"]])}"' in page.text


def test_reveal_is_a_post_with_the_csrf_token(maple, placement):
    client = Client(enforce_csrf_checks=True)
    client.force_login(maple.users["investigator"])
    assert client.get(REVEAL).status_code == 405
    assert client.post(REVEAL, {"object_type": "location", "record": placement.pk,
                                "reason": "a good enough reason"}).status_code == 403


def test_nobody_reveals_a_record_they_may_not_see(client, maple, placement):
    client.force_login(maple.users["teacher"])
    response = client.post(REVEAL, {"object_type": "location", "record": placement.pk,
                                    "reason": "I would like to see it please"}, **HTMX)
    assert response.status_code == 404
    assert "100031234567" not in response.text


def test_people_on_the_allow_list_see_it_without_asking(client, maple, placement):
    restriction = Restriction.objects.get(object_id=placement.pk)
    restriction.allowed_users.add(maple.users["investigator"])
    client.force_login(maple.users["investigator"])
    response = client.get(reverse("web:place", args=[maple.places["14 Maple Road"]]))
    assert "100031234567" in response.text
    assert f'name="record" value="{placement.pk}"' not in response.text
