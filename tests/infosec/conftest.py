"""Fixtures for the information-security tests: the Maple Road world of tests/web."""

from __future__ import annotations

import time

import pytest

from safeguard.accounts.reauth import REAUTH_SESSION_KEY
from tests.web import conftest as web_world

# The Maple Road world of the web tests, linked, with its alerts and users.
maple, fast_passwords = web_world.maple, web_world.fast_passwords


def reauthenticated(client, *, seconds_ago: int = 0) -> None:
    """As if the user had confirmed their password and code on the re-authentication page."""
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()


@pytest.fixture
def infosec_officer(maple, make_user):
    return make_user("iso.patel", organisation="Northshire Police", roles=("information_security",),
                     email="iso@northshire.example")
