"""The pages: inspectors read sampled case files (logged), never change them, and see what
Safeguard flagged on each; everyone else gets "not found"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from safeguard.alerts.models import Alert, AlertSubject
from safeguard.audit_trail.models import AuditEntry
from safeguard.casework.models import Investigation, InvestigationLog, InvestigationSubject
from safeguard.inspections import services
from safeguard.inspections.models import CaseAudit, Criterion
from safeguard.linkage.models import ResolvedPerson

from .conftest import make_cases


@pytest.fixture
def sampled(force, cases, exercise_factory):
    exercise = exercise_factory()
    services.exercise_draw_sample(exercise=exercise, actor=force.inspector)
    return exercise


def _client(client, user):
    client.force_login(user)
    return client


def _own_case(exercise, user):
    return exercise.cases.filter(auditor=user).select_related("investigation").first()


def test_an_inspector_reads_a_sampled_case_file_and_the_opening_is_logged(client, force, sampled):
    case = _own_case(sampled, force.inspector)
    response = _client(client, force.inspector).get(reverse("inspections:case", args=[sampled.pk, case.pk]))

    assert response.status_code == 200
    assert case.investigation.reference in response.text
    assert "Opened from a referral" in response.text  # the case's own history
    entry = AuditEntry.objects.filter(action="consultation", object_type="casework.investigation",
                                      object_ids=[str(case.investigation_id)]).get()
    assert entry.actor == force.inspector
    assert entry.details["exercise"] == sampled.pk


def test_nobody_outside_the_exercise_reads_its_case_files(client, force, sampled, exercise_factory):
    case = _own_case(sampled, force.inspector)
    url = reverse("inspections:case", args=[sampled.pk, case.pk])
    for user in (force.outsider, force.senior, force.investigator):
        client.logout()
        assert _client(client, user).get(url).status_code == 404
    # Nor a case sampled into another exercise, whichever exercise the address names.
    theirs = exercise_factory(actor=force.senior, auditors=[force.senior], moderation_percent=0, seed=1)
    services.exercise_draw_sample(exercise=theirs, actor=force.senior)
    their_case = theirs.cases.first()
    client.logout()
    _client(client, force.inspector)
    assert client.get(reverse("inspections:case", args=[sampled.pk, their_case.pk])).status_code == 404
    assert client.get(reverse("inspections:case", args=[theirs.pk, their_case.pk])).status_code == 404
    assert not AuditEntry.objects.filter(object_type="casework.investigation",
                                         object_ids=[str(their_case.investigation_id)]).exists()


def test_grading_through_the_page_changes_no_case_data(client, force, sampled):
    before = {i.pk: model_to_dict(i) for i in Investigation.objects.all()}
    logs_before = InvestigationLog.objects.count()
    case = _own_case(sampled, force.inspector)
    criteria = Criterion.objects.filter(topic__framework=sampled.framework_id)
    data = {f"grade_{c.pk}": "inadequate" for c in criteria} | {"overall_grade": "inadequate",
                                                                 "rationale": "No supervision recorded."}
    _client(client, force.inspector)

    response = client.post(reverse("inspections:case", args=[sampled.pk, case.pk]), data)

    assert response.status_code == 302
    assert CaseAudit.objects.get(case=case).overall_grade == "inadequate"
    assert {i.pk: model_to_dict(i) for i in Investigation.objects.all()} == before
    assert InvestigationLog.objects.count() == logs_before


def test_a_grading_form_with_gaps_says_what_is_missing(client, force, sampled):
    case = _own_case(sampled, force.inspector)
    _client(client, force.inspector)
    response = client.post(reverse("inspections:case", args=[sampled.pk, case.pk]), {"overall_grade": "good"})
    assert response.status_code == 200
    assert "Give the rationale for the overall grade" in response.text
    assert "Grade: Supervisory oversight is recorded" in response.text
    assert not CaseAudit.objects.filter(case=case).exists()


def test_the_case_page_shows_the_alerts_raised_on_its_people_and_whether_anyone_acted(client, force, sampled):
    case = _own_case(sampled, force.inspector)
    moment = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)
    child = ResolvedPerson.objects.create(created_at=moment)
    InvestigationSubject.objects.create(investigation=case.investigation, person=child, role="child", added_at=moment)
    handled = Alert.objects.create(rule="MISSING-REPEAT", key="a", raised_at=moment, severity="high",
                                   summary="Third missing episode in 30 days", owner_organisation=force.org,
                                   acknowledged_at=moment + dt.timedelta(hours=2))
    ignored = Alert.objects.create(rule="MISSING-REPEAT", key="b", raised_at=moment + dt.timedelta(days=9),
                                   severity="high", summary="Fourth missing episode", owner_organisation=force.org)
    Alert.objects.create(rule="MISSING-REPEAT", key="c", raised_at=moment, severity="high",
                         summary="Someone else's alert", owner_organisation=force.org)
    AlertSubject.objects.bulk_create([AlertSubject(alert=handled, person_id=child.pk, role="child"),
                                      AlertSubject(alert=ignored, person_id=child.pk, role="child")])

    response = _client(client, force.inspector).get(reverse("inspections:case", args=[sampled.pk, case.pk]))

    assert "Third missing episode in 30 days" in response.text
    assert "Fourth missing episode" in response.text
    assert "Someone else&#x27;s alert" not in response.text
    assert response.text.count("Never") >= 1  # the fourth was never acknowledged


def test_setting_up_and_drawing_through_the_pages_with_errors_shown(client, force, framework):
    make_cases(force, {("neglect", "high"): 5})
    _client(client, force.inspector)
    url = reverse("inspections:new")
    bad = client.post(url, {"title": "", "organisation": force.org.pk, "framework": framework.pk,
                            "period_start": "2026-06-01", "period_end": "2026-01-01", "sample_size": "3",
                            "moderation_percent": "0", "auditors": [force.inspector.pk]})
    assert bad.status_code == 200
    assert "Enter a name for the exercise" in bad.text
    assert "The end of the period must be the same as or after its start" in bad.text

    made = client.post(url, {"title": "Neglect audit", "organisation": force.org.pk, "framework": framework.pk,
                             "period_start": "2026-01-01", "period_end": "2026-12-31", "sample_size": "9",
                             "moderation_percent": "0", "auditors": [force.inspector.pk], "seed": "5"})
    assert made.status_code == 302
    exercise_url = made["Location"]
    too_many = client.post(exercise_url + "sample/")
    assert too_many.status_code == 200
    assert "larger than the number of cases in scope (5)" in too_many.text
