"""The second factor in Debian's Chromium: first sign-in sets up an authenticator from the QR
code, with the Content-Security-Policy intact and no serious accessibility problem."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser import Problems, serious_violations, sign_in

from .conftest import PASSWORD, code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_sets_up_the_authenticator(browser, live_server, officer, tmp_path):
    # The page's own CSP applies here: a refused script, style or image would be a console error.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = Problems()
    problems.watch(page)

    page.goto(live_server.url + reverse("web:sign-in"))
    page.get_by_label("Username").fill("pc.jones")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    assert page.url.startswith(live_server.url + reverse("accounts:enrol"))
    qr = page.get_by_role("img", name="QR code to scan into your authenticator app")
    box = qr.locator("svg").bounding_box()
    assert box["width"] > 100 and box["height"] > 100  # drawn, not blocked
    page.screenshot(path=tmp_path / "enrol.png", full_page=True)

    page.get_by_label("Code", exact=True).fill(code_for(officer))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()

    assert page.url == live_server.url + reverse("web:home")
    assert page.get_by_role("heading", level=1).inner_text() == "Work queue"
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert problems.console_errors == []
    assert problems.failed_requests == []
    context.close()


def test_the_shared_sign_in_helper_passes_the_second_factor(browser, live_server, enrolled):
    for _ in range(2):  # twice within one code's 30 seconds
        context = browser.new_context()
        page = context.new_page()
        problems = Problems()
        problems.watch(page)

        sign_in(page, live_server.url, "pc.jones", PASSWORD)

        assert page.url == live_server.url + reverse("web:home")
        assert problems.console_errors == []
        context.close()


def test_the_set_up_page_is_accessible(browser, live_server, officer):
    # axe-core is added as a script that the page's CSP would refuse.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("web:sign-in"))
    page.get_by_label("Username").fill("pc.jones")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.get_by_text("I cannot scan the QR code").click()
    assert page.get_by_text("Enter this key in your app instead").is_visible()
    assert serious_violations(page) == []
    context.close()


def test_the_code_page_is_accessible(browser, live_server, enrolled):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + reverse("web:sign-in"))
    page.get_by_label("Username").fill("pc.jones")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.startswith(live_server.url + reverse("accounts:verify"))
    page.get_by_label("Code", exact=True).fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert serious_violations(page) == []
    context.close()
