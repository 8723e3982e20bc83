"""Stage transitions and what each requires; outcome; closure needs a rationale and a
supervisor's sign-off; every change is in the case's log and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.audit_trail.models import AuditEntry
from safeguard.casework import services
from safeguard.casework.models import Investigation, InvestigationLog, InvestigationSubject
from safeguard.core.errors import PermissionDenied, SafeguardError

Stage = Investigation.Stage


def _move(case, user, stage, note="Strategy discussion with CSC and health on 3 March: section 47 agreed."):
    return services.stage_change(actor=user, investigation=case, version=case.version, stage=stage, note=note)


def test_opening_writes_the_case_its_subjects_log_and_audit(force, open_case, clock):
    case = open_case(risk="high")
    assert case.reference == f"CP-2026-{case.pk:06d}"
    assert case.officer == force["oic"] and case.organisation == force.police and case.stage == Stage.REFERRAL
    assert set(case.subjects.values_list("person_id", "role")) == {(force.child.pk, "child"), (force.suspect.pk, "suspect")}
    opened = case.log.get()
    assert (opened.kind, opened.at, opened.data["risk"]) == ("opened", clock.moment, "high")
    assert AuditEntry.objects.filter(action="collection", object_type="investigation", object_ids=[str(case.pk)]).exists()


def test_the_path_from_referral_to_outcome(force, open_case, clock):
    case = open_case()
    clock.advance(hours=2)
    case = _move(case, force["oic"], Stage.STRATEGY_DISCUSSION, "Strategy discussion at 14:00 with CSC and health.")
    case = _move(case, force["oic"], Stage.SECTION_47)
    case = _move(case, force["colleague"], Stage.CRIMINAL_INVESTIGATION, "")
    case = services.outcome_record(actor=force["oic"], investigation=case, version=case.version, outcome="charged",
                                   rationale="CPS authorised a charge of s18 GBH.")
    assert case.stage == Stage.OUTCOME and case.outcome == "charged"
    stages = [(e.data["from"], e.data["to"]) for e in case.log.filter(kind=InvestigationLog.Kind.STAGE)]
    assert stages == [("referral", "strategy_discussion"), ("strategy_discussion", "section_47"),
                      ("section_47", "criminal_investigation"), ("criminal_investigation", "outcome")]


@pytest.mark.parametrize(("start", "target", "message"), [
    (Stage.REFERRAL, Stage.SECTION_47, "cannot move to"),
    (Stage.REFERRAL, Stage.CRIMINAL_INVESTIGATION, "cannot move to"),
    (Stage.REFERRAL, Stage.OUTCOME, "Record the outcome"),
    (Stage.REFERRAL, Stage.CLOSED, "supervisor's sign-off"),
])
def test_stages_cannot_be_skipped(force, open_case, start, target, message):
    case = open_case()
    with pytest.raises(SafeguardError, match=message):
        _move(case, force["oic"], target)
    case.refresh_from_db()
    assert case.stage == start


def test_a_strategy_discussion_and_a_section_47_need_their_notes(force, open_case):
    case = open_case()
    with pytest.raises(SafeguardError, match="who is taking part"):
        _move(case, force["oic"], Stage.STRATEGY_DISCUSSION, "")
    case = _move(case, force["oic"], Stage.STRATEGY_DISCUSSION, "Held on 3 March.")
    with pytest.raises(SafeguardError, match="decision and reasons"):
        _move(case, force["oic"], Stage.SECTION_47, "  ")


def test_a_section_47_enquiry_needs_a_child_on_the_case(force, clock):
    case = services.investigation_open(actor=force["oic"], title="Adult suspect only", category="online",
                                       risk_level="standard", team=force.team_a, subjects=[(force.suspect.pk, "suspect")])
    case = _move(case, force["oic"], Stage.STRATEGY_DISCUSSION, "Held on 3 March.")
    with pytest.raises(SafeguardError, match="add the child"):
        _move(case, force["oic"], Stage.SECTION_47)
    services.subject_add(actor=force["oic"], investigation=case, person=force.child, role=InvestigationSubject.Role.CHILD)
    case.refresh_from_db()
    assert _move(case, force["oic"], Stage.SECTION_47).stage == Stage.SECTION_47


def test_an_outcome_needs_a_choice_a_rationale_and_a_strategy_discussion(force, open_case):
    case = open_case()
    with pytest.raises(SafeguardError, match="reasons for the outcome"):
        services.outcome_record(actor=force["oic"], investigation=case, version=case.version, outcome="charged",
                                rationale=" ")
    with pytest.raises(SafeguardError, match="Choose the outcome"):
        services.outcome_record(actor=force["oic"], investigation=case, version=case.version, outcome="acquitted",
                                rationale="x")
    with pytest.raises(SafeguardError, match="strategy discussion"):
        services.outcome_record(actor=force["oic"], investigation=case, version=case.version,
                                outcome="no_further_action", rationale="No evidence.")


def _at_outcome(force, open_case):
    case = open_case()
    case = _move(case, force["oic"], Stage.STRATEGY_DISCUSSION, "Held on 3 March.")
    return services.outcome_record(actor=force["oic"], investigation=case, version=case.version,
                                   outcome="no_further_action", rationale="Injuries accidental: paediatric opinion.")


def test_closure_needs_a_rationale_then_another_supervisors_sign_off(force, open_case, clock):
    case = _at_outcome(force, open_case)
    with pytest.raises(SafeguardError, match="Closure has not been requested"):
        services.closure_sign_off(actor=force["sergeant"], investigation=case, version=case.version)
    with pytest.raises(SafeguardError, match="why the case can be closed"):
        services.closure_request(actor=force["oic"], investigation=case, version=case.version, rationale="")
    case = services.closure_request(actor=force["oic"], investigation=case, version=case.version,
                                    rationale="Outcome recorded; CSC plan in place; no outstanding actions.")
    assert case.is_open and case.closure_requested_by == force["oic"]
    # Not the officer, nor a supervisor of another team: "not allowed".
    for refused in (force["oic"], force["other_sergeant"], force["inspector"]):
        with pytest.raises(PermissionDenied):
            services.closure_sign_off(actor=refused, investigation=case, version=case.version)
    clock.advance(hours=1)
    case = services.closure_sign_off(actor=force["sergeant"], investigation=case, version=case.version)
    assert not case.is_open and case.stage == Stage.CLOSED and case.closure_signed_off_by == force["sergeant"]
    closed = case.log.get(kind=InvestigationLog.Kind.CLOSED)
    assert closed.at == clock.moment and closed.data == {"from": "outcome", "to": "closed"}
    with pytest.raises(SafeguardError, match="closed"):
        services.activity_record(actor=force["oic"], investigation=case, text="After closure")


def test_a_supervisor_cannot_sign_off_a_closure_they_asked_for(force, open_case):
    case = _at_outcome(force, open_case)
    case = services.closure_request(actor=force["sergeant"], investigation=case, version=case.version,
                                    rationale="All done.")
    with pytest.raises(SafeguardError, match="another supervisor"):
        services.closure_sign_off(actor=force["sergeant"], investigation=case, version=case.version)
    assert services.closure_sign_off(actor=force["sergeant2"], investigation=case, version=case.version).closed_at


def test_closure_waits_for_open_actions(force, open_case, clock):
    case = _at_outcome(force, open_case)
    action = services.action_add(actor=force["oic"], investigation=case, description="Return the seized phone",
                                 owner=force["colleague"], due_at=clock.moment + dt.timedelta(days=3))
    with pytest.raises(SafeguardError, match="1 action is not done"):
        services.closure_request(actor=force["oic"], investigation=case, version=case.version, rationale="Done.")
    services.action_complete(actor=force["colleague"], action=action, note="Returned to the mother.")
    case.refresh_from_db()
    assert services.closure_request(actor=force["oic"], investigation=case, version=case.version, rationale="Done.")


def test_risk_changes_are_logged_from_and_to(force, open_case, clock):
    case = open_case(risk="standard")
    clock.advance(days=1)
    services.investigation_update(actor=force["oic"], investigation=case, version=case.version, title=case.title,
                                  summary="New disclosure at school.", risk_level="high", officer=force["colleague"])
    risk = case.log.get(kind=InvestigationLog.Kind.RISK)
    assert (risk.data, risk.at) == ({"from": "standard", "to": "high"}, clock.moment)
    assert case.log.get(kind=InvestigationLog.Kind.ASSIGNED).data["to"] == force["colleague"].pk
    case.refresh_from_db()
    assert (case.risk_level, case.officer, case.last_activity_at) == ("high", force["colleague"], clock.moment)


def test_actions_need_an_owner_in_the_force_and_a_future_deadline(force, open_case, clock):
    case = open_case()
    with pytest.raises(SafeguardError, match="in the future"):
        services.action_add(actor=force["oic"], investigation=case, description="Visit", owner=force["oic"],
                            due_at=clock.moment - dt.timedelta(hours=1))
    with pytest.raises(SafeguardError, match="your organisation"):
        services.action_add(actor=force["oic"], investigation=case, description="Visit", owner=force["social_worker"],
                            due_at=clock.moment + dt.timedelta(days=1))
