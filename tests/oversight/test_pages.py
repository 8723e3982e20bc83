"""The oversight pages through the test client: who may see them, filters and their errors, the
list behind every number, and audited exports."""

from __future__ import annotations

import io
import re
import time
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from safeguard.accounts.reauth import REAUTH_SESSION_KEY
from safeguard.audit_trail.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGES = ("backlogs", "compliance", "alerts", "partners")
MARCH = "as_of=2026-03-31"


def signed_in(client, user, *, reauthenticated: bool = True):
    """Signed in; signing in counts as re-authenticating, so `reauthenticated=False` backdates it."""
    client.force_login(user)
    session = client.session
    session[REAUTH_SESSION_KEY] = int(time.time()) - (0 if reauthenticated else 3600)
    session.save()
    return client


def figure_links(html: str) -> list[tuple[str, int]]:
    """(url, number shown) for every linked count on a dashboard."""
    return [(unescape(url), int(value)) for url, value in
            re.findall(r'<a class="govuk-link" data-measure="[^"]*" data-count href="([^"]+)">(\d+)</a>', html)]


def test_each_dashboard_shows_tables_and_chart_data(client, force):
    signed_in(client, force.users["leader"])
    for page in PAGES:
        response = client.get(reverse(f"oversight:{page}") + f"?{MARCH}")
        assert response.status_code == 200, page
        html = response.content.decode()
        assert 'id="oversight-charts"' in html and "<canvas" in html, page
        assert "vendor/chart.js/chart.umd.js" in html
        assert 'aria-current="page"' in html


def test_every_number_lists_the_cases_behind_it(client, force):
    signed_in(client, force.users["leader"])
    checked = 0
    for page in PAGES:
        html = client.get(reverse(f"oversight:{page}") + f"?{MARCH}").content.decode()
        links = figure_links(html)
        assert links, page
        for url, number in links:
            listed = client.get(url)
            assert listed.status_code == 200, url
            body = listed.content.decode()
            assert f'<strong id="figure-total">{number}</strong>' in body, url
            assert body.count('<tr class="govuk-table__row">') - (1 if number else 0) == min(number, 100), url
            checked += 1
    assert checked > 100


def test_a_list_names_its_rows_and_links_them(client, force):
    signed_in(client, force.users["leader"])
    url = reverse("oversight:figure", args=["backlogs"]) + f"?{MARCH}&measure=alerts.RISKY-ADULT-CHILD.overdue"
    body = client.get(url).content.decode()
    assert "Overdue RISKY-ADULT-CHILD alerts" in body
    assert reverse("web:alert", args=[force.alerts["A2"]]) in body
    cases = client.get(reverse("oversight:figure", args=["backlogs"]) + f"?{MARCH}&measure=cases.referral.all")
    assert reverse("casework:case", args=[force.cases["CP-2"]]) in cases.content.decode()
    consulted = AuditEntry.objects.filter(action="consultation", object_type="oversight_alert").last()
    assert consulted.object_ids == [str(force.alerts["A2"])]


def test_filters_change_the_figures(client, force):
    signed_in(client, force.users["leader"])
    whole = client.get(reverse("oversight:alerts") + f"?{MARCH}").content.decode()
    south = client.get(reverse("oversight:alerts") + f"?{MARCH}&area=South").content.decode()
    assert "RISKY-ADULT-CHILD" in whole and "RISKY-ADULT-CHILD" not in south
    assert "BAIL-ADDRESS" in south


@pytest.mark.parametrize(("query", "message"), [
    ("as_of=2026-13-01", "Enter the date as year-month-day, for example 2026-03-31"),
    ("as_of=2999-01-01", "The date must be today or in the past"),
    ("period=forever", "Select a valid choice"),
    ("team=999999", "Select a valid choice"),
])
def test_bad_filters_are_explained(client, force, query, message):
    signed_in(client, force.users["leader"])
    response = client.get(reverse("oversight:backlogs") + f"?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert "oversight-charts" not in html


def test_unknown_dashboard_or_figure_is_not_found(client, force):
    signed_in(client, force.users["leader"])
    assert client.get(reverse("oversight:figure", args=["nowhere"])).status_code == 404
    assert client.get(reverse("oversight:figure", args=["backlogs"]) + "?measure=nothing").status_code == 404


def test_only_oversight_roles_see_the_dashboards(client, force):
    signed_in(client, force.users["investigator"])
    for page in PAGES:
        assert client.get(reverse(f"oversight:{page}")).status_code == 404
    assert "Oversight" not in client.get(reverse("web:account")).content.decode()
    signed_in(client, force.users["supervisor"])
    assert client.get(reverse("oversight:backlogs")).status_code == 200
    assert 'href="/oversight/"' in client.get(reverse("web:account")).content.decode()
    client.logout()
    response = client.get(reverse("oversight:backlogs"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_exports_need_a_recent_sign_in(client, force):
    signed_in(client, force.users["leader"], reauthenticated=False)
    response = client.get(reverse("oversight:export", args=["compliance", "csv"]) + f"?{MARCH}")
    assert response.status_code == 302 and reverse("accounts:reauth") in response["Location"]
    assert not AuditEntry.objects.filter(action="disclosure").exists()


def test_csv_export_is_the_dashboard_and_a_disclosure(client, force):
    signed_in(client, force.users["leader"])
    response = client.get(reverse("oversight:export", args=["compliance", "csv"]) + f"?{MARCH}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="oversight-compliance-' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Return-home interview within 72 hours,3,2,1,66.7" in text
    entry = AuditEntry.objects.get(action="disclosure")
    assert entry.actor == force.users["leader"] and entry.object_ids == ["compliance"]
    assert entry.details["format"] == "csv" and entry.details["as_of"].startswith("2026-03-31")


def test_excel_export_has_a_sheet_a_table(client, force):
    signed_in(client, force.users["leader"])
    response = client.get(reverse("oversight:export", args=["partners", "xlsx"]) + f"?{MARCH}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[book.sheetnames[0]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Northshire Children's Services", 2, 1, 1, 1, 1, 3.0] in rows
    assert AuditEntry.objects.filter(action="disclosure", details__format="xlsx").count() == 1
    assert client.get(reverse("oversight:export", args=["partners", "pdf"])).status_code == 404


def test_the_period_shown_is_the_period_counted(client, db):
    from safeguard.oversight.filters import DEFAULT_PERIOD, PERIODS, FilterForm

    form = FilterForm({}, areas=[], teams=[])
    assert form.is_valid()
    assert f'<option value="{DEFAULT_PERIOD}" selected>{PERIODS[DEFAULT_PERIOD][0]}</option>' in str(form["period"])
