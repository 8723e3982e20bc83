"""Break-glass: a reasoned, re-authenticated, time-boxed opening of a person's records outside
one's scope, announced to information security and closed by their review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from safeguard.access.models import BreakGlass
from safeguard.audit_trail.models import AuditEntry
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.infosec.breakglass import break_glass_open, break_glass_review

from .conftest import reauthenticated

REASON = "Dan is named by a pupil disclosing abuse today; I need his records for the strategy call."


@pytest.fixture
def teacher_client(client, maple):
    client.force_login(maple.users["teacher"])
    return client


def test_outside_scope_the_person_is_not_found_until_the_glass_is_broken(teacher_client, maple, infosec_officer,
                                                                       django_capture_on_commit_callbacks):
    dan = maple.people["dan"]
    assert teacher_client.get(reverse("web:person", args=[dan])).status_code == 404
    reauthenticated(teacher_client)

    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(reverse("infosec:break-glass"), {"person": dan, "reason": REASON})

    assert response.status_code == 302 and response["Location"] == reverse("web:person", args=[dan])
    assert teacher_client.get(reverse("web:person", args=[dan])).status_code == 200
    use = BreakGlass.objects.get()
    assert (use.user, use.subject_id, use.reason) == (maple.users["teacher"], dan, REASON)
    assert use.expires_at - use.opened_at == dt.timedelta(minutes=30)
    entry = AuditEntry.objects.get(details__break_glass=use.pk)
    assert (entry.action, entry.object_type, entry.object_ids, entry.justification) == (
        "consultation", "person", [str(dan)], REASON)
    assert [m.to for m in mail.outbox] == [["iso@northshire.example"]]
    assert "dsl.green" in mail.outbox[0].subject and "Dan" not in mail.outbox[0].body  # no personal data in mail


def test_the_glass_needs_a_fresh_re_authentication(teacher_client, maple):
    reauthenticated(teacher_client, seconds_ago=301)  # signed in more than five minutes ago
    response = teacher_client.post(reverse("infosec:break-glass"), {"person": maple.people["dan"], "reason": REASON})

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauth"))
    assert not BreakGlass.objects.exists()


def test_bad_input_gets_a_clear_error_and_opens_nothing(teacher_client, maple):
    reauthenticated(teacher_client)
    url = reverse("infosec:break-glass")

    short = teacher_client.post(url, {"person": maple.people["dan"], "reason": "because"})
    unknown = teacher_client.post(url, {"person": 10**9, "reason": REASON})
    letters = teacher_client.post(url, {"person": "dan", "reason": REASON})

    assert short.status_code == unknown.status_code == letters.status_code == 400
    assert "Reason must be 20 characters or more" in short.content.decode()
    assert f"There is no person {10**9}" in unknown.content.decode()
    assert "Enter the person number as digits" in letters.content.decode()
    assert not BreakGlass.objects.exists()


def test_the_opening_expires(maple, settings):
    from safeguard.access.policy import visible
    from safeguard.core import clock
    from safeguard.records.models import SourceRecord

    settings.BREAK_GLASS_MINUTES = 5
    teacher = maple.users["teacher"]
    use = break_glass_open(actor=teacher, person_id=maple.people["dan"], reason=REASON)
    opened = set(visible(teacher, SourceRecord.objects.filter(source__code="police")).values_list("pk", flat=True))
    assert opened and opened == set(use.opened.values_list("object_id", flat=True)) & opened

    BreakGlass.objects.filter(pk=use.pk).update(opened_at=clock.now() - dt.timedelta(minutes=6),
                                                expires_at=clock.now() - dt.timedelta(minutes=1))

    assert not visible(teacher, SourceRecord.objects.filter(source__code="police")).exists()


def test_information_security_reviews_each_use_once(maple, infosec_officer, client):
    use = break_glass_open(actor=maple.users["teacher"], person_id=maple.people["dan"], reason=REASON)
    client.force_login(infosec_officer)
    page = client.get(reverse("infosec:dashboard")).content.decode()
    assert REASON in page and "dsl.green" in page

    empty = client.post(reverse("infosec:break-glass-review", args=[use.pk]), {"note": ""})
    assert empty.status_code == 400 and "Enter what you found before closing this use" in empty.content.decode()
    done = client.post(reverse("infosec:break-glass-review", args=[use.pk]),
                       {"note": "Confirmed with the DSL: strategy call at 14:00."})

    assert done.status_code == 302
    use.refresh_from_db()
    assert use.reviewed_by == infosec_officer and use.review_note.startswith("Confirmed")
    assert AuditEntry.objects.filter(object_type="break_glass", object_ids=[str(use.pk)], action="alteration").exists()
    assert REASON not in client.get(reverse("infosec:dashboard")).content.decode()
    again = client.post(reverse("infosec:break-glass-review", args=[use.pk]), {"note": "twice"})
    assert again.status_code == 400 and "already reviewed" in again.content.decode()


def test_only_information_security_reviews_and_never_their_own_use(maple, infosec_officer):
    use = break_glass_open(actor=maple.users["teacher"], person_id=maple.people["dan"], reason=REASON)
    with pytest.raises(PermissionDenied):
        break_glass_review(actor=maple.users["supervisor"], use_id=use.pk, note="fine")
    own = break_glass_open(actor=infosec_officer, person_id=maple.people["lily"], reason=REASON)
    with pytest.raises(SafeguardError, match="Someone else must review"):
        break_glass_review(actor=infosec_officer, use_id=own.pk, note="fine")


def test_the_information_security_pages_are_not_found_for_everyone_else(client, maple):
    client.force_login(maple.users["supervisor"])
    assert client.get(reverse("infosec:dashboard")).status_code == 404
    assert client.post(reverse("infosec:break-glass-review", args=[1]), {"note": "x"}).status_code == 404
