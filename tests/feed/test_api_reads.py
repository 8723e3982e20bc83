"""Reading alerts and persons through the API: scoped to the token's organisation, logged."""

from __future__ import annotations

import json

import pytest

from safeguard.accounts.models import Organisation
from safeguard.api.models import PartnerToken
from safeguard.audit_trail.models import AuditEntry
from safeguard.linkage.models import LinkageRun
from safeguard.linkage.services import _assign, _Why
from safeguard.records.models import Source, SourceRecord

from .helpers import load, person

pytestmark = pytest.mark.django_db


def _token(name: str, org: Organisation, sources: list[str]) -> str:
    token = PartnerToken(name=name, organisation=org, sources=sources)
    raw = token.issue()
    token.save()
    return raw


@pytest.fixture
def setup():
    police = Organisation.objects.create(name="Police", kind="police")
    school = Organisation.objects.create(name="School", kind="education")
    load(person("P1"), person("E1", source="education", given_names="Lily", family_name="HARPER", dob="2023-06-14"))
    Source.objects.filter(code="police").update(organisation=police)
    Source.objects.filter(code="education").update(organisation=school)
    from django.utils import timezone

    run = LinkageRun.objects.create(started_at=timezone.now())
    _assign("person", {r: r for r in SourceRecord.objects.filter(kind="person").values_list("pk", flat=True)}, _Why(run),
            subset=False)
    return {"police": _token("police-rms", police, ["police"]), "school": _token("school-mis", school, ["education"])}


def _person_id(ext_id: str) -> int:
    return SourceRecord.objects.get(ext_id=ext_id).person_membership.person_id


def test_a_partner_reads_a_person_it_holds_and_the_read_is_a_disclosure(client, setup):
    pid = _person_id("P1")
    response = client.get(f"/api/v1/persons/{pid}", HTTP_AUTHORIZATION=f"Bearer {setup['police']}")
    assert response.status_code == 200
    assert response.json()["records"] == [{"source": "police", "id": "P1"}]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_ids, entry.recipient) == ("disclosure", "person", [str(pid)], "Police")


def test_another_organisations_person_is_not_found(client, setup):
    response = client.get(f"/api/v1/persons/{_person_id('P1')}", HTTP_AUTHORIZATION=f"Bearer {setup['school']}")
    assert response.status_code == 404
    missing = client.get("/api/v1/persons/999999", HTTP_AUTHORIZATION=f"Bearer {setup['school']}")
    assert missing.status_code == 404 and missing.json() == response.json()


def test_reads_need_a_token(client, setup):
    assert client.get("/api/v1/alerts").status_code == 401
    assert client.get(f"/api/v1/persons/{_person_id('P1')}").status_code == 401


def test_alerts_read_is_a_json_array_and_a_bad_moment_is_400(client, setup):
    ok = client.get("/api/v1/alerts", HTTP_AUTHORIZATION=f"Bearer {setup['police']}")
    assert ok.status_code == 200 and json.loads(ok.content) == []
    bad = client.get("/api/v1/alerts?as_of=2026-01-01T00:00:00", HTTP_AUTHORIZATION=f"Bearer {setup['police']}")
    assert bad.status_code == 400 and "offset" in bad.json()["detail"]
