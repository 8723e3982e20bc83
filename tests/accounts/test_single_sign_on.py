"""Single sign-on with OpenID Connect, against a small identity provider that is a real HTTP
server on 127.0.0.1 inside the test: it issues RS256-signed ID tokens, publishes its key as a
JWKS, and answers the token and userinfo calls that mozilla-django-oidc makes."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import User
from safeguard.accounts.oidc import SafeguardOIDCBackend, idp_second_factor
from safeguard.audit_trail.models import AuditEntry

from .conftest import HOME, PASSWORD, SIGN_IN, VERIFY

CLIENT_ID = "safeguard"
CLIENT_SECRET = "client-secret-for-the-test"


class FakeProvider:
    """Just enough of an OpenID provider: /authorize is only a place to be sent to; /token,
    /userinfo and /jwks answer as a provider does. `claims` is what the next token says."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict = {}
        self.token_requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body: dict, status: int = 200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                if self.path != "/token":
                    return self._json({"error": "not_found"}, 404)
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                provider.token_requests.append({k: v[0] for k, v in form.items()})
                if form.get("client_secret") != [CLIENT_SECRET]:
                    return self._json({"error": "invalid_client"}, 401)
                now = int(time.time())
                id_token = jwt.encode({"iss": provider.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                                       **provider.claims}, provider.key, algorithm="RS256",
                                      headers={"kid": "test-key"})
                return self._json({"id_token": id_token, "access_token": "access-token", "token_type": "Bearer"})

            def do_GET(self):
                if self.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self._json({"keys": [{**jwk, "kid": "test-key", "alg": "RS256", "use": "sig"}]})
                if self.path == "/userinfo":
                    return self._json({k: v for k, v in provider.claims.items() if k not in ("nonce", "aud")})
                return self._json({"error": "not_found"}, 404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    with FakeProvider() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Northshire Police account"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.url + "/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.url + "/token"
    settings.OIDC_OP_USER_ENDPOINT = provider.url + "/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = provider.url + "/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_CREATE_USER = False
    settings.OIDC_USE_PKCE = True
    settings.OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
    settings.LOGIN_REDIRECT_URL_FAILURE = "/sign-in/"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "safeguard.accounts.oidc.SafeguardOIDCBackend"]
    return provider


def sign_on(client, provider, claims: dict, next_url: str = HOME):
    """Start at Safeguard, 'sign in' at the provider, come back to the callback."""
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert start.status_code == 302 and start["Location"].startswith(provider.url + "/authorize?")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    provider.claims = {"sub": "idp-123", "nonce": query["nonce"][0], **claims}
    return client.get(reverse("oidc_authentication_callback"), {"code": "one-time-code", "state": query["state"][0]})


pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.oidc_urls")]


def test_the_sign_in_page_offers_single_sign_on_when_configured(client, sso):
    html = client.get(SIGN_IN + "?next=/search/").text
    assert "Sign in with Northshire Police account" in html
    assert 'href="/oidc/authenticate/?next=/search/"' in html


def test_a_known_user_signs_on_and_the_providers_second_factor_counts(client, sso, officer):
    officer.email = "sam.jones@northshire.police.uk"
    officer.save()

    response = sign_on(client, sso, {"email": "Sam.Jones@northshire.police.uk", "email_verified": True,
                                     "amr": ["pwd", "mfa"]}, next_url="/search/")

    assert response.status_code == 302 and response["Location"] == "/search/"
    assert client.get("/search/").status_code == 200  # no Safeguard code asked for
    request = sso.token_requests[-1]
    assert request["grant_type"] == "authorization_code" and request["code"] == "one-time-code"
    assert request["code_verifier"]  # PKCE
    entry = AuditEntry.objects.filter(action="access").order_by("-seq").first()
    assert entry.actor == officer and entry.details == {"step": "single sign-on", "provider second factor": True}


def test_without_the_providers_second_factor_a_safeguard_code_is_needed(client, sso, enrolled):
    response = sign_on(client, sso, {"preferred_username": "pc.jones", "amr": ["pwd"]})

    assert response["Location"] == HOME
    assert client.get(HOME)["Location"].startswith(VERIFY)


def test_nobody_is_created_by_signing_on(client, sso):
    response = sign_on(client, sso, {"email": "stranger@example.org", "preferred_username": "stranger",
                                     "amr": ["mfa"]})

    assert response["Location"] == SIGN_IN
    assert not User.objects.filter(username="stranger").exists()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="access")
    assert (entry.outcome, entry.details["reason"]) == ("denied", "no active local account")


def test_a_switched_off_account_cannot_sign_on(client, sso, officer):
    officer.is_active = False
    officer.save()
    response = sign_on(client, sso, {"preferred_username": "pc.jones", "amr": ["mfa"]})
    assert response["Location"] == SIGN_IN and "_auth_user_id" not in client.session


