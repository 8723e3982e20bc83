"""The work queue: what needs acting on first, filters and counts, and acting in place with htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguard.alerts.models import Alert, AlertHistory, AlertSubject
from safeguard.audit_trail.models import AuditEntry

from .conftest import consultations

pytestmark = pytest.mark.django_db

QUEUE = reverse("web:queue")
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_queue_is_the_home_page_and_needs_sign_in(client, maple):
    assert client.get(reverse("web:home")).status_code == 302
    signed_in(client, maple.users["investigator"])
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert "<h1 class=\"govuk-heading-l govuk-!-margin-bottom-4\">Work queue</h1>" in response.text


def test_overdue_first_then_severity_then_due_time(client, maple):
    signed_in(client, maple.users["investigator"])
    rows = client.get(QUEUE, {"tab": "team"}).context["queue"].rows
    assert rows, "the police have open alerts"
    keys = [(not r.overdue, ["critical", "high", "medium", "low"].index(r.alert.severity),
             r.alert.due_at or dt.datetime.max.replace(tzinfo=dt.UTC)) for r in rows]
    assert keys == sorted(keys)
    assert rows[0].overdue and rows[0].alert.severity == "critical"
    # An alert with no due time (a child missing, high risk) comes after those with one.
    assert rows[-1].alert.due_at is None or all(r.alert.due_at for r in rows)


def test_tabs_count_my_work_my_team_and_supervised_teams(client, maple):
    investigator, supervisor = maple.users["investigator"], maple.users["supervisor"]
    alert = Alert.objects.get(pk=maple.alert("DA-MARAC"))
    alert.assigned_to = investigator
    alert.save()
    tabs = {t.key: t.count for t in signed_in(client, investigator).get(QUEUE).context["queue"].tabs}
    assert tabs["mine"] == 1
    assert tabs["team"] >= 5
    assert not any(k.startswith("team-") for k in tabs)  # only supervisors get their teams' tabs
    response = signed_in(Client(), supervisor).get(QUEUE)
    labels = [t.label for t in response.context["queue"].tabs]
    assert labels == ["My work", "My team's work", "Child Protection North", "Everything you can see"]


def test_my_work_is_the_first_tab_when_something_is_assigned(client, maple):
    investigator = maple.users["investigator"]
    assert signed_in(client, investigator).get(QUEUE).context["queue"].tab.key == "team"
    Alert.objects.filter(pk=maple.alert("DA-MARAC")).update(assigned_to=investigator)
    queue = client.get(QUEUE).context["queue"]
    assert queue.tab.key == "mine"
    assert [r.alert.rule for r in queue.rows] == ["DA-MARAC"]


def test_filters_and_counts(client, maple):
    signed_in(client, maple.users["investigator"])
    everything = client.get(QUEUE, {"tab": "team"}).context["queue"]
    assert everything.counts["total"] == everything.page.paginator.count
    assert everything.counts["critical"] == sum(r.alert.severity == "critical" for r in everything.rows)
    critical = client.get(QUEUE, {"tab": "team", "severity": "critical"}).context["queue"].rows
    assert critical and {r.alert.severity for r in critical} == {"critical"}
    overdue = client.get(QUEUE, {"tab": "team", "overdue": "1"}).context["queue"].rows
    assert overdue and all(r.overdue for r in overdue)
    assert len(overdue) == everything.counts["overdue"]
    marac = client.get(QUEUE, {"tab": "team", "rule": "DA-MARAC"}).context["queue"].rows
    assert [r.alert.rule for r in marac] == ["DA-MARAC"]
    tyler = client.get(QUEUE, {"tab": "team", "subject": "tyler"}).context["queue"].rows
    assert tyler and all(any(s.person_id == maple.people["tyler"] for s in r.subjects) for r in tyler)
    nobody = client.get(QUEUE, {"tab": "team", "subject": "nobody-called-this"})
    assert nobody.context["queue"].rows == []
    assert "No open alerts match your filters" in nobody.text


def test_rows_name_the_people_with_links_and_the_due_time(client, maple):
    signed_in(client, maple.users["investigator"])
    html = client.get(QUEUE, {"tab": "team", "rule": "RISKY-ADULT-CHILD"}).text
    assert f'href="{reverse("web:person", args=[maple.people["dan"]])}"' in html
    assert f'href="{reverse("web:person", args=[maple.people["lily"]])}"' in html
    assert "Overdue by" in html
    assert "Assess the risk" not in html  # the action is on the alert page; the queue stays short
    assert "Adult with a risk marker linked to a child&#x27;s home" in html


def test_the_queue_pages_without_a_query_per_row(client, maple, django_assert_max_num_queries):
    police = maple.users["investigator"].organisation
    base = Alert.objects.get(pk=maple.alert("DA-MARAC"))
    raised = timezone.now() - dt.timedelta(days=3)

    def add(n):
        for i in range(n):
            extra = Alert.objects.create(rule="CP-VISIT", key=f"extra-{Alert.objects.count()}-{i}", raised_at=raised,
                                         due_at=raised + dt.timedelta(days=10), severity="low", summary="Visit due",
                                         owner_organisation=police)
            AlertSubject.objects.create(alert=extra, person_id=maple.people["noah"], role="child")
            extra.evidence.create(record_id=base.evidence.first().record_id)

    signed_in(client, maple.users["investigator"])
    add(3)
    with django_assert_max_num_queries(60) as few:
        client.get(QUEUE, {"tab": "team"})
    add(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE, {"tab": "team"})
    queue = response.context["queue"]
    assert len(queue.rows) == 25
    assert queue.page.paginator.num_pages == -(-queue.page.paginator.count // 25) >= 2
    second = client.get(QUEUE, {"tab": "team", "page": 2}).context["queue"]
    assert {r.alert.pk for r in second.rows}.isdisjoint({r.alert.pk for r in queue.rows})
    assert 'aria-label="Pages of alerts"' in response.text


def test_viewing_the_queue_is_a_consultation_of_the_alerts_shown(client, maple):
    investigator = maple.users["investigator"]
    shown = [r.alert.pk for r in signed_in(client, investigator).get(QUEUE, {"tab": "team"}).context["queue"].rows]
    entry = AuditEntry.objects.filter(action="consultation", object_type="alert", actor=investigator).last()
    assert entry.object_ids == [str(pk) for pk in shown]
    assert entry.details == {"page": "queue"}


# ---- acting in place -------------------------------------------------------------------------

def test_acknowledge_in_place_with_htmx(client, maple):
    investigator = maple.users["investigator"]
    pk = maple.alert("DA-MARAC")
    signed_in(client, investigator)
    response = client.post(reverse("web:alert-acknowledge", args=[pk]), {"next": QUEUE}, **HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith("<article")  # the alert's item alone, to swap in place
    assert f'id="alert-{pk}"' in html
    assert "You acknowledged this alert" in html
    assert 'hx-swap-oob="true"' in html  # announced to screen readers
    assert "Acknowledged</strong>" in html
    alert = Alert.objects.get(pk=pk)
    assert alert.acknowledged_by == investigator and alert.assigned_to == investigator
    assert AuditEntry.objects.filter(action="alteration", object_type="alert", object_ids=[str(pk)]).exists()
    # Acknowledging twice is refused with a message, and changes nothing.
    again = client.post(reverse("web:alert-acknowledge", args=[pk]), {"next": QUEUE}, **HTMX)
    assert "already been acknowledged" in again.text
    assert AlertHistory.objects.filter(alert_id=pk, action="acknowledged").count() == 1


def test_resolve_needs_a_rationale(client, maple):
    pk = maple.alert("DA-MARAC")
    signed_in(client, maple.users["investigator"])
    response = client.post(reverse("web:alert-resolve", args=[pk]), {"rationale": "", "next": QUEUE}, **HTMX)
    html = response.text
    assert response.status_code == 200
    assert "govuk-form-group--error" in html
    assert '<span class="govuk-visually-hidden">Error:</span> Enter why this alert can be closed' in html
    assert "<details class=\"govuk-details govuk-!-margin-top-3 govuk-!-margin-bottom-0\" open>" in html
    short = client.post(reverse("web:alert-resolve", args=[pk]), {"rationale": "done", "next": QUEUE}, **HTMX)
    assert "at least 10 characters" in short.text
    assert 'value="done"' not in short.text and ">done</textarea>" in short.text  # what was typed is kept
    assert Alert.objects.get(pk=pk).resolved_at is None


def test_resolve_in_place_with_a_rationale(client, maple):
    investigator = maple.users["investigator"]
    pk = maple.alert("DA-MARAC")
    signed_in(client, investigator)
    rationale = "Referred to MARAC by phone; meeting on Thursday."
    response = client.post(reverse("web:alert-resolve", args=[pk]), {"rationale": rationale, "next": QUEUE}, **HTMX)
    assert "You resolved this alert" in response.text
    assert "Resolved</strong>" in response.text
    assert "Resolve alert</button>" not in response.text  # nothing left to do on it
    alert = Alert.objects.get(pk=pk)
    assert alert.resolved_by == investigator and alert.rationale == rationale
    assert pk not in [r.alert.pk for r in client.get(QUEUE, {"tab": "team"}).context["queue"].rows]


def test_without_javascript_actions_come_back_to_the_queue(client, maple):
    pk = maple.alert("DA-MARAC")
    signed_in(client, maple.users["investigator"])
    response = client.post(reverse("web:alert-acknowledge", args=[pk]), {"next": f"{QUEUE}?tab=team"})
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?tab=team"
    followed = client.get(response["Location"])
    assert "You acknowledged this alert" in followed.text
    assert "govuk-notification-banner--success" in followed.text
    # A missing rationale without JavaScript: the alert page with the GOV.UK error summary.
    failed = client.post(reverse("web:alert-resolve", args=[pk]), {"rationale": "", "next": QUEUE})
    assert failed.status_code == 200
    assert "<title>Error: " in failed.text
    assert f'<a href="#alert-{pk}-rationale">Enter why this alert can be closed</a>' in failed.text


def test_next_cannot_send_people_to_another_site(client, maple):
    signed_in(client, maple.users["investigator"])
    response = client.post(reverse("web:alert-acknowledge", args=[maple.alert("DA-MARAC")]),
                           {"next": "https://evil.example/"})
    assert response["Location"] == reverse("web:alert", args=[maple.alert("DA-MARAC")])


def test_assign_to_a_team_member(client, maple):
    supervisor, colleague = maple.users["supervisor"], maple.users["colleague"]
    pk = maple.alert("MISSING-REPEAT")
    signed_in(client, supervisor)
    response = client.post(reverse("web:alert-assign", args=[pk]), {"assignee": colleague.pk, "next": QUEUE}, **HTMX)
    assert "now assigned to Amir Khan" in response.text
    assert Alert.objects.get(pk=pk).assigned_to == colleague


def test_practitioners_assign_to_themselves_only(client, maple):
    investigator, colleague = maple.users["investigator"], maple.users["colleague"]
    pk = maple.alert("MISSING-REPEAT")
    signed_in(client, investigator)
    refused = client.post(reverse("web:alert-assign", args=[pk]), {"assignee": colleague.pk}, **HTMX)
    assert "Select someone from the list" in refused.text
    assert Alert.objects.get(pk=pk).assigned_to is None
    client.post(reverse("web:alert-assign", args=[pk]), {"assignee": investigator.pk}, **HTMX)
    assert Alert.objects.get(pk=pk).assigned_to == investigator


def test_supervisors_assign_in_bulk(client, maple):
    supervisor, colleague = maple.users["supervisor"], maple.users["colleague"]
    chosen = [maple.alert("MISSING-REPEAT"), maple.alert("DA-MARAC")]
    signed_in(client, supervisor)
    page = client.get(QUEUE, {"tab": "team"}).text
    assert 'form="bulk-assign"' in page and 'id="bulk-assign"' in page
    response = client.post(reverse("web:bulk-assign"), {"alerts": chosen, "assignee": colleague.pk,
                                                        "next": f"{QUEUE}?tab=team"})
    assert response.status_code == 302
    assert set(Alert.objects.filter(assigned_to=colleague).values_list("pk", flat=True)) == set(chosen)
    assert "2 alerts assigned to Amir Khan" in client.get(response["Location"]).text
    none_chosen = client.post(reverse("web:bulk-assign"), {"assignee": colleague.pk})
    assert none_chosen.status_code == 200
    assert "Select the alerts to assign" in none_chosen.text and "There is a problem" in none_chosen.text


def test_only_supervisors_assign_in_bulk(client, maple):
    investigator = maple.users["investigator"]
    signed_in(client, investigator)
    assert 'id="bulk-assign"' not in client.get(QUEUE, {"tab": "team"}).text
    response = client.post(reverse("web:bulk-assign"), {"alerts": [maple.alert("DA-MARAC")], "assignee": investigator.pk})
    assert response.status_code == 403
    assert Alert.objects.get(pk=maple.alert("DA-MARAC")).assigned_to is None


def test_actions_need_post_and_the_csrf_token(maple):
    client = Client(enforce_csrf_checks=True)
    client.force_login(maple.users["investigator"])
    url = reverse("web:alert-acknowledge", args=[maple.alert("DA-MARAC")])
    assert client.get(url).status_code == 405
    assert client.post(url, **HTMX).status_code == 403
    assert Alert.objects.get(pk=maple.alert("DA-MARAC")).acknowledged_at is None


def test_another_organisations_alert_cannot_be_reached_or_acted_on(client, maple):
    teacher = maple.users["teacher"]
    pk = maple.alert("DA-MARAC")  # police records only
    signed_in(client, teacher)
    assert client.get(reverse("web:alert", args=[pk])).status_code == 404
    assert client.post(reverse("web:alert-acknowledge", args=[pk]), **HTMX).status_code == 404
    assert client.post(reverse("web:alert-resolve", args=[pk]), {"rationale": "x" * 20}).status_code == 404
    assert Alert.objects.get(pk=pk).acknowledged_at is None
    assert pk not in [r.alert.pk for r in client.get(QUEUE, {"tab": "all"}).context["queue"].rows]
    assert not consultations("alert", pk, teacher)


def test_an_action_in_place_after_the_session_ended_goes_to_the_sign_in_page(client, maple):
    url = reverse("web:alert-acknowledge", args=[maple.alert("DA-MARAC")])
    response = client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/queue/?tab=team")
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == f"{reverse('web:sign-in')}?next=%2Fqueue%2F%3Ftab%3Dteam"
    # Without htmx, the usual redirect to sign in.
    assert client.post(url)["Location"].startswith(reverse("web:sign-in"))


# ---- counts kept for a minute, pages read in two steps ------------------------------------------

def test_counts_are_kept_for_a_minute_and_read_again_when_alerts_change(client, maple):
    from safeguard.web.selectors import queue as queue_selectors

    investigator, supervisor = maple.users["investigator"], maple.users["supervisor"]
    signed_in(client, investigator)
    first, grouped = _viewed(client)
    assert grouped == 3  # what the user may see, every open alert, and their own work
    kept = client.session[queue_selectors.COUNTS_MEMO]
    assert sum(g[-1] for g in kept["groups"]) == first.tabs[-1].count
    # The next view reuses the counts: only the user's own work is counted again.
    again, grouped = _viewed(client)
    assert grouped == 1
    assert [t.count for t in again.tabs] == [t.count for t in first.tabs]
    assert [r.alert.pk for r in again.rows] == [r.alert.pk for r in first.rows]
    # Someone else acts on an alert: the counts are read again at once.
    pk = maple.alert("DA-MARAC")
    assert pk in [r.alert.pk for r in again.rows]
    other = Client()
    other.force_login(supervisor)
    other.post(reverse("web:alert-resolve", args=[pk]), {"rationale": "Discussed at MARAC; a plan is in place."})
    assert Alert.objects.get(pk=pk).resolved_at is not None
    after, grouped = _viewed(client)
    assert grouped == 3
    assert after.tabs[1].count == again.tabs[1].count - 1
    assert pk not in [r.alert.pk for r in after.rows]
    # A minute on, they are read again even if nothing changed.
    session = client.session
    memo = session[queue_selectors.COUNTS_MEMO]
    memo["at"] -= queue_selectors.COUNTS_SECONDS + 1
    session[queue_selectors.COUNTS_MEMO] = memo
    session.save()
    _, grouped = _viewed(client)
    assert grouped == 3


def _viewed(client):
    """The team tab as the client sees it, and how many grouped (counting) queries it took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        queue = client.get(QUEUE, {"tab": "team"}).context["queue"]
    return queue, sum("GROUP BY" in q["sql"] for q in captured.captured_queries)


