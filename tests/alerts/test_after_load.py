"""After a load, the alerts of what it touched are brought up to date (feed hook order 20, after
linkage's incremental link): the same alerts a full evaluation gives."""

from __future__ import annotations

import pytest

from safeguard.access.system import system_reader
from safeguard.alerts.selectors import alerts_export
from safeguard.alerts.services import evaluate
from safeguard.core.clock import now
from safeguard.feed.hooks import after_load
from tests.feed.helpers import load
from tests.rules.builders import T0, adult, home, lives, offence, risk_assessment

pytestmark = pytest.mark.django_db


def _alerts() -> list[tuple]:
    return sorted((a["rule"], a["raised_at"], a["status"], a["closed_at"], a["severity"], a["summary"])
                  for a in alerts_export(user=system_reader(), moment=now(), include_closed=True))


def test_each_load_updates_the_alerts_of_what_it_touched():
    first = load(*home(), adult("P1", rec="2020-01-01T09:00:00+00:00"),
                 offence("O1", "P1", "2021-03-02T23:10:00+00:00", rec="2021-06-15T16:00:00+00:00"),
                 lives("PL1", "P1", "csc/L1", rec=T0))
    after_load(first)
    (raised,) = [a for a in _alerts() if a[0] == "RISKY-ADULT-CHILD"]
    assert raised[1:3] == (T0, "open")
    second = load(risk_assessment("RA1", "P1", "2026-03-03T10:00:00+00:00"), origin="second.jsonl")
    after_load(second)
    (satisfied,) = [a for a in _alerts() if a[0] == "RISKY-ADULT-CHILD"]
    assert satisfied[2:4] == ("satisfied", "2026-03-03T10:00:00+00:00")
    incremental = _alerts()
    evaluate()
    assert _alerts() == incremental
