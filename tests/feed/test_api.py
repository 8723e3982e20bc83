"""POST /api/v1/feed: tokens scoped to an organisation and its sources."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from safeguard.accounts.models import Organisation
from safeguard.api.models import PartnerToken, hash_token
from safeguard.records.models import SourceRecord

from .helpers import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    org = Organisation.objects.create(name="Northshire Children's Services", kind="childrens_services")
    tok = PartnerToken(name="csc-system", organisation=org, sources=["csc"])
    raw = tok.issue()
    tok.save()
    return raw


def post(client, body, token=None, content_type="application/x-ndjson"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/feed", data=body, content_type=content_type, **headers)


def test_tokens_are_stored_hashed(token):
    stored = PartnerToken.objects.get()
    assert stored.key_hash == hash_token(token) and token not in (stored.key_hash, stored.key_hint + "x")


def test_no_token_is_refused(client):
    response = post(client, json.dumps(person(source="csc")))
    assert response.status_code == 401
    assert SourceRecord.objects.count() == 0


def test_a_wrong_token_is_refused(client, token):
    assert post(client, json.dumps(person(source="csc")), token="sgp_not-a-token").status_code == 401


def test_writing_another_sources_records_is_refused_with_a_clear_message(client, token):
    response = post(client, json.dumps(person(source="police")), token)
    assert response.status_code == 403
    assert "may write only source(s) csc" in response.json()["detail"]
    assert "police" in response.json()["detail"]
    assert SourceRecord.objects.count() == 0


def test_a_body_over_the_limit_gets_413_stating_it(client, token):
    with override_settings(FEED_API_MAX_BYTES=100):
        response = post(client, json.dumps(person(source="csc")) * 3, token)
    assert response.status_code == 413
    assert "limit of 100 bytes" in response.json()["detail"] or "limit is 100 bytes" in response.json()["detail"]


def test_an_unreadable_body_is_400(client, token):
    response = post(client, b"[not json", token)
    assert response.status_code == 400


def test_good_json_lines_load_and_bad_lines_are_listed(client, token):
    body = "\n".join([json.dumps(person("C1", source="csc")), json.dumps(person("C2", source="csc", dob="1990-13-01"))])
    response = post(client, body, token)
    assert response.status_code == 200
    data = response.json()
    assert (data["created"], data["rejected"]) == (1, 1)
    assert data["errors"] == ['api:2: person csc/C2: dob "1990-13-01" is not a date']


def test_a_json_array_loads_too(client, token):
    body = json.dumps([person("C1", source="csc"), person("C2", source="csc")])
    response = post(client, body, token, content_type="application/json")
    assert response.status_code == 200 and response.json()["created"] == 2


def test_the_load_is_audited_as_collection_by_the_token(client, token):
    from safeguard.audit_trail.models import AuditEntry

    post(client, json.dumps(person("C1", source="csc")), token)
    entry = AuditEntry.objects.filter(action="collection").order_by("-seq").first()
    assert (entry.object_type, entry.actor_label) == ("feed_load", "token:csc-system")


def test_the_openapi_document_describes_the_feed(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/feed" in response.json()["paths"]
