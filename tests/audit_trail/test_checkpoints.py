"""Signed checkpoints outside the database catch a truncated tail and a rebuilt chain, even by
someone who holds the chain's HMAC key."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from safeguard.audit_trail.chain import entry_hmac, signing_key
from safeguard.audit_trail.models import Action, AuditEntry
from safeguard.audit_trail.services import audit_log

from .helpers import tampering


def checkpoint() -> str:
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    return out.getvalue()


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def verify_fails() -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def test_checkpoints_are_appended_signed_and_verified(three_entries):
    assert checkpoint().strip() == "checkpoint written: seq 3, key dev"
    audit_log(actor=None, action=Action.CONSULTATION, object_type="person", object_ids=["42"])
    checkpoint()

    lines = [json.loads(line) for line in settings.AUDIT_CHECKPOINT_PATH.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [3, 4]
    assert lines[0]["hmac"] == AuditEntry.objects.get(seq=3).hmac
    assert verify() == "audit chain OK: 4 entries, 2 checkpoint(s)"


def test_a_truncated_tail_is_detected_even_with_the_head_rewound(three_entries):
    checkpoint()
    # The attacker removes the last two entries and moves the head back, so the chain itself is whole.
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_trail_auditentry WHERE seq >= 2")
        cursor.execute("UPDATE audit_trail_audithead SET seq = 1, hmac = %s", [AuditEntry.objects.get(seq=1).hmac])

    error, report = verify_fails()

    assert "first bad entry seq 2" in error
    assert "entries after seq 1 removed: checkpoint of" in report
    assert "records seq 3" in report


def test_a_chain_rebuilt_with_the_key_is_detected(three_entries):
    checkpoint()
    # The attacker holds the chain key: alters entry 2 and re-signs it and every entry after it.
    key_id, key = signing_key()
    with tampering() as cursor:
        cursor.execute("UPDATE audit_trail_auditentry SET justification = %s WHERE seq = 2", ["nothing to see"])
        prev = AuditEntry.objects.get(seq=1).hmac
        for entry in AuditEntry.objects.filter(seq__gte=2).order_by("seq"):
            entry.prev_hmac = prev
            entry.hmac = entry_hmac(entry, key)
            cursor.execute("UPDATE audit_trail_auditentry SET prev_hmac = %s, hmac = %s WHERE seq = %s",
                           [entry.prev_hmac, entry.hmac, entry.seq])
            prev = entry.hmac
        cursor.execute("UPDATE audit_trail_audithead SET hmac = %s", [prev])

    error, report = verify_fails()

    assert "first bad entry seq 3" in error
    assert "entry seq 3 differs from the checkpoint of" in report
    assert "the chain was rebuilt" in report


def test_a_forged_checkpoint_line_is_reported(three_entries):
    checkpoint()
    line = json.loads(settings.AUDIT_CHECKPOINT_PATH.read_text())
    line["seq"] = 2
    with settings.AUDIT_CHECKPOINT_PATH.open("a") as sink:
        sink.write(json.dumps(line) + "\n")

    error, report = verify_fails()

    assert "checkpoint line 2 has a bad signature" in report
    assert "1 problem(s)" in error


def test_old_checkpoints_verify_after_the_key_rotates(three_entries, settings):
    checkpoint()
    settings.AUDIT_CHECKPOINT_RETIRED_KEYS = {"dev": settings.AUDIT_CHECKPOINT_KEY}
    settings.AUDIT_CHECKPOINT_KEY, settings.AUDIT_CHECKPOINT_KEY_ID = "a-new-checkpoint-key", "2026-11"
    assert checkpoint().strip() == "checkpoint written: seq 3, key 2026-11"

    assert verify() == "audit chain OK: 3 entries, 2 checkpoint(s)"
    settings.AUDIT_CHECKPOINT_RETIRED_KEYS = {}
    assert "signed with unknown key 'dev'" in verify_fails()[1]
