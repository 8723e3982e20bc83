"""An inspection in a real browser (Debian's Chromium, live server, CSP in force): an inspector
sets up an exercise and draws the sample, grades a case file beside its read-only record, a
second auditor moderates it and disagrees, the lead settles it and publishes the report, and the
force tracks a recommendation to done. axe-core and the console are checked on every page.

Set SAFEGUARD_SCREENSHOTS to a folder to keep the screenshots for looking at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safeguard.inspections.models import CaseAudit, Criterion, Exercise, PlanAction, SampledCase
from tests.browser import Problems, serious_violations, sign_in

from .conftest import PASSWORD, criteria_of, grade

pytestmark = pytest.mark.browser


DRAWN = "window.Chart !== undefined && Chart.getChart(document.getElementById('grade-chart')) !== undefined"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SAFEGUARD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Session:
    """One signed-in person in their own browser context, with what went wrong on their pages."""

    def __init__(self, browser, base: str, username: str, *, csp: bool = False):
        # axe-core is injected as an inline script, which the CSP refuses: the audited sessions
        # bypass it, and a session with the CSP in force opens the pages that run scripts of their own.
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=not csp)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems = Problems()
        self.problems.watch(self.page)
        self.base = base
        sign_in(self.page, base, username, PASSWORD)
        self.page.wait_for_url(base + reverse("web:home"))

    def check(self, label: str) -> None:
        """The page is accessible and loaded cleanly."""
        self.page.wait_for_load_state("networkidle")
        assert serious_violations(self.page) == [], label
        assert self.problems.console_errors == [], label
        assert self.problems.failed_requests == [], label

    def grade_case(self, case: SampledCase, overall: str) -> None:
        page = self.page
        page.goto(self.base + reverse("inspections:case", args=[case.exercise_id, case.pk]))
        expect(page.get_by_role("heading", level=1)).to_contain_text(case.investigation.reference)
        self.check(f"case {case.pk}")
        for criterion in Criterion.objects.filter(topic__framework=case.exercise.framework_id):
            page.get_by_role("group", name=criterion.text, exact=True).get_by_label(
                "Requires improvement").check()
        page.get_by_role("group", name="Overall grade").get_by_label(overall, exact=True).check()
        page.get_by_label("Rationale for the overall grade").fill("Supervision is missing at key decisions.")
        page.get_by_role("button", name="Save grades").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")


def test_an_inspection_from_sampling_to_a_recommendation_done(browser, live_server, force, cases, framework, shots):
    lead = Session(browser, live_server.url, "inspector")
    page = lead.page

    # Set up the exercise and draw the sample.
    page.get_by_role("link", name="Inspections").click()
    lead.check("list")
    page.get_by_role("link", name="Set up an exercise").click()
    lead.check("new")
    page.get_by_label("Name of the exercise").fill("Child protection audit 2026")
    page.get_by_label("Force audited").select_option(label="Northshire Police")
    page.get_by_label("Cases opened from").fill("2026-01-01")
    page.get_by_label("Cases opened up to").fill("2026-12-31")
    page.get_by_label("Number of case files to sample").fill("21")
    page.get_by_label("Random seed").fill("2019")
    page.get_by_label("Ida Inspector").check()
    page.get_by_label("Alan Auditor").check()
    page.get_by_role("button", name="Set up the exercise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Child protection audit 2026")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("21 case files drawn")
    lead.check("exercise")
    exercise = Exercise.objects.get(title="Child protection audit 2026")

    # The lead grades a case that the second auditor moderates; the moderator disagrees.
    case = exercise.cases.filter(auditor=force.inspector, moderator=force.auditor).select_related(
        "investigation", "exercise").first()
    lead.grade_case(case, "Inadequate")
    second = Session(browser, live_server.url, "auditor")
    second.grade_case(case, "Requires improvement")
    second.context.close()

    # The other files are graded outside the browser, through the same service.
    criteria = criteria_of(exercise)
    for other in exercise.cases.exclude(pk=case.pk).select_related("auditor", "moderator"):
        overall = "requires_improvement" if other.position % 2 else "inadequate"
        grade(other, other.auditor, overall, criteria)
        if other.moderator_id:
            grade(other, other.moderator, overall, criteria)

    # The lead settles the disagreement and publishes.
    page.goto(live_server.url + reverse("inspections:exercise", args=[exercise.pk]))
    expect(page.locator(".govuk-inset-text")).to_contain_text("1 disagreement to settle")
    page.goto(live_server.url + reverse("inspections:case", args=[exercise.pk, case.pk]))
    lead.check("settle")
    page.screenshot(path=shots / "inspection-case-to-settle.png", full_page=True)
    page.get_by_role("group", name="Agreed grade").get_by_label("Inadequate", exact=True).check()
    page.get_by_label("How it was settled").fill("Moderation meeting: supervision gaps outweigh the response.")
    page.get_by_role("button", name="Record the agreed grade").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Disagreement settled")
    page.get_by_label("Summary of findings").fill("No case file was good; supervision was the main weakness.")
    page.get_by_role("button", name="Publish the report").click()

    expect(page.locator("#headline")).to_have_text(_headline(exercise))
    # Chart.js drew the chart (a Chart instance is attached to the canvas). The published report
    # is a new page: its scripts may still be running when the headline is there, so wait (up to
    # the default timeout, which fails the test) rather than ask once.
    page.wait_for_function(DRAWN)
    lead.check("report")
    page.screenshot(path=shots / "inspection-report.png", full_page=True)

    # A recommendation, owned by the force's senior leader.
    page.get_by_role("link", name="Action plan progress").click()
    page.get_by_label("Recommendation", exact=True).fill("Record supervisory reviews at every key decision.")
    page.get_by_label("Immediately").check()
    page.get_by_label("Owner").select_option(label="Sam Senior")
    page.get_by_role("button", name="Add the recommendation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recommendation 1 added")
    lead.check("plan")
    lead.context.close()

    # The force tracks it to done.
    senior = Session(browser, live_server.url, "senior")
    page = senior.page
    page.goto(live_server.url + reverse("inspections:plan", args=[exercise.pk]))
    recommendation = page.locator("#recommendation-1")
    recommendation.get_by_text("Add an action to recommendation 1").click()
    recommendation.get_by_label("Action", exact=True).fill("Brief every detective sergeant on the supervision standard.")
    recommendation.get_by_label("Owner").select_option(label="Sam Senior")
    recommendation.get_by_label("Due by").fill("2027-01-15")
    recommendation.get_by_role("button", name="Add the action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added")
    page.get_by_text("Update this action").click()
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the evidence that the action is done")
    senior.check("plan with an error")
    page.get_by_label("Evidence").fill("Briefing slides and attendance list, 14 January.")
    page.get_by_role("button", name="Save the action").click()
    expect(page.locator("#progress")).to_contain_text("1 of 1 action done (100%)")
    expect(page.locator("#recommendation-1-title")).to_contain_text("Done")
    senior.check("plan done")
    senior.context.close()

    # With the CSP in force, the report's scripts (Chart.js and its setup) still load and run.
    strict = Session(browser, live_server.url, "senior", csp=True)
    for name in ("report", "plan", "exercise"):
        strict.page.goto(live_server.url + reverse(f"inspections:{name}", args=[exercise.pk]))
        strict.page.wait_for_load_state("networkidle")
    strict.page.goto(live_server.url + reverse("inspections:report", args=[exercise.pk]))
    strict.page.wait_for_function(DRAWN)
    assert strict.problems.console_errors == []
    assert strict.problems.failed_requests == []
    strict.context.close()

    assert PlanAction.objects.get().status == "done"
    assert CaseAudit.objects.filter(case=case).count() == 2
    assert SampledCase.objects.get(pk=case.pk).settled_grade == "inadequate"


def _headline(exercise: Exercise) -> str:
    from safeguard.inspections.selectors import results

    return results(Exercise.objects.get(pk=exercise.pk)).headline
