"""The demo's casework: believable, varied, consistent with its own history, and made once."""

from __future__ import annotations

from safeguard.alerts.models import Alert
from safeguard.alerts.services import evaluate
from safeguard.casework.demo import CASES, seed_demo_cases
from safeguard.casework.models import Action, Investigation, InvestigationLog, Referral
from safeguard.casework.selectors import rule_settings, supervision_due
from safeguard.core.clock import now
from tests.web.conftest import maple  # noqa: F401 - the Maple Road example's people and users


def test_the_demo_cases(maple):  # noqa: F811
    assert seed_demo_cases(rng_seed=3) == CASES
    assert seed_demo_cases(rng_seed=3) == CASES and Investigation.objects.count() == CASES
    cases = list(Investigation.objects.all())
    moment, s = now(), rule_settings()
    assert {c.risk_level for c in cases} == {"standard", "medium", "high"}
    assert {"referral", "strategy_discussion", "closed"} <= {c.stage for c in cases}
    open_cases = [c for c in cases if c.is_open]
    assert any(supervision_due(c, s) <= moment for c in open_cases)  # supervision overdue
    assert any(supervision_due(c, s) > moment for c in open_cases)
    assert Action.objects.filter(review__isnull=False, done_at__isnull=True, due_at__lt=moment).exists()
    assert Referral.objects.filter(responded_at__isnull=True, response_due_at__lt=moment).exists()
    assert Referral.objects.filter(responded_at__gt=models_f("response_due_at")).exists()
    for case in cases:
        log = list(case.log.order_by("at", "pk"))
        assert log[0].kind == InvestigationLog.Kind.OPENED and log[0].at == case.opened_at
        assert case.last_activity_at == max(e.at for e in log)
        assert (case.closed_at is not None) == any(e.kind == InvestigationLog.Kind.CLOSED for e in log)
    evaluate(horizon=moment)
    assert Alert.objects.filter(rule="SUPERVISION-DUE").exists()
    assert Alert.objects.filter(rule="INVESTIGATION-STALE").exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)
