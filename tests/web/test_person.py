"""The person page: one person across every source, their chronology, network and records, as of a date."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguard.linkage.models import ResolvedPerson

from .conftest import consultations

pytestmark = pytest.mark.django_db


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def test_names_dates_of_birth_and_identifiers_as_each_source_holds_them(client, maple):
    response = get(client, maple.users["investigator"], "web:person", maple.people["lily"])
    assert response.status_code == 200
    html = response.text
    identities = {(r.source, r.ext_id): r for r in response.context["page"].identities}
    assert set(identities) == {("csc", "C1"), ("health", "H1"), ("education", "E1")}
    assert identities[("health", "H1")].name == "Lilly HARPER"  # the health visitor's spelling, as recorded
    assert identities[("csc", "C1")].name == "Lily HARPER"
    assert ("NHS number", "9434765919") in identities[("csc", "C1")].identifiers
    assert "<h1 class=\"govuk-heading-l govuk-!-margin-bottom-2\">Lily HARPER</h1>" in html  # most sources agree
    assert "Born 14 Jun 2023, aged 3, female" in html
    assert "Known to: Children&#x27;s social care, Education, Health" in html


def test_risk_markers_with_their_source(client, maple):
    header = get(client, maple.users["investigator"], "web:person", maple.people["dan"]).context["person"]
    markers = {(m.kind, m.label, m.source, m.ext_id) for m in header.markers}
    assert ("risk", "Violence offence, convicted (2021)", "police", "O1") in markers
    assert ("risk", "Domestic abuse perpetrator (2026)", "police", "DA1") in markers
    assert ("status", "On a community order", "police", "ORD1") in markers
    mark = get(client, maple.users["investigator"], "web:person", maple.people["mark"]).context["person"]
    assert [(m.label, m.source) for m in mark.markers if m.kind == "risk"] == [("Registered sex offender, high risk", "visor")]
    tyler = get(client, maple.users["investigator"], "web:person", maple.people["tyler"]).context["person"]
    assert ("child", "Missing now, high risk") in {(m.kind, m.label) for m in tyler.markers}
    sanjay = get(client, maple.users["investigator"], "web:person", maple.people["sanjay"]).context["person"]
    assert sanjay.markers == []  # shop theft is no risk marker


def test_addresses_household_and_relationships(client, maple):
    page = get(client, maple.users["investigator"], "web:person", maple.people["dan"]).context["page"]
    assert [(r.role, r.place.place_id) for r in page.addresses_now] == [("resides", maple.places["14 Maple Road"])]
    assert [(r.place.place_id, str(r.to_date)) for r in page.addresses_before] == [
        (maple.places["22 Station Road"], "2026-08-31")]
    [household] = page.households
    assert household.place.text == "14 Maple Road, Kettering, NN16 8AB"  # the fullest of the two sources' spellings
    members = {m.brief.name: (m.brief.age, m.brief.is_child, m.roles) for m in household.members}
    assert members == {"Lily HARPER": ("3", True, ["lives there"]), "Jade HARPER": ("28", False, ["lives there"])}
    assert [(r.label, r.brief.name, r.sources) for r in page.relationships] == [("Partner of", "Jade HARPER", ["health"])]
    jade = get(client, maple.users["investigator"], "web:person", maple.people["jade"]).context["page"]
    assert ("Parent of", "Lily HARPER") in {(r.label, r.brief.name) for r in jade.relationships}
    lily = get(client, maple.users["investigator"], "web:person", maple.people["lily"]).context["page"]
    assert ("Child of", "Jade HARPER") in {(r.label, r.brief.name) for r in lily.relationships}


def test_alerts_about_the_person(client, maple):
    response = get(client, maple.users["investigator"], "web:person", maple.people["dan"])
    open_rules = {r.alert.rule for r in response.context["page"].alerts_open}
    assert {"RISKY-ADULT-CHILD", "REOFFEND-REASSESS"} <= open_rules
    # The bail ended on 10 November, so its address alert lapsed.
    assert "BAIL-ADDRESS" in {r.alert.rule for r in response.context["page"].alerts_closed}
    assert f'href="{reverse("web:alert", args=[maple.alert("RISKY-ADULT-CHILD")])}"' in response.text


def test_chronology_from_every_agency_on_one_timeline(client, maple):
    response = get(client, maple.users["investigator"], "web:person-chronology", maple.people["tyler"])
    items = response.context["page"].items
    assert {i.source for i in items} == {"police", "csc"}
    assert [i.type for i in items].count("missing_episode") == 3
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)  # newest first
    html = response.text
    assert "moj-timeline__item" in html
    assert "Return home interview" in html and "by Children&#x27;s social care" in html
    assert "Police record M1: recorded 6 Oct 2026, 09:30 (version 2; first recorded 5 Oct 2026, 21:30)" in html


def test_chronology_filters_by_type_source_and_period(client, maple):
    user, tyler = maple.users["investigator"], maple.people["tyler"]
    missing = get(client, user, "web:person-chronology", tyler, type="missing_episode").context["page"].items
    assert [i.type for i in missing] == ["missing_episode"] * 3
    csc = get(client, user, "web:person-chronology", tyler, source="csc").context["page"].items
    assert {i.source for i in csc} == {"csc"} and csc
    window = get(client, user, "web:person-chronology", tyler, start="10/10/2026", end="20/10/2026").context["page"].items
    assert [i.ext_id for i in window] == ["SD1", "M2"]
    wrong = get(client, user, "web:person-chronology", tyler, start="31/2/2026")
    assert "From date must be a real date" in wrong.text
    recent = get(client, user, "web:person-chronology", tyler, period="30d").context["page"].items
    assert all(i.at >= timezone.now() - timezone.timedelta(days=30) for i in recent)


def test_as_of_a_past_date_shows_what_was_known_then(client, maple):
    user, dan = maple.users["investigator"], maple.people["dan"]
    response = get(client, user, "web:person", dan, as_of="2026-08-15")
    html = response.text
    assert "You are seeing this page as it was at the end of 15 Aug 2026" in html
    header, page = response.context["person"], response.context["page"]
    assert header.brief.sources == ["police"]  # health recorded "Dan Price" on 8 September
    assert page.households == [] and page.addresses_now == []
    assert page.alerts_open == []
    assert {m.label for m in header.markers} == {"Violence offence, convicted (2021)", "On a community order"}
    # Links keep the date, so the whole picture stays on that day.
    assert f'{reverse("web:person-chronology", args=[dan])}?as_of=2026-08-15' in html
    chronology = get(client, user, "web:person-chronology", dan, **{"as_of-day": "15", "as_of-month": "8",
                                                                        "as_of-year": "2026"}).context["page"]
    assert {i.ext_id for i in chronology.items} == {"O1", "ORD1"}
    bad = get(client, user, "web:person", dan, **{"as_of-day": "31", "as_of-month": "2", "as_of-year": "2026"})
    assert "Date must be a real date" in bad.text and bad.context["moment"] is None


def test_network_of_people_and_places_within_two_steps(client, maple):
    user, dan = maple.users["investigator"], maple.people["dan"]
    page = get(client, user, "web:person-network", dan)
    assert f'data-url="/people/{dan}/network.json"' in page.text
    assert "vendor/cytoscape/cytoscape.min.js" in page.text and "safeguard/network.js" in page.text
    data = get(client, user, "web:person-network-json", dan).json()
    nodes = {n["data"]["id"]: n["data"] for n in data["elements"]["nodes"]}
    assert nodes[f"p{dan}"]["centre"] and nodes[f"p{dan}"]["risk"] == "risk"
    assert nodes[f"p{maple.people['lily']}"]["risk"] == "child"
    assert nodes[f"p{maple.people['jade']}"]["risk"] == "none"
    assert nodes[f"l{maple.places['14 Maple Road']}"]["kind"] == "place"
    assert nodes[f"p{maple.people['lily']}"]["url"] == reverse("web:person", args=[maple.people["lily"]])
    edges = {(e["data"]["source"], e["data"]["target"]): e["data"]["all"] for e in data["elements"]["edges"]}
    # One line per pair, naming each connection: he lives there, and the assault happened there.
    assert edges[(f"p{dan}", f"l{maple.places['14 Maple Road']}")] == [
        "lives at", "domestic abuse incident at", "offence at"]
    assert edges[(f"p{dan}", f"p{maple.people['jade']}")] == ["partner of"]
    labels = {(e["data"]["source"], e["data"]["target"]): e["data"]["label"] for e in data["elements"]["edges"]}
    assert labels[(f"p{dan}", f"l{maple.places['14 Maple Road']}")] == "lives +2"  # short, for the drawing
    # Two steps: Tyler was found at the registered sex offender's notified address.
    tyler = get(client, user, "web:person-network-json", maple.people["tyler"]).json()
    ids = {n["data"]["id"] for n in tyler["elements"]["nodes"]}
    assert f"l{maple.places['7 Orchard Close']}" in ids and f"p{maple.people['mark']}" in ids


def test_source_records_with_provenance(client, maple):
    response = get(client, maple.users["investigator"], "web:person-records", maple.people["tyler"])
    groups = dict(response.context["page"].groups)
    events = {r.ext_id: r for r in groups["Events"]}
    assert events["M1"].versions == 2
    assert events["M1"].load.startswith("load ")
    assert {r.ext_id for r in groups["Person records"]} == {"C3", "P2"}
    assert "maple-road.jsonl" in response.text


def test_each_view_of_a_person_is_a_consultation(client, maple):
    user, dan = maple.users["investigator"], maple.people["dan"]
    for name in ("web:person", "web:person-chronology", "web:person-network", "web:person-records"):
        get(client, user, name, dan)
    pages = [e.details["page"] for e in consultations("person", dan, user)]
    assert pages == ["person", "chronology", "network", "records"]


def test_a_partner_sees_only_what_is_shared_with_them(client, maple):
    nurse = maple.users["nurse"]
    response = get(client, nurse, "web:person", maple.people["dan"])
    assert response.status_code == 200
    assert [r.source for r in response.context["page"].identities] == ["health"]
    assert response.context["person"].markers == []  # the police's records are not shared with health
    chronology = get(client, nurse, "web:person-chronology", maple.people["dan"]).context["page"]
    assert chronology.items == []


def test_another_organisations_person_is_not_found(client, maple):
    teacher = maple.users["teacher"]
    for name in ("web:person", "web:person-chronology", "web:person-network", "web:person-network-json",
                 "web:person-records"):
        assert get(client, teacher, name, maple.people["dan"]).status_code == 404, name
    assert get(client, teacher, "web:person", 10**8).status_code == 404
    assert not consultations("person", maple.people["dan"], teacher)
    assert get(client, teacher, "web:person", maple.people["lily"]).status_code == 200  # the nursery's own record


def test_a_merged_person_redirects_to_the_person_they_became(client, maple):
    old = ResolvedPerson.objects.create(created_at=timezone.now(), merged_into_id=maple.people["dan"])
    response = get(client, maple.users["investigator"], "web:person", old.pk, as_of="2026-10-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:person", args=[maple.people["dan"]]) + "?as_of=2026-10-01"
