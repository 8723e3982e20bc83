"""The place and household page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import consultations, text

pytestmark = pytest.mark.django_db


def get(client, user, place_id, **params):
    client.force_login(user)
    return client.get(reverse("web:place", args=[place_id]), params)


def test_who_lives_there_now_children_and_adults_with_risk_markers(client, maple):
    response = get(client, maple.users["investigator"], maple.places["14 Maple Road"])
    assert response.status_code == 200
    page = response.context["page"]
    assert {o.brief.name for o in page.living_now} == {"Lily HARPER", "Jade HARPER", "Daniel James PRICE"}
    assert [(o.brief.name, o.brief.age) for o in page.children_now] == [("Lily HARPER", "3")]
    assert [o.brief.name for o in page.adults_with_markers] == ["Daniel James PRICE"]
    html = response.text
    assert "<h1 class=\"govuk-heading-l govuk-!-margin-bottom-2\">14 Maple Road, Kettering, NN16 8AB</h1>" in html
    assert "1 adult linked to this address has a risk marker: Daniel James PRICE" in text(html)
    assert "Lives here" in html


def test_events_and_alerts_at_the_address(client, maple):
    page = get(client, maple.users["investigator"], maple.places["14 Maple Road"]).context["page"]
    assert {i.type for i in page.events} == {"offence", "domestic_abuse_incident"}
    assert {r.alert.rule for r in page.alerts_open} >= {"RISKY-ADULT-CHILD", "ENCOMPASS", "DA-MARAC"}
    records = {(r.source, r.ext_id): r for r in page.records}
    assert records[("csc", "L1")].uprn == "100031234567"
    assert records[("health", "HL1")].address == "14 Maple Rd, Kettering"


def test_people_who_lived_there_before(client, maple):
    page = get(client, maple.users["investigator"], maple.places["22 Station Road"]).context["page"]
    assert page.living_now == []
    assert [(o.brief.name, str(o.to_date)) for o in page.before] == [("Daniel James PRICE", "2026-08-31")]


def test_as_of_a_past_date(client, maple):
    page = get(client, maple.users["investigator"], maple.places["14 Maple Road"], as_of="2026-08-15").context["page"]
    # Before Dan moved in (and before the nursery's record of Lily, so health's "Lilly" spelling ties).
    assert {o.person_id for o in page.living_now} == {maple.people["lily"], maple.people["jade"]}
    assert page.events == [] and page.alerts_open == []


def test_a_notified_address_and_a_missing_child_found_there(client, maple):
    page = get(client, maple.users["investigator"], maple.places["7 Orchard Close"]).context["page"]
    assert [(o.brief.name, o.roles) for o in page.other_now] == [
        ("Mark ELLIS", ["Notified this address (sex offender register)"])]
    assert [o.brief.name for o in page.adults_with_markers] == ["Mark ELLIS"]


def test_viewing_a_place_is_a_consultation_and_other_organisations_get_404(client, maple):
    investigator, teacher = maple.users["investigator"], maple.users["teacher"]
    place = maple.places["14 Maple Road"]
    get(client, investigator, place)
    assert [e.details["page"] for e in consultations("location", place, investigator)] == ["place"]
    assert get(client, teacher, place).status_code == 404
    assert get(client, teacher, 10**8).status_code == 404
    assert not consultations("location", place, teacher)
