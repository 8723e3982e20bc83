"""The pages in a real browser: Debian's Chromium, driven by Playwright, against a live server.

A page that loads with no console error and no failed request proves the static files are
where the templates say and that the Content-Security-Policy lets everything run.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import PASSWORD, Problems, serious_violations, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_and_see_the_work_queue(browser, live_server, user, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = Problems()
    problems.watch(page)

    sign_in(page, live_server.url, "jsmith", PASSWORD)

    page.wait_for_url(live_server.url + reverse("web:home"))
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Work queue"
    assert "Northshire Police" in page.locator(".govuk-service-navigation").inner_text()
    # GOV.UK Frontend and htmx started.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.evaluate("typeof window.htmx") == "object"
    # Not a GOV.UK service: none of GOV.UK's identity (its typeface, the crown) is used.
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower().startswith("arial")
    assert not any(url.endswith((".woff2", ".woff")) for url in problems.loaded)
    assert not any("crest" in url or "crown" in url for url in problems.loaded)
    assert page.locator(".govuk-header").count() == 0
    page.screenshot(path=tmp_path / "home.png", full_page=True)

    assert problems.console_errors == []
    assert problems.failed_requests == []
    context.close()


def test_htmx_requests_carry_the_csrf_token(browser, live_server, user):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url, "jsmith", PASSWORD)
    page.wait_for_url(live_server.url + reverse("web:home"))

    # Signing out is a POST that Django refuses without the CSRF token.
    status = page.evaluate(
        """url => new Promise(resolve => {
            document.body.addEventListener('htmx:afterRequest', e => resolve(e.detail.xhr.status), {once: true});
            htmx.ajax('POST', url, {source: document.body, swap: 'none'});
        })""",
        reverse("web:sign-out"),
    )

    assert status == 200  # the redirect to the sign-in page, followed
    page.goto(live_server.url + reverse("web:home"))
    assert page.url.startswith(live_server.url + reverse("web:sign-in"))
    context.close()


def test_wrong_password_in_the_browser(browser, live_server, user, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = Problems()
    problems.watch(page)

    sign_in(page, live_server.url, "jsmith", "not the password")

    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    # GOV.UK Frontend moves focus to the error summary, so screen readers announce it.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Enter a correct username and password").click()
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.screenshot(path=tmp_path / "sign-in-error.png", full_page=True)
    assert problems.console_errors == []
    assert problems.failed_requests == []
    context.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_pages_have_no_serious_accessibility_problems(browser, live_server, user, viewport, tmp_path):
    # axe is injected as an inline script, which the page's CSP rightly refuses; the other
    # tests run with the CSP in force.
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    page = context.new_page()

    page.goto(live_server.url + reverse("web:sign-in"))
    assert serious_violations(page) == []

    sign_in(page, live_server.url, "jsmith", "not the password")
    page.wait_for_selector(".govuk-error-summary")
    assert serious_violations(page) == []

    sign_in(page, live_server.url, "jsmith", PASSWORD)
    page.wait_for_url(live_server.url + reverse("web:home"))
    assert serious_violations(page) == []
    page.screenshot(path=tmp_path / f"home-{viewport['width']}.png", full_page=True)

    page.goto(live_server.url + reverse("web:account"))
    assert serious_violations(page) == []

    page.goto(live_server.url + "/no-such-page/")
    assert serious_violations(page) == []
    context.close()
