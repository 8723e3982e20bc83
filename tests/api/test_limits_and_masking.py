"""The per-token rate limit, and restricted fields masked in API reads."""

from __future__ import annotations

import pytest

from safeguard.access.masking import MASK
from safeguard.access.models import Restriction
from safeguard.api.models import RequestCount

pytestmark = pytest.mark.django_db


def _get(client, partner, path="/api/v1/alerts"):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {partner.raw}")


def test_beyond_the_limit_the_token_gets_429_with_retry_after(client, partner, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    answers = [_get(client, partner).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = _get(client, partner)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Rate limit reached" in refused.json()["detail"]
    assert RequestCount.objects.get(token=partner.token).count == 5  # counted in the database, for every process


def test_the_limit_is_per_token(client, partner, settings):
    from safeguard.api.models import PartnerToken

    settings.API_RATE_LIMIT_PER_MINUTE = 1
    other = PartnerToken(name="second-system", organisation=partner.token.organisation, sources=[])
    raw = other.issue()
    other.save()
    assert _get(client, partner).status_code == 200
    assert _get(client, partner).status_code == 429
    assert client.get("/api/v1/alerts", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_an_unknown_token_is_refused_before_anything_is_counted(client, partner):
    response = client.get("/api/v1/alerts", HTTP_AUTHORIZATION="Bearer sgp_not-a-token")
    assert response.status_code == 401
    assert not RequestCount.objects.exists()


def test_a_restricted_name_and_birth_date_are_masked_for_a_partner_outside_the_allow_list(client, partner):
    path = f"/api/v1/persons/{partner.person_id}"
    assert _get(client, partner, path).json()["display_name"] == "Lily HARPER"
    restriction = Restriction.objects.create(object_type="person", object_id=partner.record_id,
                                             fields=["given_names", "family_name", "dob"], reason="protected child")

    masked = _get(client, partner, path).json()

    assert (masked["display_name"], masked["dob"]) == (MASK, MASK)
    assert masked["records"] == [{"source": "education", "id": "E1"}]
    restriction.allowed_organisations.add(partner.token.organisation)
    assert _get(client, partner, path).json()["dob"] == "2023-06-14"


def test_the_openapi_document_lists_401_and_429_on_every_operation(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"401", "429"} <= set(operation["responses"]), f"{method.upper()} {path}"
