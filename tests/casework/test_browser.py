"""The casework day in a real browser (Debian's Chromium, live server, CSP in force): a case
opened from an alert, activity logged, a referral sent and answered by a partner, a supervisory
review with a direction, the outcome, and closure signed off; axe-core and a clean console and
network on every casework page kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safeguard.casework.models import Investigation, Referral
from safeguard.core.clock import now
from tests.browser import Problems, serious_violations, sign_in
from tests.web.conftest import PASSWORD, maple  # noqa: F401 - the Maple Road example, linked, with alerts

pytestmark = pytest.mark.browser


@pytest.fixture
def people(browser, live_server, maple):  # noqa: F811
    """Sign a user in their own browser context; every page they load is watched. With
    `axe=True` the context bypasses the CSP, so that axe-core can be injected."""
    opened = []

    def as_user(username: str, axe: bool = False):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=axe)
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems = Problems()
        problems.watch(page)
        sign_in(page, live_server.url, username, PASSWORD)
        page.wait_for_url(live_server.url + reverse("web:home"))
        opened.append(context)
        return page, problems

    yield as_user
    for context in opened:
        context.close()


def _clean(page, problems: Problems, seen: dict[str, set[str]] | None = None, who: str = "") -> None:
    """No console errors or failed requests; remember the page for the accessibility pass."""
    assert problems.console_errors == []
    assert problems.failed_requests == []
    if seen is not None:
        seen.setdefault(who, set()).add(page.url)


def _accessible(people, seen: dict[str, set[str]]) -> None:
    for username, urls in seen.items():
        page, problems = people(username, axe=True)
        for url in sorted(urls):
            page.goto(url)
            assert serious_violations(page) == [], url
        assert problems.console_errors == []


def _submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_a_case_from_alert_to_closure(people, live_server, maple):  # noqa: F811
    base = live_server.url
    seen: dict[str, set[str]] = {}
    due = (now() + dt.timedelta(days=5)).date().isoformat()

    # The investigator opens a case from an alert.
    officer, officer_problems = people("pc.jones")
    alert = maple.alert("RISKY-ADULT-CHILD")
    officer.goto(base + reverse("web:alert", args=[alert]))
    officer.get_by_role("link", name="Open an investigation").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Open an investigation")
    _clean(officer, officer_problems, seen, "pc.jones")
    _submit(officer, "Open the case")  # no category or risk: the error summary says so
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Select the category of abuse")
    officer.get_by_label("Physical abuse").check()
    officer.get_by_label("High").check()
    _submit(officer, "Open the case")
    case = Investigation.objects.get(opened_from_alert_id=alert)
    expect(officer.locator(".govuk-notification-banner--success")).to_contain_text(f"Case {case.reference} opened")
    expect(officer.locator("#subjects-heading + ul")).to_contain_text("Lily")
    _clean(officer, officer_problems, seen, "pc.jones")

    # Activity, the strategy discussion, a referral to health.
    officer.get_by_role("link", name="Record activity").click()
    officer.get_by_label("What was done").fill("Visited 14 Maple Road with the health visitor; Lily seen and spoken to.")
    _submit(officer, "Record activity")
    expect(officer.locator(".moj-timeline")).to_contain_text("Lily seen and spoken to")
    officer.get_by_role("link", name="Move on").click()
    _clean(officer, officer_problems, seen, "pc.jones")
    officer.get_by_label("Strategy discussion").check()
    officer.get_by_label("Decision and reasons").fill("Strategy discussion 10:00 tomorrow with CSC and health.")
    _submit(officer, "Save")
    officer.get_by_role("link", name="Refer to a partner").click()
    officer.get_by_label("Send to").select_option(label="Northshire Health NHS Trust")
    officer.get_by_label("What are you sharing?").fill("Daniel Price's offending history and the household.")
    officer.get_by_label("Why are you sharing it?").fill("To safeguard a child: Children Act 1989 s 47.")
    officer.get_by_label("What are you asking them to do?").fill("Health visitor to attend the strategy discussion.")
    officer.get_by_label("Response due by").fill(due)
    _submit(officer, "Send referral")
    expect(officer.locator("#referrals ~ table").first).to_contain_text("Waiting")

    # The health visitor answers the referral.
    nurse, nurse_problems = people("hv.brown")
    nurse.get_by_role("link", name="Referrals").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Referrals to your organisation")
    _clean(nurse, nurse_problems, seen, "hv.brown")
    nurse.get_by_role("link", name=case.reference).click()
    _clean(nurse, nurse_problems, seen, "hv.brown")
    nurse.get_by_label("Accepted: action taken").check()
    nurse.get_by_label("Your response").fill("I will attend; Lily's last two appointments were missed.")
    _submit(nurse, "Send response")
    expect(nurse.locator(".govuk-notification-banner--success")).to_contain_text("Response sent")
    assert Referral.objects.get(investigation=case).responded_by.username == "hv.brown"

    # The supervisor reviews the case and gives a direction.
    sergeant, sergeant_problems = people("sgt.lee")
    sergeant.get_by_role("link", name="Cases").click()
    sergeant.get_by_role("link", name="My team's cases").click()
    _clean(sergeant, sergeant_problems, seen, "sgt.lee")
    sergeant.get_by_role("link", name=case.reference).click()
    sergeant.get_by_role("link", name="Record a supervisory review").click()
    sergeant.get_by_label("What did you review?").fill("Risk assessment, the log and the strategy discussion plan.")
    sergeant.get_by_label("Your rationale").fill("High risk is right; the plan is proportionate.")
    sergeant.get_by_label("Direction 1", exact=True).fill("Run PNC and PND checks on Daniel Price")
    sergeant.get_by_label("Direction 1: owner").select_option(label="Sam Jones")
    sergeant.get_by_label("Direction 1: deadline").fill(due)
    _submit(sergeant, "Record review")
    expect(sergeant.locator(".govuk-notification-banner--success")).to_contain_text("with 1 direction")
    expect(sergeant.locator(".govuk-summary-card").first).to_contain_text("Run PNC and PND checks")

    # The investigator does the direction, records the outcome and asks to close.
    officer.reload()
    expect(officer.locator("#referrals ~ table").first).to_contain_text("Accepted")
    officer.get_by_role("link", name="Mark done").click()
    _clean(officer, officer_problems, seen, "pc.jones")
    officer.get_by_label("What was done").fill("Checks done: two non-molestation orders.")
    _submit(officer, "Mark as done")
    officer.get_by_role("link", name="Record the outcome").click()
    officer.get_by_label("Charged").check()
    officer.get_by_label("Reasons for the outcome").fill("CPS authorised a charge of child cruelty.")
    _submit(officer, "Record outcome")
    officer.get_by_role("link", name="Ask to close").click()
    officer.get_by_label("Why can the case be closed?").fill("Charged and remanded; CSC child protection plan in place.")
    _submit(officer, "Request closure")
    expect(officer.locator(".govuk-notification-banner--success")).to_contain_text("a supervisor must sign it off")

    # The supervisor signs the closure off.
    sergeant.reload()
    sergeant.get_by_role("link", name="Sign off the closure").click()
    _clean(sergeant, sergeant_problems, seen, "sgt.lee")
    _submit(sergeant, "Sign off and close the case")
    expect(sergeant.locator(".govuk-notification-banner--success")).to_contain_text("the case is closed")
    _clean(sergeant, sergeant_problems, seen, "sgt.lee")
    case.refresh_from_db()
    assert case.stage == "closed" and case.closure_signed_off_by.username == "sgt.lee"

    # axe-core on every casework page kind the day went through.
    _accessible(people, seen)
