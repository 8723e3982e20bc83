"""Search: names with typos and nicknames, dates of birth, addresses, identifiers; access respected."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from safeguard.access.models import Restriction
from safeguard.audit_trail.models import AuditEntry
from safeguard.feed.services import feed_load
from safeguard.records.models import SourceRecord
from safeguard.web.selectors.search import edit_distance, reset_index

pytestmark = pytest.mark.django_db
SEARCH = reverse("web:search")


def found(client, user, **params) -> list[str]:
    client.force_login(user)
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    results = response.context["results"]
    return [r.brief.name for r in results.people] if results else []


@pytest.mark.parametrize("name, who", [
    ("Lily Harper", "Lily HARPER"),
    ("Lilly Harpar", "Lily HARPER"),  # misspelt forename and surname
    ("lily harpur", "Lily HARPER"),
    ("HARPER, Lily", "Lily HARPER"),
    ("Danny Price", "Daniel James PRICE"),  # a nickname
    ("Daniel Pryce", "Daniel James PRICE"),
    ("Tyler Brookes", "Tyler BROOKS"),
    ("Mark Elis", "Mark ELLIS"),
])
def test_names_with_typos_and_nicknames(client, maple, name, who):
    assert found(client, maple.users["investigator"], name=name)[0] == who


def test_a_surname_alone_finds_the_family_and_a_forename_must_match(client, maple):
    user = maple.users["investigator"]
    assert set(found(client, user, name="Harper")) == {"Lily HARPER", "Jade HARPER"}
    assert found(client, user, name="Jade Harper") == ["Jade HARPER"]
    assert found(client, user, name="Noah Harper") == []
    assert found(client, user, name="Tyler") == ["Tyler BROOKS"]  # one word that is no surname: a forename


def test_aliases_are_searched(client, maple):
    line = {"kind": "person", "source": "police", "id": "P9", "recorded_at": "2026-01-05T09:00:00+00:00",
            "given_names": "Kieran", "family_name": "WALSH", "dob": "1988-01-01",
            "aliases": [{"given_names": "Kevin", "family_name": "Marsh"}]}
    feed_load(actor=None, actor_label="test", origin="t", lines=[("t", 1, json.dumps(line))])
    reset_index()
    assert found(client, maple.users["investigator"], name="Kevin Marsh") == ["Kieran WALSH"]


def test_date_of_birth_full_or_partial(client, maple):
    user = maple.users["investigator"]
    assert found(client, user, dob="9/4/2011") == ["Tyler BROOKS"]
    assert found(client, user, dob="2011-04-09") == ["Tyler BROOKS"]
    assert found(client, user, dob="April 2011") == ["Tyler BROOKS"]
    assert set(found(client, user, dob="2023")) == {"Lily HARPER"}
    assert found(client, user, name="Harper", dob="1998") == ["Jade HARPER"]
    client.force_login(user)
    bad = client.get(SEARCH, {"dob": "31/2/2011"})
    assert "Date of birth must be a real date" in bad.text and "<title>Error: Search" in bad.text


def test_address_or_postcode(client, maple):
    user = maple.users["investigator"]
    at_maple = set(found(client, user, address="NN16 8AB"))
    assert at_maple >= {"Lily HARPER", "Jade HARPER", "Daniel James PRICE", "Noah PATEL", "Sanjay PATEL"}
    client.force_login(user)
    places = client.get(SEARCH, {"address": "14 Maple"}).context["results"].places
    assert [p.place.text for p in places] == ["14 Maple Road, Kettering, NN16 8AB"]
    assert set(found(client, user, address="14 Maple", name="Price")) == {"Daniel James PRICE"}


def test_identifiers(client, maple):
    user = maple.users["investigator"]
    assert found(client, user, identifier="943 476 5919") == ["Lily HARPER"]
    assert found(client, user, identifier="2009/0123456X") == ["Daniel James PRICE"]
    assert found(client, user, identifier="VS-0042") == ["Mark ELLIS"]


def test_results_show_enough_to_tell_people_apart(client, maple):
    client.force_login(maple.users["investigator"])
    response = client.get(SEARCH, {"name": "Dan Price"})
    [result] = response.context["results"].people
    assert result.dobs == ["11 Mar 1990"]
    assert result.names == ["Dan PRICE"]
    assert [a.place_id for a in result.addresses] == [maple.places["14 Maple Road"]]
    assert result.brief.sources == ["health", "police"]
    assert "Violence offence, convicted (2021)" in response.text


def test_an_empty_search_says_what_to_enter(client, maple):
    client.force_login(maple.users["investigator"])
    response = client.get(SEARCH, {"name": ""})
    assert "Enter a name, date of birth, address or postcode, or identifier" in response.text
    assert client.get(SEARCH).context["results"] is None  # the first visit shows no error


def test_a_partner_finds_nobody_from_another_organisation(client, maple):
    teacher, nurse = maple.users["teacher"], maple.users["nurse"]
    assert found(client, teacher, name="Daniel Price") == []
    assert found(client, teacher, identifier="2009/0123456X") == []
    assert found(client, teacher, address="22 Station Road") == []
    assert found(client, teacher, name="Lily Harper") == ["Lily HARPER"]  # the nursery's own record
    # The health visitor finds Dan by the name health holds, and sees only what health holds.
    client.force_login(nurse)
    [result] = client.get(SEARCH, {"name": "Dan Price"}).context["results"].people
    assert result.brief.sources == ["health"] and result.names == [] and result.brief.markers == []


def test_a_restricted_name_is_not_found_by_those_who_may_not_see_it(client, maple):
    record = SourceRecord.objects.get(source__code="police", kind="person", ext_id="P4")
    Restriction.objects.create(object_type="person", object_id=record.pk, fields=["given_names", "family_name"],
                               reason="protected victim")
    user = maple.users["investigator"]
    # Jade is still found through the other organisations' records of her, which are not restricted.
    assert found(client, user, name="Jade Harper") == ["Jade HARPER"]
    for other in ("csc", "health"):
        other_record = SourceRecord.objects.get(source__code=other, kind="person", ext_id="C2" if other == "csc" else "H2")
        Restriction.objects.create(object_type="person", object_id=other_record.pk,
                                   fields=["given_names", "family_name"], reason="protected victim")
    assert found(client, user, name="Jade Harper") == []


def test_searching_is_logged_without_what_was_typed(client, maple):
    user = maple.users["investigator"]
    found(client, user, name="Lilly Harpar", dob="2023")
    entry = AuditEntry.objects.filter(action="consultation", object_type="person", actor=user).last()
    assert entry.object_ids == [str(maple.people["lily"])]
    assert entry.details == {"page": "search", "fields": ["name", "dob"], "results": 1}
    assert "Harpar" not in json.dumps(entry.details) + entry.justification


def test_edit_distance_counts_swapped_letters_as_one():
    assert edit_distance("brooks", "brookes") == 1
    assert edit_distance("harper", "harpre") == 1
    assert edit_distance("ellis", "elis") == 1
    assert edit_distance("abc", "xyz") == 3
