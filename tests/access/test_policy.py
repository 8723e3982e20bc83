"""The access layer: organisation scoping, sharing, restriction; lists and details agree."""

from __future__ import annotations

import pytest
from django.http import Http404

from safeguard.access.masking import MASK, mask, masked_fields
from safeguard.access.models import Restriction
from safeguard.access.policy import can_view, get_visible, registered, visible
from safeguard.accounts.models import Organisation
from safeguard.accounts.roles import ROLE_CODES
from safeguard.records.models import LocationVersion, PersonVersion, Source, SourceRecord

from ..feed.helpers import load

pytestmark = pytest.mark.django_db
T = "2026-01-01T09:00:00+00:00"
ORGS = {"police": ("Northshire Police", "police"), "csc": ("Northshire Children's Services", "childrens_services"),
        "health": ("Northshire Health", "health"), "education": ("Little Acorns Nursery", "education")}


def _records_for(source: str) -> list[dict]:
    return [
        {"kind": "person", "source": source, "id": "P1", "recorded_at": T, "given_names": "Ann", "family_name": source},
        {"kind": "location", "source": source, "id": "L1", "recorded_at": T, "address": "1 Mill St", "postcode": "NN17 1AA"},
        {"kind": "person_location", "source": source, "id": "PL1", "recorded_at": T, "person": "P1", "location": "L1", "role": "resides"},
        {"kind": "relationship", "source": source, "id": "R1", "recorded_at": T, "person": "P1", "other": "P2", "type": "parent_of"},
        {"kind": "event", "source": source, "id": "E1", "recorded_at": T, "type": "assessment", "at": T,
         "subjects": [{"person": "P1", "role": "child"}], "location": "L1", "attributes": {"referral": "E0"}},
    ]


@pytest.fixture
def world():
    orgs = {code: Organisation.objects.create(name=name, kind=kind) for code, (name, kind) in ORGS.items()}
    orgs["health"].shares_with.add(orgs["police"])  # health shares its records with the police
    for source in [*ORGS, "unassigned"]:
        load(*_records_for(source))
    for code, org in orgs.items():
        Source.objects.filter(code=code).update(organisation=org)
    from django.utils import timezone

    from safeguard.alerts.models import Alert, AlertEvidence

    for code, org in orgs.items():  # one alert per organisation, raised on its own records
        alert = Alert.objects.create(rule="RHI-72H", key=code, raised_at=timezone.now(), severity="high", summary="s",
                                     owner_organisation=org)
        AlertEvidence.objects.create(alert=alert, record=SourceRecord.objects.get(source__code=code, kind="event", ext_id="E1"))
    return orgs


def _fed_models() -> list:
    """The kinds this world fills: fed records and the alerts raised on them. Casework and
    inspections register need-to-know kinds of their own, proved in their own folders and by
    tests/test_every_url.py."""
    found = [m for m in registered() if m._meta.app_label in ("records", "alerts")]
    assert len(found) >= 8, found
    return found


EXPECTED_SOURCES = {"police": {"police", "health"}, "csc": {"csc"}, "health": {"health"}, "education": {"education"}}


def _source_of(obj) -> str:
    if hasattr(obj, "owner_organisation_id") and obj.owner_organisation_id:
        return obj.key
    for path in ("source", "record__source", "version__record__source"):
        try:
            value = obj
            for part in path.split("__"):
                value = getattr(value, part)
            return value.code
        except AttributeError:
            continue
    raise AssertionError(obj)


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("org_code", list(ORGS))
def test_each_role_in_each_organisation_sees_its_own_and_shared_records_only(world, make_user, role, org_code):
    name, kind = ORGS[org_code]
    user = make_user(f"{role}-{org_code}", organisation=name, kind=kind, roles=(role,))
    for model in _fed_models():
        everything = list(model.objects.all())
        assert everything, model
        listed = set(visible(user, model.objects.all()).values_list("pk", flat=True))
        one_by_one = {obj.pk for obj in everything if can_view(user, obj)}
        assert listed == one_by_one, model  # the two questions agree
        assert {_source_of(obj) for obj in everything if obj.pk in listed} == EXPECTED_SOURCES[org_code], model


def test_not_allowed_looks_like_not_found(world, make_user):
    user = make_user("csc-user", organisation=ORGS["csc"][0], kind="childrens_services")
    police_person = SourceRecord.objects.get(source__code="police", kind="person", ext_id="P1")
    with pytest.raises(Http404) as forbidden:
        get_visible(user, SourceRecord.objects.all(), pk=police_person.pk)
    with pytest.raises(Http404) as missing:
        get_visible(user, SourceRecord.objects.all(), pk=10**9)
    assert str(forbidden.value) == str(missing.value)
    own = SourceRecord.objects.get(source__code="csc", kind="person", ext_id="P1")
    assert get_visible(user, SourceRecord.objects.all(), pk=own.pk) == own


