"""Five wrong passwords for a username lock it for 15 minutes, whether or not it exists, and the
page does not say which."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt

from safeguard.audit_trail.models import AuditEntry

from .conftest import HOME, PASSWORD, enter_password

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed attempts to sign in with this username. Wait 15 minutes and try again"


def fail(client, username: str, times: int):
    return [enter_password(client, username, "wrong-password-guess") for _ in range(times)]


def test_four_failures_still_let_the_right_password_in(client, officer):
    responses = fail(client, "pc.jones", 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert all("Enter a correct username and password" in r.text for r in responses)

    response = enter_password(client)
    assert response.status_code == 302 and response["Location"] == HOME


def test_the_fifth_failure_locks_the_username_even_against_the_right_password(client, officer):
    fifth = fail(client, "pc.jones", 5)[-1]
    assert fifth.status_code == 429
    assert LOCKED in fifth.text

    response = enter_password(client)  # the right password, during the lockout

    assert response.status_code == 429
    assert LOCKED in response.text
    assert "_auth_user_id" not in client.session
    assert "<title>Error: Sign in – Safeguard</title>" in response.text
    assert 'value="pc.jones"' in response.text


def test_a_username_that_does_not_exist_locks_the_same_way(client, officer):
    known = fail(client, "pc.jones", 6)
    unknown = fail(client, "no.such.user", 6)

    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert main_text(known[-1].text).replace("pc.jones", "X") == main_text(unknown[-1].text).replace("no.such.user", "X")


def main_text(html: str) -> str:
    """The page's words inside <main>: no per-response tokens or nonces."""
    body = html.split('<main class="govuk-main-wrapper" id="main-content">')[1].split("</main>")[0]
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r"\s+", " ", body)


def test_the_lock_is_by_username_not_by_address(client, officer, make_user):
    make_user("pc.khan", password=PASSWORD)
    fail(client, "pc.jones", 5)

    response = enter_password(client, "pc.khan")  # same address, another user

    assert response.status_code == 302


def test_the_lock_lifts_after_15_minutes(client, officer):
    fail(client, "pc.jones", 5)
    assert enter_password(client).status_code == 429

    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))

    response = enter_password(client)
    assert response.status_code == 302 and response["Location"] == HOME


def test_a_lockout_is_in_the_audit_trail(client, officer):
    fail(client, "pc.jones", 5)
    enter_password(client)

    reasons = [e.details.get("reason") for e in AuditEntry.objects.filter(action="access").order_by("seq")]
    assert reasons.count("wrong username or password") == 4
    assert reasons.count("locked out") == 2
    assert PASSWORD not in str(list(AuditEntry.objects.values_list("details", flat=True)))
