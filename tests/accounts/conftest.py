"""Signing in through the real forms, step by step: these tests must not use force_login, whose
session has passed the second factor already (tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

PASSWORD = "a-long-enough-passphrase-42"
SIGN_IN = reverse("web:sign-in")
HOME = reverse("web:home")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")
REAUTH = reverse("accounts:reauth")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is deliberately slow; tests/accounts/test_passwords.py checks the real setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer(make_user):
    return make_user("pc.jones", password=PASSWORD, first_name="Sam", last_name="Jones")


@pytest.fixture
def enrolled(officer):
    """An officer whose authenticator is set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)
    return officer


def code_for(user, *, step: int = 0) -> str:
    """What the user's authenticator shows now (step=1: the next code, step=-5: an old one)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + step * device.step
    return f"{totp.token():06d}"


def enter_password(client, username: str = "pc.jones", password: str = PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def sign_in_fully(client, user, password: str = PASSWORD, *, step: int = 0):
    """Password and code; step=1 for a second sign-in within 30 seconds (a code works once)."""
    enter_password(client, user.username, password)
    response = client.post(VERIFY, {"code": code_for(user, step=step), "next": HOME})
    assert response.status_code == 302, response.text[:500]
    return response
