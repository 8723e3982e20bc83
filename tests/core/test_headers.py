"""The security headers, asserted on representative pages: the sign-in page, the second-factor
page, a page with personal data, an htmx partial, the admin, the API and a static file."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

STATIC = "/static/safeguard/app.css"


@pytest.fixture
def signed_in(client, make_user):
    user = make_user("pc.jones", is_staff=True, is_superuser=True, roles=("administrator",))
    client.force_login(user)
    return client


def pages(client) -> dict[str, object]:
    return {
        "work queue": client.get(reverse("web:home")),
        "search": client.get(reverse("web:search"), {"q": "Smith"}),
        "account": client.get(reverse("web:account")),
        "admin": client.get("/admin/"),
    }


def assert_page_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_pages_with_personal_data_carry_every_header(signed_in):
    for name, response in pages(signed_in).items():
        assert response.status_code == 200, name
        assert_page_headers(response)


def test_the_sign_in_steps_carry_every_header(client, make_user):
    make_user("pc.jones", password="a-long-enough-passphrase-42")
    assert_page_headers(client.get(reverse("web:sign-in")))
    client.post(reverse("web:sign-in"), {"username": "pc.jones", "password": "a-long-enough-passphrase-42"})
    enrol = client.get(reverse("accounts:enrol"))
    assert enrol.status_code == 200
    assert_page_headers(enrol)
    redirect = client.get(reverse("web:home"))
    assert redirect.status_code == 302 and redirect["Cache-Control"] == "no-store"


def test_each_response_gets_its_own_nonce(signed_in):
    first = signed_in.get(reverse("web:home"))["Content-Security-Policy"]
    second = signed_in.get(reverse("web:home"))["Content-Security-Policy"]
    assert first != second


def test_the_api_is_not_cached_either(client):
    response = client.get("/api/v1/alerts")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_static_files_may_be_cached(client):
    response = client.get(STATIC)
    assert response.status_code == 200
    assert response.get("Cache-Control", "") != "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_hsts_is_sent_over_https_with_the_production_values(signed_in):
    # The values are those settings.py sets in production (tests/core/test_settings.py checks that).
    response = signed_in.get(reverse("web:home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in signed_in.get(reverse("web:home"))  # never over plain HTTP