def test_the_page_read_in_two_steps_is_the_page_the_access_layer_orders(client, maple):
    """The team tab's page is found by ids among its open alerts and then read through the access
    layer; the "everything" tab of a partner, who sees only some alerts, is read in one query.
    Both give the rows the plain ordered query through the access layer gives."""
    from safeguard.alerts.selectors import alerts_as_of
    from safeguard.core.clock import now
    from safeguard.web.selectors.queue import _ordered

    for who, tab in (("investigator", "team"), ("teacher", "all"), ("investigator", "all")):
        user = maple.users[who]
        fresh = Client()
        fresh.force_login(user)
        fresh.get(QUEUE, {"tab": tab})  # fills the counts
        queue = fresh.get(QUEUE, {"tab": tab}).context["queue"]
        scope = {"team": Q(owner_team_id__in=list(user.teams.values_list("id", flat=True)))
                 | Q(owner_team__isnull=True, owner_organisation_id=user.organisation_id), "all": Q()}[tab]
        moment = now()
        expected = list(_ordered(Alert.objects.filter(pk__in=alerts_as_of(user=user, moment=moment).order_by()
                                                      .values("pk")).filter(scope), moment)
                        .values_list("pk", flat=True)[:25])
        assert [r.alert.pk for r in queue.rows] == expected, (who, tab)
        assert queue.page.paginator.count == queue.counts["total"]


def test_an_alert_no_organisation_owns_is_listed_as_not_routed(client, maple):
    """Alerts evaluated before any organisation existed (data loaded from the command line, then
    organisations set up) have no owner at all: the queue lists them, it does not fail."""
    Alert.objects.filter(pk=maple.alert("DA-MARAC")).update(owner_organisation=None, owner_team=None)
    response = signed_in(client, maple.users["investigator"]).get(QUEUE, {"tab": "all"})
    assert response.status_code == 200
    assert "Not routed yet" in response.text
