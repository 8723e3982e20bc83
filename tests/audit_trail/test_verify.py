"""`safeguard audit verify` passes a whole chain and names the first entry that was tampered with."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safeguard.audit_trail.models import Action, AuditEntry
from safeguard.audit_trail.services import audit_log

from .helpers import tampering


def verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", "verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails(*args: str) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", *args, stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return str(failure.value), err.getvalue()


def test_a_clean_chain_verifies(three_entries):
    out, err = verify()

    assert out.strip() == "audit chain OK: 3 entries, 0 checkpoint(s)"
    assert err == ""


def test_an_empty_chain_verifies(db):
    assert verify()[0].strip() == "audit chain OK: 0 entries, 0 checkpoint(s)"


def test_verify_reads_in_batches(three_entries):
    for _ in range(4):
        audit_log(actor=None, action=Action.CONSULTATION, object_type="person", object_ids=["42"])

    assert verify("--batch-size", "2")[0].strip() == "audit chain OK: 7 entries, 0 checkpoint(s)"


def test_an_altered_entry_is_named(three_entries):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_trail_auditentry SET recipient = %s WHERE seq = 2", ["a journalist"])

    error, report = verify_fails("--batch-size", "2")

    assert "first bad entry seq 2" in error
    assert "entry seq 2 altered or forged" in report


def test_an_altered_link_is_named(three_entries):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_trail_auditentry SET prev_hmac = %s WHERE seq = 3", ["0" * 64])

    error, report = verify_fails()

    assert "first bad entry seq 3" in error
    assert "entry seq 3 does not link to seq 2" in report


def test_a_removed_entry_is_named(three_entries):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_trail_auditentry WHERE seq = 2")

    error, report = verify_fails()

    assert "first bad entry seq 2" in error
    assert "entry seq 2 removed: seq 1 is followed by seq 3" in report


def test_entries_removed_from_the_end_are_named(three_entries):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_trail_auditentry WHERE seq >= 2")

    error, report = verify_fails()

    assert "first bad entry seq 2" in error
    assert "entry seq 2 to 3 removed from the end: the chain head records seq 3" in report


def test_a_forged_entry_appended_is_named(three_entries):
    last = three_entries[-1]
    AuditEntry(
        seq=4,
        at=last.at,
        action=Action.ERASURE,
        actor_label="system",
        object_type="person",
        object_ids=["42"],
        key_id=last.key_id,
        prev_hmac=last.hmac,
        hmac="f" * 64,
    ).save()

    error, report = verify_fails()

    assert "first bad entry seq 4" in error
    assert "entry seq 4 inserted" in report


def test_a_forged_entry_put_in_place_of_a_removed_one_is_named(three_entries):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_trail_auditentry WHERE seq = 2")
    first = three_entries[0]
    AuditEntry(
        seq=2,
        at=first.at,
        action=Action.CONSULTATION,
        actor_label="pc.smith",
        object_type="person",
        object_ids=["42"],
        key_id=first.key_id,
        prev_hmac=first.hmac,
        hmac="0" * 64,
    ).save()

    error, report = verify_fails()

    assert "first bad entry seq 2" in error
    assert "entry seq 2 altered or forged" in report


def test_an_entry_signed_with_an_unknown_key_is_named(three_entries):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_trail_auditentry SET key_id = 'stolen' WHERE seq = 1")

    error, report = verify_fails()

    assert "first bad entry seq 1" in error
    assert "unknown key 'stolen'" in report


def test_entries_signed_with_a_retired_key_still_verify(three_entries, settings):
    settings.AUDIT_HMAC_RETIRED_KEYS = {settings.AUDIT_HMAC_KEY_ID: settings.AUDIT_HMAC_KEY}
    settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY = "2027", "a-new-audit-key"
    audit_log(actor=None, action=Action.CONSULTATION, object_type="person", object_ids=["42"])

    assert verify()[0].strip() == "audit chain OK: 4 entries, 0 checkpoint(s)"
    assert AuditEntry.objects.get(seq=4).key_id == "2027"


def test_audit_without_a_subcommand_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("audit", stdout=StringIO(), stderr=StringIO())
