"""safeguard totp_code: the demo's way past the second factor without a phone, refused outside
the demo."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import HOME, VERIFY, enter_password

pytestmark = pytest.mark.django_db


def run(username: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("totp_code", username, stdout=out)
    return out.getvalue().strip()


def test_outside_the_demo_it_refuses(settings, enrolled):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only in the demo"):
        run("pc.jones")


def test_in_the_demo_its_code_signs_in(settings, client, enrolled):
    settings.DEMO_MODE = True
    code = run("pc.jones")
    assert len(code) == 6 and code.isdigit()

    enter_password(client)
    assert client.post(VERIFY, {"code": code})["Location"] == HOME


def test_for_a_user_not_yet_set_up_it_gives_the_code_the_set_up_page_expects(settings, client, officer):
    from .conftest import ENROL

    settings.DEMO_MODE = True
    enter_password(client)
    client.get(ENROL)  # the set-up page makes the pending authenticator
    assert client.post(ENROL, {"code": run("pc.jones")})["Location"] == HOME


def test_an_unknown_user_gets_a_clear_error(settings, db):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match='No user "nobody"'):
        run("nobody")


def test_demo_setup_gives_every_demo_user_the_printed_key(db):
    from io import StringIO

    from django_otp.plugins.otp_totp.models import TOTPDevice

    out = StringIO()
    call_command("demo_setup", stdout=out)
    text = out.getvalue()
    devices = TOTPDevice.objects.filter(user__username__startswith="demo-", confirmed=True)
    assert devices.count() == 11 and len({d.key for d in devices}) == 1
    from safeguard.accounts.otp import base32_key

    assert f"oathtool --totp -b {base32_key(devices.first())}" in text
    assert "safeguard totp_code USERNAME" in text
