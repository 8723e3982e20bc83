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


@pytest.fixture
def example_feed() -> Path:
    return EXAMPLE_FEED


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, for every folder's browser tests (see tests/browser.py)."""
    from tests.browser import launch_browser

    yield from launch_browser()
