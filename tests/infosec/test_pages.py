"""Who has seen this child, the subject-access export, and the information-security page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from safeguard.audit_trail.models import AuditEntry
from safeguard.audit_trail.services import Action, audit_log

from .conftest import reauthenticated


@pytest.fixture
def lily_seen(client, maple):
    """The investigator opens Lily's page and reveals one of her records with a reason."""
    from safeguard.linkage.models import PersonMembership

    lily = maple.people["lily"]
    client.force_login(maple.users["investigator"])
    assert client.get(reverse("web:person", args=[lily])).status_code == 200
    record = PersonMembership.objects.filter(person_id=lily).values_list("record_id", flat=True).first()
    audit_log(actor=maple.users["investigator"], action=Action.CONSULTATION, object_type="person_record",
              object_ids=[record], justification="Section 47 strategy discussion")
    audit_log(actor=maple.users["nurse"], action=Action.CONSULTATION, object_type="person", object_ids=[maple.people["dan"]])
    client.logout()
    return lily


def test_a_supervisor_sees_who_has_seen_the_child(client, maple, lily_seen):
    client.force_login(maple.users["supervisor"])

    page = client.get(reverse("infosec:who-has-seen", args=[lily_seen])).content.decode()

    assert "pc.jones" in page and "Section 47 strategy discussion" in page
    assert "hv.brown" not in page  # the nurse looked at Dan, not Lily
    assert AuditEntry.objects.filter(actor=maple.users["supervisor"], details__page="who-has-seen").exists()


def test_others_get_not_found(client, maple, lily_seen):
    client.force_login(maple.users["colleague"])  # an investigator, not a supervisor
    assert client.get(reverse("infosec:who-has-seen", args=[lily_seen])).status_code == 404
    client.force_login(maple.users["supervisor"])
    assert client.get(reverse("infosec:who-has-seen", args=[10**9])).status_code == 404


def test_the_subject_access_export_is_a_disclosure_behind_re_authentication(client, maple, lily_seen):
    client.force_login(maple.users["supervisor"])
    url = reverse("infosec:who-has-seen-csv", args=[lily_seen])
    reauthenticated(client, seconds_ago=301)
    assert client.get(url)["Location"].startswith(reverse("accounts:reauth"))
    reauthenticated(client)

    response = client.get(url)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["seq", "when", "action"]
    assert {row[3] for row in rows[1:]} == {"pc.jones"}
    disclosure = AuditEntry.objects.get(action="disclosure", recipient="subject access request")
    assert disclosure.object_ids == [str(lily_seen)] and disclosure.details["rows"] == len(rows) - 1


def test_a_formula_in_a_reason_is_neutralised_in_the_export(client, maple, lily_seen):
    audit_log(actor=maple.users["investigator"], action=Action.CONSULTATION, object_type="person",
              object_ids=[lily_seen], justification="=HYPERLINK(\"http://evil\")")
    client.force_login(maple.users["supervisor"])
    rows = list(csv.reader(io.StringIO(client.get(reverse("infosec:who-has-seen-csv", args=[lily_seen])).content.decode())))
    assert "'=HYPERLINK(\"http://evil\")" in [row[8] for row in rows]


def test_the_page_shows_unusual_access_failed_sign_ins_and_the_chain(client, maple, infosec_officer, settings):
    from axes.models import AccessFailureLog

    settings.UNUSUAL_ACCESS_PEOPLE = 3
    for person in range(1, 5):
        audit_log(actor=maple.users["colleague"], action=Action.CONSULTATION, object_type="person", object_ids=[person])
    for person in range(1, 3):
        audit_log(actor=maple.users["investigator"], action=Action.CONSULTATION, object_type="person", object_ids=[person])
    AccessFailureLog.objects.create(username="pc.jones", ip_address="10.0.0.9", user_agent="x", http_accept="x",
                                    path_info="/sign-in/", locked_out=False)
    call_command("audit", "checkpoint", stdout=io.StringIO())
    client.force_login(infosec_officer)

    page = client.get(reverse("infosec:dashboard")).content.decode()

    assert "pc.khan" in page.split("Unusual access")[1].split("Failed sign-ins")[0]
    assert "pc.jones" not in page.split("Unusual access")[1].split("Failed sign-ins")[0]
    assert "10.0.0.9" in page
    assert "Intact" in page and "1 checkpoint(s) match the chain" in page


def test_a_tampered_chain_shows_as_broken(client, maple, infosec_officer):
    from tests.audit_trail.helpers import tampering

    audit_log(actor=None, action=Action.COLLECTION, object_type="feed_load", object_ids=["1"])
    call_command("audit", "checkpoint", stdout=io.StringIO())
    head = AuditEntry.objects.order_by("-seq").first().seq
    with tampering() as cursor:
        cursor.execute("UPDATE audit_trail_auditentry SET hmac = %s WHERE seq = %s", ["0" * 64, head])
    client.force_login(infosec_officer)

    page = client.get(reverse("infosec:dashboard")).content.decode()

    assert "Broken" in page and f"first at entry {head}" in page


def test_unusual_access_counts_only_the_window(maple, settings):
    from safeguard.infosec.selectors import unusual_access

    settings.UNUSUAL_ACCESS_PEOPLE = 2
    for person in range(1, 5):
        audit_log(actor=maple.users["colleague"], action=Action.CONSULTATION, object_type="person", object_ids=[person])
    settings.UNUSUAL_ACCESS_MINUTES = 10
    assert [(u.actor_label, u.people) for u in unusual_access()] == [("pc.khan", 4)]
    settings.UNUSUAL_ACCESS_MINUTES = 0  # the window starts now: every entry lies before it
    assert unusual_access() == []
