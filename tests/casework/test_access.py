"""The permission matrix: who sees a case, who works on it, who supervises it; partners see
only referrals addressed to their organisation; the filter and the single check agree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from safeguard.access.policy import can_view, visible
from safeguard.casework import services
from safeguard.casework.access import can_see_case, can_work_on, get_case, is_case_supervisor, visible_cases
from safeguard.casework.models import (
    Action,
    Investigation,
    InvestigationLog,
    InvestigationSubject,
    Referral,
    SupervisoryReview,
)
from safeguard.core.errors import PermissionDenied

#: user -> (sees the team A case, may work on it, may supervise it)
MATRIX = {
    "oic": (True, True, False),
    "colleague": (True, True, False),
    "sergeant": (True, True, True),
    "other_team": (False, False, False),
    "other_sergeant": (False, False, False),
    "chief": (True, False, True),
    "inspector": (True, False, False),
    "analyst": (False, False, False),
    "outsider": (False, False, False),
    "social_worker": (False, False, False),
    "nurse": (False, False, False),
}


@pytest.fixture
def case(open_case):
    return open_case()


@pytest.mark.parametrize(("name", "expected"), MATRIX.items())
def test_the_matrix(force, case, name, expected):
    user = force[name]
    assert (can_see_case(user, case), can_work_on(user, case), is_case_supervisor(user, case)) == expected
    if not expected[0]:
        with pytest.raises(Http404):
            get_case(user, case.pk)


def test_an_action_owner_in_another_team_sees_the_case(force, case, clock):
    assert not can_see_case(force["other_team"], case)
    services.action_add(actor=force["oic"], investigation=case, description="Check PNC", owner=force["other_team"],
                        due_at=clock.moment + dt.timedelta(days=1))
    assert can_see_case(force["other_team"], case) and can_work_on(force["other_team"], case)


def test_the_filter_and_the_single_check_agree(force, open_case, clock):
    cases = [open_case(), services.investigation_open(
        actor=force["other_team"], title="South case", category="neglect", risk_level="standard", team=force.team_b)]
    services.referral_send(actor=force["oic"], investigation=cases[0], to_organisation=force.health, shared="s",
                           reason="r", request="q", response_due_at=clock.moment + dt.timedelta(days=2))
    services.review_record(actor=force["sergeant"], investigation=cases[0], scope="s", rationale="r")
    for user in force.users.values():
        listed = set(visible_cases(user).values_list("pk", flat=True))
        assert listed == {c.pk for c in cases if can_see_case(user, c)}, user.username
        for model in (Investigation, InvestigationLog, InvestigationSubject, Action, SupervisoryReview, Referral):
            for obj in model.objects.all():
                assert can_view(user, obj) == visible(user, model.objects.filter(pk=obj.pk)).exists()


def test_services_refuse_people_who_may_not_act(force, case, clock):
    with pytest.raises(PermissionDenied):
        services.activity_record(actor=force["other_team"], investigation=case, text="Not mine")
    with pytest.raises(PermissionDenied):
        services.activity_record(actor=force["inspector"], investigation=case, text="Inspectors read only")
    with pytest.raises(PermissionDenied):
        services.review_record(actor=force["oic"], investigation=case, scope="Self-review", rationale="No")
    with pytest.raises(PermissionDenied):
        services.investigation_open(actor=force["social_worker"], title="x", category="neglect", risk_level="standard",
                                    team=force.team_a)


def test_partners_see_only_referrals_addressed_to_them_and_nothing_else_of_the_case(force, case, clock):
    referral = services.referral_send(
        actor=force["oic"], investigation=case, to_organisation=force.csc, shared="Injuries and the medical opinion.",
        reason="Children Act 1989 s 47.", request="Join the strategy discussion.",
        response_due_at=clock.moment + dt.timedelta(days=1), subjects=[force.child])
    for name, sees in (("social_worker", True), ("nurse", False), ("outsider", False), ("oic", True)):
        user = force[name]
        assert can_view(user, referral) is sees, name
        assert visible(user, Referral.objects.all()).filter(pk=referral.pk).exists() is sees
    social_worker = force["social_worker"]
    assert not visible(social_worker, Investigation.objects.all()).exists()
    assert not visible(social_worker, InvestigationLog.objects.all()).exists()
