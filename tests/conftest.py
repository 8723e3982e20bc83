"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLE_FEED = SHARED / "examples" / "maple-road.jsonl"


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import Group

    from safeguard.accounts.models import Organisation, User

    def make(username: str = "user", *, organisation: str | None = "Northshire Police", kind: str = "police",
             roles: tuple[str, ...] = ("investigator",), password: str = "correct-horse-battery", **extra) -> User:
        org = None
        if organisation is not None:
            org, _ = Organisation.objects.get_or_create(name=organisation, defaults={"kind": kind})
        user = User.objects.create_user(username=username, password=password, organisation=org, **extra)
        user.groups.set([Group.objects.get(name=code) for code in roles])
        return user

    return make


@pytest.fixture(autouse=True)
def _audit_checkpoints_in_tmp(settings, tmp_path):
    """Each test's audit checkpoints go to its own file, never to the data folder's real one."""
    settings.AUDIT_CHECKPOINT_PATH = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` (and `client.login(...)`) give a session that has passed the
    second factor too, as if the user had entered their code: tests of pages need not sign in
    through two forms. Tests in tests/accounts prove, through the real forms, that a password
    alone reaches nothing."""
    from django.test.client import ClientMixin

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        verify_session(session, user)
        session.save()

    def login(self, **credentials) -> bool:
        # As Django's Client.login, with a request: django-axes refuses to authenticate without one.
        from django.contrib.auth import authenticate
        from django.http import HttpRequest

        user = authenticate(HttpRequest(), **credentials)
        if user is None:
            return False
        self._login(user, user.backend)
        return True

    monkeypatch.setattr(ClientMixin, "_login", _login)
    monkeypatch.setattr(ClientMixin, "login", login)


def verify_session(session, user) -> None:
    """Mark a session as past the second factor (with the user's authenticator, made if need be)
    and freshly re-authenticated, as the code page does at the end of a real sign-in."""
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguard.accounts.otp import DEVICE_NAME
    from safeguard.accounts.reauth import REAUTH_SESSION_KEY

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True))
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[REAUTH_SESSION_KEY] = int(time.time())


@pytest.fixture
def example_feed() -> Path:
    return EXAMPLE_FEED


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, for every folder's browser tests (see tests/browser.py)."""
    from tests.browser import launch_browser

    yield from launch_browser()
