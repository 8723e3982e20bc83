"""Each dashboard in a real browser (Debian's Chromium via Playwright): its charts drawn by
Chart.js under the Content-Security-Policy, no console errors or failed requests, no serious
accessibility findings, and a screenshot of each page (kept in OVERSIGHT_SCREENSHOTS when set,
else in the test's temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser import Problems, serious_violations, sign_in

from .conftest import PASSWORD

pytestmark = pytest.mark.browser

PAGES = ("backlogs", "compliance", "alerts", "partners")


def test_every_dashboard_draws_its_charts(browser, live_server, force, tmp_path):
    shots = Path(os.environ.get("OVERSIGHT_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = Problems()
    problems.watch(page)
    sign_in(page, live_server.url, "leader", PASSWORD)
    page.wait_for_url(live_server.url + reverse("web:home"))

    page.get_by_role("link", name="Oversight").first.click()
    page.wait_for_url(live_server.url + reverse("oversight:backlogs"))
    for name in PAGES:
        page.goto(live_server.url + reverse(f"oversight:{name}") + "?as_of=2026-03-31&period=3m")
        page.wait_for_load_state("networkidle")
        canvases = page.locator("canvas").count()
        assert canvases >= 1, name
        drawn = page.evaluate("Array.from(document.querySelectorAll('canvas')).filter(c => Chart.getChart(c)).length")
        assert drawn == canvases, name
        # Each chart has its data table with the same row labels.
        labels = page.evaluate("Chart.getChart(document.querySelector('canvas')).data.labels")
        first_table = page.locator("table").first.locator("tbody th").all_inner_texts()
        assert labels == first_table, name
        page.screenshot(path=shots / f"oversight-{name}.png", full_page=True)

    # A number opens the cases behind it.
    page.goto(live_server.url + reverse("oversight:compliance") + "?as_of=2026-03-31&period=3m")
    page.locator('a[data-measure="rhi.missed"]').click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#figure-total").inner_text() == "1"
    assert page.locator("#figure-rows tbody tr").count() == 1

    assert problems.console_errors == []
    assert problems.failed_requests == []
    context.close()


def test_dashboards_have_no_serious_accessibility_findings(browser, live_server, force):
    # axe-core is injected as an inline script, which the page's CSP rightly refuses: this
    # context bypasses the CSP (the test above proves the pages work under it).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "leader", PASSWORD)
    page.wait_for_url(live_server.url + reverse("web:home"))
    for name in PAGES:
        page.goto(live_server.url + reverse(f"oversight:{name}") + "?as_of=2026-03-31&period=3m")
        page.wait_for_load_state("networkidle")
        assert serious_violations(page) == [], name
    page.goto(live_server.url + reverse("oversight:figure", args=["compliance"])
              + "?as_of=2026-03-31&period=3m&measure=rhi.due")
    assert serious_violations(page) == []
    page.goto(live_server.url + reverse("oversight:backlogs") + "?as_of=31/03/2026")
    assert page.get_by_text("There is a problem").is_visible()
    assert serious_violations(page) == []
    context.close()
