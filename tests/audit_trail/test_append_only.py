"""Audit entries cannot be changed or removed through the ORM, nor (on PostgreSQL) in SQL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from safeguard.audit_trail.models import Action, AppendOnlyError, AuditEntry
from safeguard.audit_trail.services import audit_log

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's"
)


def test_the_orm_refuses_to_save_a_changed_entry(three_entries):
    entry = AuditEntry.objects.get(seq=2)
    entry.justification = "Nothing to see"

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["justification"])
    assert AuditEntry.objects.get(seq=2).justification == "Strategy meeting"


def test_a_new_entry_cannot_overwrite_one_with_the_same_seq(three_entries):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry(
            seq=2,
            at=three_entries[1].at,
            action=Action.ERASURE,
            actor_label="x",
            object_type="person",
            key_id="dev",
            hmac="0" * 64,
        ).save()

    assert AuditEntry.objects.get(seq=2).action == Action.CONSULTATION


def test_the_orm_refuses_to_delete(three_entries):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.get(seq=1).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == 3


def test_the_orm_refuses_bulk_changes(three_entries):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(justification="Nothing to see")
    entry = AuditEntry.objects.get(seq=1)
    entry.justification = "Nothing to see"
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["justification"])

    assert AuditEntry.objects.get(seq=1).justification == ""


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_trail_auditentry SET justification = 'Nothing to see' WHERE seq = 2",
        "DELETE FROM audit_trail_auditentry WHERE seq = 2",
        "UPDATE audit_trail_auditentry SET justification = '' WHERE seq = -1",
    ],
)
def test_postgresql_refuses_raw_updates_and_deletes(three_entries, sql):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert AuditEntry.objects.get(seq=2).justification == "Strategy meeting"


@pytest.mark.django_db(transaction=True)
def test_audit_log_commits_on_its_own_and_the_table_can_still_be_flushed():
    """Outside any transaction audit_log makes its own; afterwards pytest-django empties the
    table (TRUNCATE on PostgreSQL), which the append-only trigger deliberately allows."""
    audit_log(actor=None, action=Action.COLLECTION, object_type="feed_load", object_ids=["1"])
    audit_log(actor=None, action=Action.COLLECTION, object_type="feed_load", object_ids=["2"])

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "audit chain OK: 2 entries, 0 checkpoint(s)"
