"""The review queue and split pages: who sees them, what they show, what deciding does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeguard.audit_trail.models import AuditEntry
from safeguard.core.clock import now
from safeguard.linkage.models import PairReview
from safeguard.linkage.services import link_all
from safeguard.records.models import Source
from tests.browser import Problems, serious_violations, sign_in

from .conftest import feed_lines, load, person_of, record_id

PASSWORD = "correct-horse-battery"
REASON = "Checked with the health visitor: same man"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _linked(make_user):
    load(feed_lines())
    link_all()
    analyst = make_user("analyst", roles=("analyst",), password=PASSWORD)
    Source.objects.update(organisation=analyst.organisation)
    a, b = sorted((record_id("police/P3"), record_id("visor/V1")))
    # As a run queues an uncertain pair, with its evidence in words.
    review = PairReview.objects.create(
        record_l_id=a, record_r_id=b, match_weight=-1.5, match_probability=0.26, created_at=now(),
        evidence=["For: same surname Ellis", "For: same date of birth 1975-08-21",
                  "Against: different forenames Mark and Marcus"])
    return analyst, review


@pytest.fixture
def linked(db, make_user):
    return _linked(make_user)


def test_the_queue_lists_pending_pairs_for_analysts_and_is_not_found_for_others(client, linked, make_user) -> None:
    analyst, review = linked
    client.force_login(analyst)
    page = client.get(reverse("linkage:review"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mark ELLIS, born 1975-08-21" in html
    assert reverse("linkage:review-pair", args=[review.pk]) in html
    assert 'href="/linkage/review/"' in html  # the navigation item
    assert AuditEntry.objects.filter(action="consultation", object_type="person_pair", actor=analyst).exists()

    client.force_login(make_user("investigator", roles=("investigator",)))
    assert client.get(reverse("linkage:review")).status_code == 404
    assert client.get(reverse("linkage:review-pair", args=[review.pk])).status_code == 404
    assert 'href="/linkage/review/"' not in client.get(reverse("web:home")).content.decode()
    lily = person_of("csc/C1")
    assert reverse("linkage:split", args=[lily]) not in client.get(
        reverse("web:person-records", args=[lily])).content.decode()
    assert client.get(reverse("linkage:split", args=[lily])).status_code == 404


def test_a_pair_shows_both_records_and_the_evidence_and_a_decision_links_them(client, linked) -> None:
    analyst, review = linked
    client.force_login(analyst)
    url = reverse("linkage:review-pair", args=[review.pk])
    html = client.get(url).content.decode()
    for text in ("Mark ELLIS", "ViSOR id: VS-0042", "Same surname Ellis", "Different forenames Mark and Marcus",
                 "26%"):
        assert text in html, text

    refused = client.post(url, {"decision": "same", "reason": "same"})
    assert "at least 10 characters" in refused.content.decode()
    assert PairReview.objects.get(pk=review.pk).status == PairReview.Status.PENDING

    done = client.post(url, {"decision": "same", "reason": REASON})
    assert done.status_code == 302 and done["Location"] == reverse("linkage:review")
    assert PairReview.objects.get(pk=review.pk).status == PairReview.Status.CONFIRMED
    assert person_of("police/P3") == person_of("visor/V1")


def test_an_analyst_splits_a_wrong_link_from_the_split_page(client, linked) -> None:
    analyst, _ = linked
    client.force_login(analyst)
    lily = person_of("csc/C1")
    url = reverse("linkage:split", args=[lily])
    assert url in client.get(reverse("web:person-records", args=[lily])).content.decode()  # from the person page
    html = client.get(url).content.decode()
    assert "Split records off" in html and "Lilly" in html

    assert "Select the records that are not this person" in client.post(url, {"reason": REASON}).content.decode()
    done = client.post(url, {"records": [record_id("health/H1")], "reason": REASON})
    assert done.status_code == 302 and done["Location"] == reverse("web:person", args=[lily])
    assert person_of("health/H1") != lily


@pytest.mark.browser
def test_deciding_a_pair_in_the_browser(browser, live_server, transactional_db, make_user) -> None:
    analyst, review = _linked(make_user)
    # axe-core is injected as an inline script, which the Content-Security-Policy rightly refuses.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    problems = Problems()
    problems.watch(page)
    sign_in(page, live_server.url, analyst.username, PASSWORD)
    page.wait_for_url(live_server.url + reverse("web:home"))

    page.get_by_role("link", name="Linkage review").click()
    page.wait_for_url(live_server.url + reverse("linkage:review"))
    assert serious_violations(page) == []
    page.get_by_role("link", name="Decide").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Are these the same person?"
    assert serious_violations(page) == []

    page.get_by_role("button", name="Save decision").click()
    assert "Select whether these records are the same person" in page.locator(".govuk-error-summary").inner_text()
    assert serious_violations(page) == []
    page.get_by_label("Different people: keep these records apart").check()
    page.get_by_label("Why").fill(REASON)
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_url(live_server.url + reverse("linkage:review"))
    assert "There are no pairs to decide" in page.content()
    assert PairReview.objects.get(pk=review.pk).status == PairReview.Status.SPLIT

    page.goto(live_server.url + reverse("linkage:split", args=[person_of("csc/C1")]))
    assert serious_violations(page) == []
    assert problems.console_errors == []
    assert problems.failed_requests == []
    context.close()
