"""Sessions end after 15 minutes idle, 12 hours after signing in, when the account is switched
off and when the password changes."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from safeguard.core.middleware import LAST_SEEN_AT_KEY, SIGNED_IN_AT_KEY

from .conftest import HOME, SIGN_IN, sign_in_fully

pytestmark = pytest.mark.django_db


def age(client, **seconds_ago: int) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_a_real_sign_in_starts_both_clocks(client, enrolled):
    before = int(time.time())
    sign_in_fully(client, enrolled)
    session = client.session
    assert before <= session[SIGNED_IN_AT_KEY] <= time.time()
    assert before <= session[LAST_SEEN_AT_KEY] <= time.time()


def test_fourteen_idle_minutes_keep_the_session(client, enrolled):
    sign_in_fully(client, enrolled)
    age(client, **{LAST_SEEN_AT_KEY: 14 * 60})

    assert client.get(HOME).status_code == 200
    assert client.session[LAST_SEEN_AT_KEY] >= time.time() - 5  # activity moves the idle clock on


def test_sixteen_idle_minutes_end_the_session(client, enrolled):
    sign_in_fully(client, enrolled)
    age(client, **{LAST_SEEN_AT_KEY: 16 * 60})

    response = client.get("/search/?q=x")

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?ended=idle&next=%2Fsearch%2F%3Fq%3Dx"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "You were signed out because you did nothing for 15 minutes" in page.text


def test_twelve_hours_end_the_session_however_busy(client, enrolled):
    sign_in_fully(client, enrolled)
    age(client, **{SIGNED_IN_AT_KEY: 12 * 3600 + 1, LAST_SEEN_AT_KEY: 10})

    response = client.get(HOME)

    assert response["Location"].startswith(f"{SIGN_IN}?ended=absolute")
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_after_the_idle_limit_moves_the_whole_page(client, enrolled):
    sign_in_fully(client, enrolled)
    age(client, **{LAST_SEEN_AT_KEY: 16 * 60})

    response = client.get("/search/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"].startswith(f"{SIGN_IN}?ended=idle")


def test_switching_an_account_off_ends_its_sessions(enrolled):
    first, second = Client(), Client()
    sign_in_fully(first, enrolled)
    second.force_login(enrolled)

    enrolled.is_active = False
    enrolled.save()

    for client in (first, second):
        response = client.get(HOME)
        assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_changing_the_password_ends_the_other_sessions(enrolled):
    first, second = Client(), Client()
    sign_in_fully(first, enrolled)
    sign_in_fully(second, enrolled, step=1)

    enrolled.set_password("another-long-passphrase-77")
    enrolled.save()

    for client in (first, second):
        response = client.get(HOME)
        assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)
        assert "_auth_user_id" not in client.session


def test_the_session_cookie_is_for_this_browser_session_only(client, enrolled):
    response = sign_in_fully(client, enrolled)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == "" and cookie["expires"] == ""
