"""Signing in and out, through the same pages and forms people use."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("web:sign-in")
SIGN_OUT = reverse("web:sign-out")
HOME = reverse("web:home")
ACCOUNT = reverse("web:account")


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_page_renders_a_gov_uk_form(client):
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    html = response.text
    assert "<title>Sign in – Safeguard</title>" in html
    assert '<label class="govuk-label govuk-label--s" for="id_username">Username</label>' in html
    assert 'autocomplete="current-password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "govuk-error-summary" not in html


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, user):
    response = client.post(SIGN_IN, {"username": "jsmith", "password": "not the password"})

    assert response.status_code == 200
    assert not is_signed_in(client)
    html = response.text
    assert "<title>Error: Sign in – Safeguard</title>" in html
    assert "There is a problem" in html
    assert '<a href="#id_username">Enter a correct username and password</a>' in html
    assert 'aria-describedby="id_username-error"' in html
    assert 'value="jsmith"' in html  # the username is kept; the password is not
    assert "not the password" not in html


def test_unknown_user_gets_the_same_error_as_a_wrong_password(client, user):
    response = client.post(SIGN_IN, {"username": "nobody", "password": PASSWORD})

    assert not is_signed_in(client)
    assert "Enter a correct username and password" in response.text


def test_empty_form_says_what_to_enter(client):
    response = client.post(SIGN_IN, {"username": "", "password": ""})

    html = response.text
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


def test_right_password_signs_in_and_goes_home(client, user):
    response = client.post(SIGN_IN, {"username": "jsmith", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert is_signed_in(client)


def test_sign_in_returns_to_the_page_asked_for(client, user):
    response = client.post(
        f"{SIGN_IN}?next={HOME}", {"username": "jsmith", "password": PASSWORD, "next": HOME}
    )

    assert response["Location"] == HOME


def test_sign_in_refuses_to_send_people_to_another_site(client, user):
    response = client.post(
        SIGN_IN, {"username": "jsmith", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == HOME


def test_home_needs_sign_in(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={HOME}"


def test_account_page_greets_the_user_with_their_organisation_and_roles(client, user):
    user.groups.add(Group.objects.get_or_create(name="investigator")[0])
    client.force_login(user)

    response = client.get(ACCOUNT)

    assert response.status_code == 200
    html = response.text
    assert "Welcome, Jane Smith" in html
    assert "Northshire Police" in html
    assert "<li>Investigator</li>" in html
    assert 'aria-current="page"' in html
    assert f'<form method="post" action="{SIGN_OUT}"' in html


def test_account_page_says_when_the_user_has_no_role(client, user):
    client.force_login(user)

    assert "None yet. Ask your Safeguard administrator to give you a role." in client.get(ACCOUNT).text


def test_sign_out_refuses_get(client, user):
    client.force_login(user)

    response = client.get(SIGN_OUT)

    assert response.status_code == 405
    assert is_signed_in(client)


def test_sign_out_by_post_signs_out(client, user):
    client.force_login(user)

    response = client.post(SIGN_OUT)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert not is_signed_in(client)
    assert client.get(HOME).status_code == 302


def test_sign_out_needs_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(SIGN_OUT)

    assert response.status_code == 403
    assert "Sorry, your form could not be sent" in response.text
    assert is_signed_in(client)


def test_pages_have_a_nonce_csp_and_are_not_cached(client, user):
    client.force_login(user)

    response = client.get(HOME)

    csp = response["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert "style-src 'self'" in csp
    assert f'<script nonce="{nonce}">' in response.text
    assert f'<script type="module" nonce="{nonce}">' in response.text
    assert response["Cache-Control"] == "no-store"


def test_htmx_sends_the_csrf_token(client, user):
    client.force_login(user)

    html = client.get(HOME).text

    assert 'hx-headers=\'{"X-CSRFToken": "' in html
