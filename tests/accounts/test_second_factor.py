"""Every user needs a code from an authenticator app after their password; nothing with personal
data, the admin included, is reachable before it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.api.models import PartnerToken
from safeguard.audit_trail.models import AuditEntry

from .conftest import ENROL, HOME, PASSWORD, SIGN_IN, VERIFY, code_for, enter_password

pytestmark = pytest.mark.django_db

SEARCH = reverse("web:search")
ACCOUNT = reverse("web:account")


def test_a_password_alone_reaches_no_page(client, enrolled):
    response = enter_password(client)
    assert response.status_code == 302 and response["Location"] == HOME  # the first step is done

    for url in (HOME, SEARCH, ACCOUNT, "/admin/", "/admin/accounts/user/", reverse("accounts:reauth")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY + "?next="), url


def test_the_code_page_returns_to_the_page_asked_for(client, enrolled):
    enter_password(client, next=SEARCH)
    response = client.get(SEARCH)
    assert response["Location"] == f"{VERIFY}?next=%2Fsearch%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Enter the code from your authenticator app" in page.text
    assert 'autocomplete="one-time-code"' in page.text
    assert 'name="next" value="/search/"' in page.text

    response = client.post(VERIFY, {"code": code_for(enrolled), "next": SEARCH})
    assert response.status_code == 302 and response["Location"] == SEARCH
    assert client.get(SEARCH).status_code == 200
    assert client.get("/admin/").status_code == 302  # not staff: the admin's own refusal now
    assert client.get(ACCOUNT).status_code == 200


def test_a_wrong_code_is_refused_and_recorded(client, enrolled):
    enter_password(client)
    right = code_for(enrolled)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong, "next": HOME})

    assert response.status_code == 200
    assert "The code is not right or has run out" in response.text
    assert client.get(HOME)["Location"].startswith(VERIFY)
    entry = AuditEntry.objects.filter(action="access").order_by("-seq").first()
    assert (entry.actor, entry.outcome, entry.details["step"]) == (enrolled, "denied", "second factor")
    assert wrong not in str(entry.details)


def test_after_a_wrong_code_the_next_try_must_wait(client, enrolled):
    enter_password(client)
    client.post(VERIFY, {"code": "000000" if code_for(enrolled) != "000000" else "111111"})

    response = client.post(VERIFY, {"code": code_for(enrolled)})  # right, but too soon

    assert response.status_code == 200
    assert "Too many wrong codes" in response.text
    assert client.get(HOME).status_code == 302


def test_a_code_is_accepted_once_only(client, enrolled):
    from django.test import Client

    code = code_for(enrolled)
    enter_password(client)
    assert client.post(VERIFY, {"code": code})["Location"] == HOME

    other = Client()
    enter_password(other)
    response = other.post(VERIFY, {"code": code})
    assert "The code is not right or has run out" in response.text
    assert other.get(HOME).status_code == 302


def test_codes_that_are_not_six_digits_get_a_clear_error(client, enrolled):
    enter_password(client)
    assert "Enter the 6-digit code from your authenticator app" in client.post(VERIFY, {"code": ""}).text
    assert "Enter the code as 6 digits, like 123456" in client.post(VERIFY, {"code": "12ab56"}).text


def test_a_code_may_be_typed_with_spaces(client, enrolled):
    enter_password(client)
    code = code_for(enrolled)
    assert client.post(VERIFY, {"code": f"{code[:3]} {code[3:]}"})["Location"] == HOME


def test_a_full_sign_in_is_in_the_audit_trail(client, enrolled):
    enter_password(client)
    client.post(VERIFY, {"code": code_for(enrolled)})

    steps = [(e.actor, e.outcome, e.details["step"]) for e in AuditEntry.objects.filter(action="access").order_by("seq")]
    assert steps == [(enrolled, "success", "password"), (enrolled, "success", "second factor")]


def test_a_wrong_password_is_in_the_audit_trail_without_the_password(client, officer):
    enter_password(client, password="not-the-password-at-all")

    entry = AuditEntry.objects.get(action="access")
    assert (entry.actor, entry.actor_label, entry.outcome) == (None, "pc.jones", "denied")
    assert "not-the-password-at-all" not in str(entry.details)


def test_first_sign_in_sets_up_an_authenticator_with_a_qr_code(client, officer):
    enter_password(client)
    response = client.get(HOME)
    assert response["Location"] == f"{ENROL}?next=%2F"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.text
    assert "Set up your authenticator app" in html
    assert "<svg" in html and "<path" in html  # the QR code, inline: no image for the CSP to allow
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    from safeguard.accounts.otp import readable_key

    assert readable_key(device) in html
    assert client.get(ENROL).text.count(readable_key(device)) == 1  # reloading shows the same key
    assert TOTPDevice.objects.filter(user=officer).count() == 1

    assert "The code is not right" in client.post(ENROL, {"code": "000000" if code_for(officer) != "000000"
                                                           else "111111"}).text
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(ENROL, {"code": code_for(officer), "next": HOME})

    assert response["Location"] == HOME
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert client.get(HOME).status_code == 200
    assert AuditEntry.objects.filter(action="alteration", object_type="otp_totp.totpdevice").exists()


def test_an_enrolled_user_cannot_set_up_a_second_authenticator(client, enrolled):
    enter_password(client)
    assert client.get(ENROL)["Location"].startswith(VERIFY)


def test_the_code_page_sends_someone_without_an_authenticator_to_set_one_up(client, officer):
    enter_password(client)
    assert client.get(VERIFY + "?next=/search/")["Location"] == ENROL + "?next=%2Fsearch%2F"


def test_the_code_page_needs_the_password_first(client, enrolled):
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"].startswith(SIGN_IN)


def test_sign_out_works_between_the_two_steps(client, enrolled):
    enter_password(client)
    response = client.post(reverse("web:sign-out"))
    assert response["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_between_the_steps_moves_the_whole_page(client, enrolled):
    enter_password(client)
    response = client.get(SEARCH, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/queue/?tab=team")
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fqueue%2F%3Ftab%3Dteam"


def test_the_code_page_will_not_send_people_to_another_site(client, enrolled):
    enter_password(client)
    response = client.post(VERIFY, {"code": code_for(enrolled), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_the_api_takes_tokens_not_the_half_signed_in_session(client, enrolled):
    enter_password(client)
    assert client.get("/api/v1/alerts").status_code == 401  # a session is no credential there

    raw = PartnerToken(name="csc-system", organisation=enrolled.organisation, sources=["csc"])
    token = raw.issue()
    raw.save()
    response = client.post("/api/v1/feed", data="", content_type="application/x-ndjson",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code not in (302, 401, 403)


def test_force_login_in_other_tests_gives_a_verified_session(client, officer):
    client.force_login(officer)
    assert client.get(HOME).status_code == 200
    assert TOTPDevice.objects.get(user=officer).confirmed


def test_client_login_in_other_tests_works_and_is_verified(client, officer):
    assert not client.login(username="pc.jones", password="wrong-password-here")
    assert client.login(username="pc.jones", password=PASSWORD)
    assert client.get(HOME).status_code == 200


def test_staff_need_the_code_for_the_admin_too(client, make_user):
    admin_user = make_user("admin", password=PASSWORD, roles=("administrator",), is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin_user, name="Authenticator app", confirmed=True)
    enter_password(client, "admin")
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    client.post(VERIFY, {"code": code_for(admin_user)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_signs_in_through_the_one_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=/admin/accounts/user/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_password_step_still_refuses_wrong_passwords(client, enrolled):
    response = enter_password(client, password=PASSWORD + "x")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_account_page_says_when_the_authenticator_was_set_up_and_last_used(client, enrolled):
    enter_password(client)
    client.post(VERIFY, {"code": code_for(enrolled)})
    html = client.get(ACCOUNT).text
    assert "Authenticator app" in html
    device = TOTPDevice.objects.get(user=enrolled)
    from django.utils import timezone

    assert f"Set up on {timezone.localtime(device.created_at):%-d %b %Y}" in html
    assert "last used" in html
