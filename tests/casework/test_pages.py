"""The pages: my cases and my team's cases (needing attention first), the supervisor's view of
overdue supervision and directions, the case page, forms and their error messages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from safeguard.audit_trail.models import AuditEntry
from safeguard.casework import services
from safeguard.casework.models import Action, Investigation
from safeguard.core.clock import now
from safeguard.core.navigation import items_for
from tests.web.conftest import maple  # noqa: F401 - the Maple Road example


def _words(response) -> str:
    from html import unescape

    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def cases(force, clock):
    """Three cases of team A opened in the real present: one fresh, one whose supervision is
    overdue, one with a supervisor's direction overdue."""
    moment = clock.set(now())
    fresh = services.investigation_open(actor=force["oic"], title="Fresh case", category="neglect", risk_level="standard",
                                        team=force.team_a, subjects=[(force.child.pk, "child")])
    clock.set(moment - dt.timedelta(days=30))
    unsupervised = services.investigation_open(actor=force["oic"], title="Unsupervised case", category="sexual",
                                               risk_level="high", team=force.team_a)
    clock.set(moment - dt.timedelta(days=3))
    directed = services.investigation_open(actor=force["colleague"], title="Directed case", category="online",
                                           risk_level="medium", team=force.team_a)
    services.review_record(actor=force["sergeant"], investigation=directed, scope="Plan", rationale="Good start.",
                           directions=[services.Direction("Seize and examine the laptop", force["colleague"],
                                                          moment - dt.timedelta(days=1))])
    clock.set(moment)
    return fresh, unsupervised, directed


def test_my_cases_put_overdue_supervision_first(force, cases, client):
    fresh, unsupervised, directed = cases
    client.force_login(force["oic"])
    response = client.get(reverse("casework:mine"))
    words = _words(response)
    assert words.index("Unsupervised case") < words.index("Fresh case")
    assert "Directed case" not in words  # led by a colleague, no action of mine
    assert AuditEntry.objects.filter(action="consultation", object_type="investigation", actor=force["oic"]).exists()


def test_the_supervisor_sees_what_lacks_supervision_and_which_directions_are_overdue(force, cases, client):
    fresh, unsupervised, directed = cases
    client.force_login(force["sergeant"])
    words = _words(client.get(reverse("casework:team")))
    assert "Directions overdue" in words and "Seize and examine the laptop" in words
    assert words.index("Unsupervised case") < words.index("Directed case") < words.index("Fresh case")
    client.force_login(force["other_sergeant"])
    words = _words(client.get(reverse("casework:team")))
    assert "Seize and examine the laptop" not in words and "Unsupervised case" not in words


def test_the_case_page(force, cases, client):
    fresh, unsupervised, directed = cases
    client.force_login(force["sergeant"])
    response = client.get(reverse("casework:case", args=[directed.pk]))
    words = _words(response)
    for heading in ("Summary", "People", "Actions", "Supervision history", "Bail and release under investigation",
                    "Referrals to partners", "Chronology", "Record a supervisory review"):
        assert heading in words
    assert "Seize and examine the laptop" in words and "Overdue" in words
    assert AuditEntry.objects.filter(action="consultation", object_type="investigation",
                                     object_ids=[str(directed.pk)]).exists()
    client.force_login(force["other_team"])
    assert client.get(reverse("casework:case", args=[directed.pk])).status_code == 404
    client.force_login(force["inspector"])
    inspected = _words(client.get(reverse("casework:case", args=[directed.pk])))
    assert "Record activity" not in inspected and "Seize and examine the laptop" in inspected


def test_forms_say_what_is_wrong(force, cases, client):
    fresh, *_ = cases
    client.force_login(force["oic"])
    response = client.post(reverse("casework:open"), {"title": ""})
    words = _words(response)
    assert response.status_code == 200
    for message in ("There is a problem", "Enter a case title", "Select the category of abuse", "Select the risk level",
                    "Select the team"):
        assert message in words
    response = client.post(reverse("casework:action-new", args=[fresh.pk]),
                           {"description": "Visit", "owner": force["oic"].pk, "due": "2020-01-01"})
    assert "The deadline must be today or in the future" in _words(response)
    response = client.post(reverse("casework:stage", args=[fresh.pk]),
                           {"version": fresh.version, "stage": "strategy_discussion", "note": ""})
    assert "Enter who is taking part in the strategy discussion" in _words(response)
    assert Investigation.objects.get(pk=fresh.pk).stage == "referral"


