"""audit_log writes signed entries, each chained onto the one before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from safeguard.audit_trail.chain import GENESIS, entry_hmac, signing_key
from safeguard.audit_trail.models import Action, AuditEntry, AuditHead, Outcome
from safeguard.audit_trail.services import audit_log


def test_entries_chain_in_seq_order(three_entries):
    stored = list(AuditEntry.objects.all())

    assert [e.seq for e in stored] == [1, 2, 3]
    assert stored[0].prev_hmac == GENESIS
    assert [e.prev_hmac for e in stored[1:]] == [e.hmac for e in stored[:-1]]
    assert len({e.hmac for e in stored}) == 3
    head = AuditHead.objects.get()
    assert (head.seq, head.hmac) == (3, stored[-1].hmac)


def test_an_entry_records_who_what_when_to_whom_and_why(three_entries):
    entry = AuditEntry.objects.get(seq=3)

    assert entry.action == Action.DISCLOSURE
    assert entry.actor.username == "pc.jones"
    assert entry.actor_label == "pc.jones"
    assert entry.organisation_label == "Northshire Police"
    assert (entry.object_type, entry.object_ids) == ("person", ["42", "43"])
    assert entry.recipient == "Northshire children's services"
    assert entry.justification == "Section 47 enquiry"
    assert entry.outcome == Outcome.SUCCESS
    assert entry.at.utcoffset() == dt.timedelta(0)
    assert entry.key_id == signing_key()[0]


def test_the_hmac_covers_the_stored_entry(three_entries):
    _, key = signing_key()
    for entry in AuditEntry.objects.all():
        assert entry.hmac == entry_hmac(entry, key)


def test_a_system_entry_has_no_actor(db):
    entry = audit_log(actor=None, action=Action.ERASURE, object_type="person", object_ids=[9])

    assert entry.actor is None
    assert entry.actor_label == "system"
    assert entry.organisation_label == ""
    assert entry.object_ids == ["9"]


def test_a_refused_sign_in_is_logged(db):
    entry = audit_log(
        actor=None,
        actor_label="unknown.user",
        action=Action.ACCESS,
        object_type="session",
        outcome=Outcome.DENIED,
        details={"reason": "locked out"},
    )

    assert AuditEntry.objects.get(seq=entry.seq).outcome == "denied"


def test_floats_in_details_read_back_as_signed(db):
    """PostgreSQL's jsonb turns 1e20 into an integer; the chain must still verify."""
    audit_log(
        actor=None,
        action=Action.COMBINATION,
        object_type="linkage_run",
        object_ids=["1"],
        details={"threshold": 0.92, "tiny": 1e-7, "huge": 1e20, "pairs": 3.0, "by_kind": {1: 2}},
    )

    entry = AuditEntry.objects.get()
    assert entry.details == {"threshold": 0.92, "tiny": 1e-7, "huge": 10**20, "pairs": 3, "by_kind": {"1": 2}}
    assert entry.hmac == entry_hmac(entry, signing_key()[1])


def test_the_entry_rolls_back_with_the_callers_transaction(three_entries):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=None, action=Action.ALTERATION, object_type="person", object_ids=["42"])
        raise RuntimeError("the work failed")

    assert AuditEntry.objects.count() == 3
    assert audit_log(actor=None, action=Action.ALTERATION, object_type="person").seq == 4


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"action": "browse"}, ValueError),
        ({"outcome": "maybe"}, ValueError),
        ({"object_ids": "42"}, TypeError),
        ({"details": {"score": float("nan")}}, ValueError),
        ({"details": {"when": dt.date(2026, 1, 1)}}, TypeError),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(db, kwargs, error):
    with pytest.raises(error):
        audit_log(**{"actor": None, "action": Action.CONSULTATION, "object_type": "person", **kwargs})

    assert not AuditEntry.objects.exists()
