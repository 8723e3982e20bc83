"""The error pages follow the GOV.UK patterns."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory


@pytest.mark.django_db
def test_unknown_address_shows_page_not_found(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "<title>Page not found – Safeguard</title>" in response.text
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.text


@pytest.mark.django_db
def test_forbidden_page_says_who_to_ask():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    html = render_to_string("403.html", request=request)

    assert "You do not have access to this page" in html


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
    assert "<script" not in html  # without a request there is no CSP nonce to give them
