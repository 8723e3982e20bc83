"""A partner with a token, a linked person it holds, and the API's own OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from safeguard.accounts.models import Organisation
from safeguard.api.models import PartnerToken
from safeguard.records.models import Source, SourceRecord
from tests.feed.helpers import load, person


@dataclass
class Partner:
    raw: str
    token: PartnerToken
    person_id: int
    record_id: int


@pytest.fixture
def partner(db) -> Partner:
    from django.utils import timezone

    from safeguard.linkage.models import PersonMembership, ResolvedPerson

    school = Organisation.objects.create(name="Little Acorns Nursery", kind="education")
    load(person("E1", source="education", given_names="Lily", family_name="HARPER", dob="2023-06-14"))
    Source.objects.filter(code="education").update(organisation=school)
    record = SourceRecord.objects.get(ext_id="E1")
    resolved = ResolvedPerson.objects.create(created_at=timezone.now())  # as linkage would
    PersonMembership.objects.create(record=record, person=resolved, since=timezone.now())
    token = PartnerToken(name="school-mis", organisation=school, sources=["education"])
    raw = token.issue()
    token.save()
    return Partner(raw, token, resolved.pk, record.pk)
