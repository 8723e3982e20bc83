"""require_recent_auth: password and code again before sensitive actions; role changes in the
admin use it."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.reauth import REAUTH_SESSION_KEY, has_recent_auth, require_recent_auth
from safeguard.audit_trail.models import AuditEntry

from .conftest import PASSWORD, REAUTH, SIGN_IN, code_for, sign_in_fully

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_user):
    user = make_user("admin", password=PASSWORD, roles=("administrator",), is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def stale(client, seconds: int = 10 * 60) -> None:
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_signing_in_counts_as_a_fresh_confirmation(client, administrator, make_user):
    other = make_user("pc.khan")
    sign_in_fully(client, administrator)

    assert client.get(f"/admin/accounts/user/{other.pk}/change/").status_code == 200


def test_changing_roles_in_the_admin_asks_for_password_and_code_again(client, administrator, make_user):
    other = make_user("pc.khan")
    sign_in_fully(client, administrator)
    stale(client)
    change = f"/admin/accounts/user/{other.pk}/change/"

    response = client.get(change)
    assert response.status_code == 302
    assert response["Location"] == f"{REAUTH}?next=%2Fadmin%2Faccounts%2Fuser%2F{other.pk}%2Fchange%2F"

    page = client.get(response["Location"])
    assert "<h1 class=\"govuk-heading-l\">Confirm it's you</h1>" in page.text
    assert 'autocomplete="current-password"' in page.text

    response = client.post(REAUTH, {"password": PASSWORD, "code": code_for(administrator, step=1), "next": change})
    assert response.status_code == 302 and response["Location"] == change
    assert client.get(change).status_code == 200
    entry = AuditEntry.objects.filter(action="access").order_by("-seq").first()
    assert (entry.actor, entry.details["step"], entry.outcome) == (administrator, "re-authentication", "success")


@pytest.mark.parametrize("path", ["/admin/auth/group/{group}/change/", "/admin/accounts/user/add/",
                                  "/admin/accounts/user/{user}/password/", "/admin/accounts/user/{user}/delete/",
                                  "/admin/otp_totp/totpdevice/{device}/change/"])
def test_every_change_of_who_may_do_what_needs_a_fresh_confirmation(client, administrator, path):
    sign_in_fully(client, administrator)
    stale(client)
    url = path.format(group=Group.objects.get(name="investigator").pk, user=administrator.pk,
                      device=TOTPDevice.objects.get(user=administrator).pk)

    assert client.get(url)["Location"].startswith(REAUTH)


def test_reading_the_user_list_needs_no_confirmation(client, administrator):
    sign_in_fully(client, administrator)
    stale(client)
    assert client.get("/admin/accounts/user/").status_code == 200


def test_a_wrong_password_or_code_is_refused(client, administrator):
    sign_in_fully(client, administrator)
    stale(client)

    response = client.post(REAUTH, {"password": "not-my-password", "code": code_for(administrator, step=1)})
    assert response.status_code == 200
    assert "Enter your correct password" in response.text
    assert not has_recent_auth_of(client)


def test_five_wrong_tries_end_the_session(client, administrator):
    sign_in_fully(client, administrator)
    stale(client)
    for _ in range(4):
        assert client.post(REAUTH, {"password": "not-my-password", "code": "123456"}).status_code == 200

    response = client.post(REAUTH, {"password": "not-my-password", "code": "123456"})

    assert response["Location"] == f"{SIGN_IN}?ended=reauth"
    assert "_auth_user_id" not in client.session
    assert "too many wrong tries" in client.get(response["Location"]).text


def test_the_confirmation_page_will_not_send_people_to_another_site(client, administrator):
    sign_in_fully(client, administrator)
    response = client.post(REAUTH, {"password": PASSWORD, "code": code_for(administrator, step=1),
                                    "next": "https://evil.example/"})
    assert response["Location"] == "/"


def has_recent_auth_of(client) -> bool:
    at = client.session.get(REAUTH_SESSION_KEY)
    return at is not None and time.time() - at < 60


# ---- the decorator on its own, as other apps use it ------------------------------------------

@require_recent_auth(max_age=60)
def export(request):
    return HttpResponse("exported")


def request_with(method: str = "get", path: str = "/oversight/export/?year=2026", *, confirmed_ago: int | None,
                 **headers):
    request = getattr(RequestFactory(), method)(path, **headers)
    request.session = SessionStore()
    if confirmed_ago is not None:
        request.session[REAUTH_SESSION_KEY] = int(time.time()) - confirmed_ago
    return request


def test_the_view_runs_within_max_age():
    response = export(request_with(confirmed_ago=59))
    assert response.content == b"exported"


def test_a_get_goes_to_confirm_and_comes_back_to_the_same_address():
    response = export(request_with(confirmed_ago=61))
    assert response.status_code == 302
    assert response["Location"] == f"{REAUTH}?next=%2Foversight%2Fexport%2F%3Fyear%3D2026"


def test_a_post_goes_back_to_the_page_with_the_form():
    response = export(request_with("post", confirmed_ago=None, HTTP_REFERER="http://testserver/oversight/?tab=x"))
    assert response["Location"] == f"{REAUTH}?next=%2Foversight%2F%3Ftab%3Dx"


def test_a_post_from_another_site_comes_back_to_the_address_itself():
    response = export(request_with("post", confirmed_ago=None, HTTP_REFERER="https://evil.example/"))
    assert response["Location"] == f"{REAUTH}?next=%2Foversight%2Fexport%2F"


def test_an_htmx_request_moves_the_whole_page():
    response = export(request_with(confirmed_ago=None, HTTP_HX_REQUEST="true"))
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"].startswith(f"{REAUTH}?next=")


def test_a_time_in_the_future_does_not_count():
    assert not has_recent_auth(request_with(confirmed_ago=-3600), 300)


def test_administrators_can_remove_an_authenticator_but_never_read_or_choose_its_key(client, administrator, make_user):
    from safeguard.accounts.otp import base32_key

    other = make_user("pc.khan")
    device = TOTPDevice.objects.create(user=other, name="Authenticator app", confirmed=True)
    sign_in_fully(client, administrator)

    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.text and base32_key(device) not in change.text
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403

    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    entry = AuditEntry.objects.filter(object_type="otp_totp.totpdevice").order_by("-seq").first()
    assert (entry.action, entry.actor, entry.object_ids) == ("erasure", administrator, [str(device.pk)])


@require_recent_auth()
def role_change(request):
    return HttpResponse("changed")


def test_the_default_limit_is_the_setting(settings):
    settings.REAUTH_MAX_AGE = 120
    assert role_change(request_with(confirmed_ago=119)).content == b"changed"
    assert role_change(request_with(confirmed_ago=121)).status_code == 302
