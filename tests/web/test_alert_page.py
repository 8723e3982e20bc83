"""The alert page: what, who, when; the evidence chain in plain words; people, places, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguard.alerts.models import Alert
from safeguard.alerts.services import alert_acknowledge, alert_assign, alert_resolve

from .conftest import consultations

pytestmark = pytest.mark.django_db


def page(client, user, pk):
    client.force_login(user)
    return client.get(reverse("web:alert", args=[pk]))


def test_what_must_be_done_by_whom_and_by_when(client, maple):
    response = page(client, maple.users["investigator"], maple.alert("RISKY-ADULT-CHILD"))
    assert response.status_code == 200
    html = response.text
    assert "<title>Adult with a risk marker linked to a child&#x27;s home – Safeguard</title>" in html
    assert "Daniel James PRICE (violence, convicted 2021) lives at 14 Maple Road" in html  # the summary
    assert "Assess the risk this adult poses to the children in the household" in html
    assert "Northshire Police" in html and "Not assigned to anyone yet" in html
    assert "Overdue by" in html and "9 Sep 2026, 11:00" in html  # due one working day after it was raised


def test_the_evidence_chain_in_plain_words(client, maple):
    html = page(client, maple.users["investigator"], maple.alert("RISKY-ADULT-CHILD")).text
    # Each record: what it is, when it happened, who and where, its source, id and when it was recorded.
    assert "Offence" in html and "2 Mar 2021, 23:10" in html
    assert "Violence. Outcome: convicted" in html
    assert "Police record O1, recorded 15 Jun 2021, 17:00" in html
    assert "Health record HPL3, recorded 8 Sep 2026, 11:00" in html
    assert "Lives at an address" in html and "From 1 Sep 2026" in html
    assert "(partner)" in html
    # Oldest first: the conviction comes before the health visitor's record of the new partner.
    assert html.index("Police record O1") < html.index("Health record HPL3")


def test_people_and_places_involved_with_links(client, maple):
    html = page(client, maple.users["investigator"], maple.alert("RISKY-ADULT-CHILD")).text
    dan, lily = maple.people["dan"], maple.people["lily"]
    assert f'href="{reverse("web:person", args=[dan])}"' in html
    assert f'href="{reverse("web:person", args=[lily])}"' in html
    assert "Born 14 Jun 2023, aged 3" in html
    assert "Violence offence, convicted (2021)" in html  # the adult's risk marker, with its source
    assert f'href="{reverse("web:place", args=[maple.places["14 Maple Road"]])}"' in html


def test_history_shows_who_did_what_and_when(client, maple):
    investigator, supervisor, colleague = (maple.users[k] for k in ("investigator", "supervisor", "colleague"))
    alert = Alert.objects.get(pk=maple.alert("DA-MARAC"))
    alert_acknowledge(alert=alert, actor=investigator)
    alert_assign(alert=alert, actor=supervisor, assignee=colleague)
    alert_resolve(alert=alert, actor=colleague, rationale="Referred to MARAC; case heard on Thursday.")
    html = page(client, investigator, alert.pk).text
    assert "moj-timeline" in html
    for text in ("Raised", "Acknowledged", "by Sam Jones", "Assigned", "by Chris Lee", "to Amir Khan", "Resolved",
                 "by Amir Khan", "Referred to MARAC; case heard on Thursday."):
        assert text in html, text
    assert "Act on this alert" not in html  # closed: nothing to do
    assert "Reason: “Referred to MARAC; case heard on Thursday.”" in html


def test_satisfied_alerts_say_so(client, maple):
    # Missing from 5 October, found at a registered sex offender's address, then a strategy discussion.
    pk = maple.alert("MISSING-FOUND-WITH-RISK")
    html = page(client, maple.users["investigator"], pk).text
    assert "Done: the records now show what was required" in html
    assert "Done</strong>" in html


def test_viewing_an_alert_is_a_consultation(client, maple):
    investigator = maple.users["investigator"]
    pk = maple.alert("RISKY-ADULT-CHILD")
    page(client, investigator, pk)
    entries = consultations("alert", pk, investigator)
    assert [e.details for e in entries] == [{"page": "alert"}]


def test_a_partner_sees_only_the_evidence_shared_with_them(client, maple):
    # Health's records are part of the evidence, so the health visitor may open the alert;
    # the police records behind it are not shared with health.
    html = page(client, maple.users["nurse"], maple.alert("RISKY-ADULT-CHILD")).text
    assert "Health record HPL3" in html
    assert "Police record O1" not in html
    assert "held by an organisation that does not share them with yours" in html


def test_an_alert_outside_the_users_organisations_is_not_found(client, maple):
    response = page(client, maple.users["teacher"], maple.alert("MISSING-REPEAT"))
    assert response.status_code == 404
    assert "Page not found" in response.text
    missing = page(client, maple.users["teacher"], 10**8)
    assert missing.status_code == 404


def test_where_a_missing_child_was_found_is_in_the_evidence(client, maple):
    html = page(client, maple.users["investigator"], maple.alert("MISSING-FOUND-WITH-RISK")).text
    assert "Found at" in html
    assert f'href="{reverse("web:place", args=[maple.places["7 Orchard Close"]])}"' in html