def test_switching_an_account_off_ends_its_single_sign_on_session(client, sso, officer):
    sign_on(client, sso, {"preferred_username": "pc.jones", "amr": ["mfa"]})
    assert client.get(HOME).status_code == 200

    officer.is_active = False
    officer.save()

    assert client.get(HOME)["Location"].startswith(SIGN_IN)


def test_a_token_for_another_application_is_refused(client, sso, officer):
    response = sign_on_with_audience(client, sso, "some-other-app")
    assert response.status_code == 400  # a forged or misdirected token: Django's SuspiciousOperation
    assert "_auth_user_id" not in client.session


def sign_on_with_audience(client, provider, audience: str):
    start = client.get(reverse("oidc_authentication_init"))
    query = parse_qs(urlsplit(start["Location"]).query)
    provider.claims = {"sub": "idp-123", "nonce": query["nonce"][0], "preferred_username": "pc.jones",
                       "amr": ["mfa"], "aud": audience}
    return client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": query["state"][0]})


def test_local_accounts_still_sign_in_beside_single_sign_on(client, sso, enrolled):
    response = client.post(SIGN_IN, {"username": "pc.jones", "password": PASSWORD})
    assert response["Location"] == HOME
    assert client.get(HOME)["Location"].startswith(VERIFY)


@pytest.mark.urls("safeguard.urls")
def test_without_configuration_there_is_no_button_and_no_route(client, settings):
    assert settings.OIDC_ENABLED is False
    assert "Sign in with" not in client.get(SIGN_IN).text
    assert client.get("/oidc/authenticate/").status_code == 404


@pytest.mark.parametrize(("amr", "counts"), [(["mfa"], True), (["pwd", "otp"], True), (["hwk"], True),
                                              (["pwd"], False), ([], False), ("mfa", True), (None, False)])
def test_which_provider_methods_count_as_a_second_factor(amr, counts):
    assert idp_second_factor({"amr": amr}) is counts


def test_a_users_reauth_without_a_password_asks_only_for_the_code(client, officer):
    officer.set_unusable_password()
    officer.save()
    TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)
    client.force_login(officer)
    html = client.get(reverse("accounts:reauth")).text
    assert 'name="code"' in html and 'name="password"' not in html


def test_the_backend_matches_by_email_then_username(officer, make_user, settings, sso):
    officer.email = "sam.jones@northshire.police.uk"
    officer.save()
    make_user("pc.khan", email="")
    backend = SafeguardOIDCBackend()
    assert list(backend.filter_users_by_claims({"email": "sam.jones@northshire.police.uk"})) == [officer]
    assert list(backend.filter_users_by_claims({"email": "x@y.org", "preferred_username": "pc.khan"})) == [
        User.objects.get(username="pc.khan")]
    assert list(backend.filter_users_by_claims({"email": "sam.jones@northshire.police.uk",
                                                "email_verified": False})) == []
    assert list(backend.filter_users_by_claims({})) == []


# ---- configuration from the environment --------------------------------------------------------

def _run(env: dict, code: str | None) -> subprocess.CompletedProcess:
    """`shell -c code` in a clean environment plus `env`; `check` when there is no code."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGUARD_", "DJANGO_ALLOW_ASYNC"))}
    command = ["shell", "-c", code] if code else ["check"]
    return subprocess.run([sys.executable, "-m", "safeguard.manage", *command], env={**base, **env},
                          capture_output=True, text=True, timeout=120)


OIDC_ENV = {"SAFEGUARD_OIDC_CLIENT_ID": "safeguard", "SAFEGUARD_OIDC_CLIENT_SECRET": secrets.token_urlsafe(20),
            "SAFEGUARD_OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
            "SAFEGUARD_OIDC_TOKEN_ENDPOINT": "https://idp.example/token",
            "SAFEGUARD_OIDC_USER_ENDPOINT": "https://idp.example/userinfo",
            "SAFEGUARD_OIDC_JWKS_ENDPOINT": "https://idp.example/jwks",
            "SAFEGUARD_OIDC_PROVIDER_NAME": "Northshire Police account"}


def test_the_environment_switches_single_sign_on_on():
    code = ("from django.conf import settings; from django.urls import reverse; "
            "print(settings.OIDC_ENABLED, settings.AUTHENTICATION_BACKENDS[-1], settings.OIDC_RP_SIGN_ALGO, "
            "settings.OIDC_CREATE_USER, reverse('oidc_authentication_init'), reverse('oidc_authentication_callback'))")
    result = _run(OIDC_ENV, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "safeguard.accounts.oidc.SafeguardOIDCBackend", "RS256", "False",
                                     "/oidc/authenticate/", "/oidc/callback/"]


def test_a_half_configured_provider_is_refused_with_what_is_missing():
    env = {k: v for k, v in OIDC_ENV.items() if k != "SAFEGUARD_OIDC_JWKS_ENDPOINT"}
    result = _run(env, None)
    assert result.returncode != 0
    assert "SAFEGUARD_OIDC_JWKS_ENDPOINT is missing" in result.stderr