def test_a_review_with_a_half_written_direction_is_refused(force, cases, client):
    fresh, *_ = cases
    client.force_login(force["sergeant"])
    response = client.post(reverse("casework:review", args=[fresh.pk]), {
        "scope": "Plan", "rationale": "Fine", "direction_1": "Speak to the school", "direction_1_owner": "",
        "direction_1_due": ""})
    words = _words(response)
    assert "Select who must carry out direction 1" in words and "Enter the deadline for direction 1" in words
    assert not fresh.reviews.exists()
    due = (now() + dt.timedelta(days=3)).date().isoformat()
    response = client.post(reverse("casework:review", args=[fresh.pk]), {
        "scope": "Plan", "rationale": "Fine", "direction_1": "Speak to the school",
        "direction_1_owner": force["oic"].pk, "direction_1_due": due})
    assert response.status_code == 302
    assert Action.objects.get(investigation=fresh, review__isnull=False).owner == force["oic"]


def test_opening_from_an_alert_fills_in_its_subjects(force, clock, client):
    from safeguard.alerts.models import Alert, AlertSubject

    alert = Alert.objects.create(rule="ICPC-15", key="ICPC-15:1", raised_at=now(), severity="high",
                                 summary="Initial child protection conference due", owner_organisation=force.police)
    AlertSubject.objects.create(alert=alert, person_id=force.child.pk, role="child")
    client.force_login(force["oic"])
    url = reverse("casework:open") + f"?alert={alert.pk}"
    assert "Opened from the alert" in _words(client.get(url))
    response = client.post(url, {"title": "Conference", "category": "neglect", "risk_level": "medium",
                                 "team": force.team_a.pk, "alert": alert.pk})
    case = Investigation.objects.get(opened_from_alert=alert)
    assert response.status_code == 302 and response.url == reverse("casework:case", args=[case.pk])
    assert list(case.subjects.values_list("person_id", "role")) == [(force.child.pk, "child")]
    client.force_login(force["nurse"])
    assert client.get(url).status_code == 404


def test_navigation(force):
    assert [i["label"] for i in items_for(force["oic"], "/") if i["label"] in ("Cases", "Referrals")] == ["Cases"]
    assert [i["label"] for i in items_for(force["social_worker"], "/") if i["label"] in ("Cases", "Referrals")] == [
        "Referrals"]


def test_adding_a_person_found_by_name(maple, client):  # noqa: F811
    """On the Maple Road example: the investigator finds Lily by a misspelt name and adds her."""
    from safeguard.accounts.models import Team

    officer = maple.users["investigator"]
    case = services.investigation_open(actor=officer, title="Concern for a child", category="neglect",
                                       risk_level="standard", team=Team.objects.get(name="Child Protection North"))
    client.force_login(officer)
    url = reverse("casework:subject-add", args=[case.pk])
    found = _words(client.get(url, {"name": "Lilly Harper"}))
    assert "Lily HARPER" in found
    assert "No one found" in _words(client.get(url, {"name": "Zebedee Quux"}))
    refused = _words(client.post(url, {"name": "Lilly Harper", "person": maple.people["lily"]}))
    assert "Select their part in the case" in refused
    response = client.post(url, {"name": "Lilly Harper", "person": maple.people["lily"], "role": "child"})
    assert response.status_code == 302
    assert list(case.subjects.values_list("person_id", "role")) == [(maple.people["lily"], "child")]
    # Someone the search did not offer cannot be slipped in.
    other = client.post(url, {"name": "Lilly Harper", "person": maple.people["dan"], "role": "suspect"})
    assert "Select a valid choice" in _words(other)