def test_deny_by_default(world, make_user):
    from django.contrib.auth.models import AnonymousUser

    nobody = make_user("no-org", organisation=None)
    inactive = make_user("gone", organisation=ORGS["police"][0], is_active=False)
    for user in (AnonymousUser(), nobody, inactive, None):
        for model in registered():
            assert not visible(user, model.objects.all()).exists()
    from safeguard.accounts.models import Team

    assert not can_view(nobody, Team(pk=1))  # a model with no policy is visible to nobody


def test_records_of_a_source_with_no_organisation_are_seen_only_by_operators(world, make_user):
    admin = make_user("root", organisation=None, is_superuser=True)
    police = make_user("pc", organisation=ORGS["police"][0])
    unassigned = SourceRecord.objects.filter(source__code="unassigned")
    assert visible(admin, unassigned).count() == unassigned.count() > 0
    assert not visible(police, unassigned).exists()


def test_restricted_fields_are_masked_outside_the_allow_list(world, make_user):
    location = LocationVersion.objects.get(record__source__code="csc", record__ext_id="L1")
    keyworker = make_user("keyworker", organisation=ORGS["csc"][0], kind="childrens_services")
    colleague = make_user("colleague", organisation=ORGS["csc"][0], kind="childrens_services")
    restriction = Restriction.objects.create(object_type="location", object_id=location.record_id,
                                             fields=["address", "postcode"], reason="child's placement address")
    restriction.allowed_users.add(keyworker)
    data = {"address": location.address, "postcode": location.postcode, "location_type": location.location_type}
    assert mask(data, masked_fields(keyworker, "location", [location.record_id]).get(location.record_id, set())) == data
    hidden = masked_fields(colleague, "location", [location.record_id])[location.record_id]
    assert mask(data, hidden) == {"address": MASK, "postcode": MASK, "location_type": "dwelling"}
    restriction.allowed_organisations.add(Organisation.objects.get(name=ORGS["csc"][0]))
    assert masked_fields(colleague, "location", [location.record_id]) == {}


def test_person_versions_follow_their_records(world, make_user):
    user = make_user("hv", organisation=ORGS["health"][0], kind="health")
    assert set(visible(user, PersonVersion.objects.all()).values_list("family_name", flat=True)) == {"health"}


def _record_of(obj) -> int:
    if isinstance(obj, SourceRecord):
        return obj.pk
    return obj.record_id if hasattr(obj, "record_id") else obj.version.record_id


def _grant(user, records, *, minutes_ago: int = 0, minutes: int = 30):
    import datetime as dt

    from safeguard.access.models import BreakGlass, BreakGlassObject
    from safeguard.core.clock import now

    opened = now() - dt.timedelta(minutes=minutes_ago)
    use = BreakGlass.objects.create(user=user, subject_type="person", subject_id=1, reason="r" * 20, opened_at=opened,
                                    expires_at=opened + dt.timedelta(minutes=minutes))
    BreakGlassObject.objects.bulk_create([BreakGlassObject(grant=use, kind="record", object_id=r.pk) for r in records])
    return use


@pytest.mark.parametrize("role", ROLE_CODES)
@pytest.mark.parametrize("org_code", list(ORGS))
def test_break_glass_widens_one_users_view_of_the_granted_records_and_both_questions_agree(world, make_user, role,
                                                                                          org_code):
    name, kind = ORGS[org_code]
    user = make_user(f"{role}-{org_code}", organisation=name, kind=kind, roles=(role,))
    colleague = make_user(f"colleague-{role}-{org_code}", organisation=name, kind=kind, roles=(role,))
    foreign = "education" if org_code != "education" else "csc"
    granted = list(SourceRecord.objects.filter(source__code=foreign, ext_id__in=["P1", "E1"]))
    _grant(user, granted)
    _grant(colleague, granted, minutes_ago=31)  # expired: opens nothing
    granted_ids = {r.pk for r in granted}
    for model in _fed_models():
        everything = list(model.objects.all())
        for who, opened in ((user, granted_ids), (colleague, set())):
            listed = set(visible(who, model.objects.all()).values_list("pk", flat=True))
            assert listed == {obj.pk for obj in everything if can_view(who, obj)}, model  # the two questions agree
            if model.__name__ != "Alert":  # alerts follow their owner and evidence, not break-glass
                assert listed == {obj.pk for obj in everything
                                  if _source_of(obj) in EXPECTED_SOURCES[org_code] or _record_of(obj) in opened}, model
    opened = set(visible(user, SourceRecord.objects.filter(source__code=foreign)).values_list("ext_id", flat=True))
    assert opened == {"P1", "E1"}  # the granted records only, not the rest of that source
