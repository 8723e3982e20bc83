"""Writing to the audit trail. `audit_log` is the only way entries are made."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from safeguard.core import clock

from .chain import GENESIS, entry_hmac, plain_json, signing_key
from .models import Action, AuditEntry, AuditHead, Outcome

if TYPE_CHECKING:
    from safeguard.accounts.models import User


def audit_log(
    *,
    actor: User | None,
    action: Action | str,
    object_type: str,
    object_ids: Iterable[str | int] = (),
    recipient: str = "",
    justification: str = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    details: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail, chained onto the last, and return it.

    Call it inside the transaction of the work it records, as that transaction's last write:
    the entry then commits or rolls back with the work, and the chain lock it takes (held until
    the transaction ends, and blocking every other audited write meanwhile) is held briefly.
    It opens its own atomic block, so it also works on its own.

    Because the entry rolls back with its transaction, record refusals and failures (outcome
    "denied" or "error") outside the transaction that is being rolled back.

    actor is None (never AnonymousUser) for the system or an API token; say which in
    actor_label (e.g. "token:police-feed"). object_ids, details and justification are kept for
    years and shown to auditors: put object references and counts in them, never personal data.
    """
    if isinstance(object_ids, str | bytes):
        raise TypeError("object_ids takes a list of ids, not a single string.")
    entry = AuditEntry(
        action=Action(action).value,
        actor=actor,
        actor_label=actor_label if actor_label is not None else (actor.get_username() if actor else "system"),
        organisation_label=str(actor.organisation) if actor is not None and actor.organisation_id else "",
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        recipient=recipient,
        justification=justification,
        outcome=Outcome(outcome).value,
        details=plain_json(dict(details or {})),
    )
    entry.key_id, key = signing_key()
    with transaction.atomic():
        head = _locked_head()
        # Stamped under the lock, so times rise with seq.
        entry.seq, entry.prev_hmac, entry.at = head.seq + 1, head.hmac, clock.now()
        entry.hmac = entry_hmac(entry, key)
        entry.save()
        head.seq, head.hmac = entry.seq, entry.hmac
        head.save(update_fields=["seq", "hmac"])
    return entry


def _locked_head() -> AuditHead:
    # On PostgreSQL the row lock makes concurrent writers queue, so no two chain onto the same
    # entry. SQLite ignores FOR UPDATE, but its writers are already serialised (settings use
    # transaction_mode IMMEDIATE).
    head = AuditHead.objects.select_for_update().filter(pk=AuditHead.ROW_ID).first()
    if head is None:
        # The first write, or the tables were flushed (tests). ignore_conflicts makes concurrent
        # first writers safe: the loser's insert waits for the winner's, then does nothing.
        last = AuditEntry.objects.order_by("-seq").first()
        start = AuditHead(seq=last.seq, hmac=last.hmac) if last else AuditHead(seq=0, hmac=GENESIS)
        AuditHead.objects.bulk_create([start], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update().get(pk=AuditHead.ROW_ID)
    return head
