"""Browser-test helpers shared by every test folder: Debian's Chromium through Playwright, a
record of what went wrong while pages loaded, signing in, and axe-core accessibility checks.
The `browser` fixture itself is in tests/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

# Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(settings.STATICFILES_DIRS[0]) / "vendor" / "axe-core" / "axe.min.js"


def launch_browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail("Browser tests need Debian's Chromium: apt-get install -y chromium chromium-driver")
    if not AXE.exists():
        pytest.fail("Browser tests need the vendored front-end files: npm install && npm run build")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Problems:
    """Everything that went wrong while pages loaded."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed_requests.append(f"{r.url} {r.failure}"))
        page.on("response", self._response)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.url} {response.status}")
        else:
            self.loaded.append(response.url)


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the pages as a person would: username and password, then, if they were
    right, the code from the user's authenticator (made for them here if they have none yet)."""
    page.goto(base_url + reverse("web:sign-in"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if page.url.split("?")[0] in (base_url + reverse("accounts:verify"), base_url + reverse("accounts:enrol")):
        page.get_by_label("Code", exact=True).fill(fresh_code(username))
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()


def fresh_code(username: str) -> str:
    """The code the user's authenticator shows now: the enrolled one's, or at first sign-in the
    one the set-up page is showing. django-otp accepts each time step once per device; the
    device's memory of the last step is cleared, as if the user had waited for the next code, so
    that tests may sign the same user in several times a minute."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguard.accounts.otp import current_code

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "pk").first()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, drift=0, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    device.refresh_from_db()
    return current_code(device)


def serious_violations(page) -> list[str]:
    """Run axe-core on the page; return its serious and critical findings."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
