"""The alert access rule as EXISTS over the evidence (issue 10): the same alerts as the join it
replaced, each once, with no DISTINCT; and `visible` adds DISTINCT only where a rule joins a
many-valued relation."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.utils import timezone

from safeguard.access.policy import _needs_distinct, can_view, condition, visible, visible_organisation_ids
from safeguard.accounts.models import Organisation
from safeguard.alerts.models import Alert, AlertEvidence
from safeguard.records.models import Source, SourceRecord

from ..feed.helpers import load

pytestmark = pytest.mark.django_db
T = "2026-01-01T09:00:00+00:00"
ORGS = {"police": ("Northshire Police", "police"), "csc": ("Northshire Children's Services", "childrens_services"),
        "health": ("Northshire Health", "health"), "education": ("Little Acorns Nursery", "education")}


def _event(source: str, ext_id: str) -> dict:
    return {"kind": "event", "source": source, "id": ext_id, "recorded_at": T, "type": "assessment", "at": T,
            "subjects": [{"person": "P1", "role": "child"}]}


@pytest.fixture
def world():
    orgs = {code: Organisation.objects.create(name=name, kind=kind) for code, (name, kind) in ORGS.items()}
    orgs["health"].shares_with.add(orgs["police"])  # health shares its records with the police
    for source in ORGS:
        load({"kind": "person", "source": source, "id": "P1", "recorded_at": T, "given_names": "Ann",
              "family_name": source}, _event(source, "E1"), _event(source, "E2"), _event(source, "E3"))
        Source.objects.filter(code=source).update(organisation=orgs[source])
    return orgs


def _alert(key: str, owner, *evidence: tuple[str, str]) -> Alert:
    alert = Alert.objects.create(rule="RHI-72H", key=key, raised_at=timezone.now(), severity="high", summary="s",
                                 owner_organisation=owner)
    for source, ext_id in evidence:
        AlertEvidence.objects.create(alert=alert, record=SourceRecord.objects.get(source__code=source, ext_id=ext_id))
    return alert


def _as_joined(user) -> set[int]:
    """The rule as it was written before: a join through the evidence, then DISTINCT."""
    orgs = visible_organisation_ids(user)
    return set(Alert.objects.filter(Q(owner_organisation__in=orgs)
                                    | Q(evidence__record__source__organisation__in=orgs)).distinct()
               .values_list("pk", flat=True))


def test_alerts_are_seen_through_the_evidence_of_a_sharing_organisation_each_once(world, make_user):
    # Owned by children's services, raised on three health records and one of the nursery's.
    shared = _alert("shared", world["csc"], ("health", "E1"), ("health", "E2"), ("health", "E3"), ("education", "E1"))
    # Owned by children's services, raised on the nursery's records only.
    private = _alert("private", world["csc"], ("education", "E1"), ("education", "E2"))
    # No owner, raised on police records.
    unowned = _alert("unowned", None, ("police", "E1"), ("police", "E2"))
    expected = {"police": {shared.pk, unowned.pk},  # health's evidence (shared with the police), its own
                "csc": {shared.pk, private.pk},  # the owner
                "health": {shared.pk},  # its own records are evidence
                "education": {shared.pk, private.pk}}
    for code, (name, kind) in ORGS.items():
        user = make_user(f"u-{code}", organisation=name, kind=kind)
        qs = visible(user, Alert.objects.all())
        assert "DISTINCT" not in str(qs.query).upper()
        listed = list(qs.values_list("pk", flat=True))
        assert len(listed) == len(set(listed)), code  # no alert repeated, though several evidence rows match
        assert set(listed) == expected[code], code
        assert set(listed) == _as_joined(user), code  # as the join it replaced
        assert set(listed) == {a.pk for a in Alert.objects.all() if can_view(user, a)}, code  # both questions agree
        assert qs.count() == len(expected[code])


def test_no_alert_is_seen_when_no_organisation_of_its_evidence_is_visible(world, make_user):
    alert = _alert("health-only", world["health"], ("health", "E1"))
    no_evidence = _alert("bare", world["csc"])
    education = make_user("teacher", organisation=ORGS["education"][0], kind="education")
    assert not visible(education, Alert.objects.all()).exists()
    assert not can_view(education, alert) and not can_view(education, no_evidence)
    nobody = make_user("no-org", organisation=None)
    assert not visible(nobody, Alert.objects.all()).exists()
    # Sharing added later opens the evidence (read afresh outside a request).
    world["health"].shares_with.add(world["education"])
    assert set(visible(education, Alert.objects.all()).values_list("pk", flat=True)) == {alert.pk}


def test_distinct_only_where_a_rule_joins_a_many_valued_relation(world, make_user):
    from safeguard.casework.models import Referral
    from safeguard.inspections.models import Exercise

    user = make_user("pc", organisation=ORGS["police"][0])
    assert not _needs_distinct(Alert, condition(user, Alert))  # owner, OR EXISTS over the evidence
    assert not _needs_distinct(Referral, condition(user, Referral))  # forward foreign keys only
    assert _needs_distinct(Exercise, condition(user, Exercise))  # auditors: a many-to-many
    assert _needs_distinct(Alert, Q(evidence__record__source__organisation__in=[1]))  # the old join would
    assert not _needs_distinct(Alert, Q(pk__in=AlertEvidence.objects.values("alert_id")))
    assert not _needs_distinct(SourceRecord, Q(source__organisation__in=[1]))
