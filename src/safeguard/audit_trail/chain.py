"""The HMAC chain: how an entry is signed, and the walk that checks every entry.

Each entry's HMAC covers all of its fields, its seq and the previous entry's HMAC, so changing,
removing or inserting an entry breaks the chain at that point. The key lives outside the
database (settings), so someone who can write the database cannot re-sign what they changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .models import AuditEntry, AuditHead

GENESIS = ""  # the prev_hmac of the first entry


def signing_key() -> tuple[str, bytes]:
    """The (key_id, key) new entries are signed with."""
    return settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY.encode()


def verification_keys() -> dict[str, bytes]:
    """Every key an entry may be signed with, by key_id.

    After a key rotation the old key goes into settings.AUDIT_HMAC_RETIRED_KEYS ({key_id: key})
    so entries signed before the rotation still verify.
    """
    retired: dict[str, str] = getattr(settings, "AUDIT_HMAC_RETIRED_KEYS", {})
    key_id, key = signing_key()
    return {**{kid: k.encode() for kid, k in retired.items()}, key_id: key}


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _whole_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_whole_floats_as_ints(v) for v in value]
    return value


def plain_json(value: Any) -> Any:
    """`value` as it will read back from either database, so the HMAC computed when writing
    matches the one recomputed when verifying.

    PostgreSQL's jsonb keeps numbers as numeric, so a float such as 1e20 reads back as an int:
    whole floats are stored as ints. Keys become strings and tuples lists; NaN, infinities and
    anything else JSON cannot hold are refused (ValueError, TypeError).
    """
    return json.loads(_dumps(_whole_floats_as_ints(value)))


def canonical_bytes(entry: AuditEntry) -> bytes:
    """Every field of the entry, as sorted-key JSON."""
    return _dumps(
        {
            "seq": entry.seq,
            "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "action": entry.action,
            "actor_id": entry.actor_id,
            "actor_label": entry.actor_label,
            "organisation_label": entry.organisation_label,
            "object_type": entry.object_type,
            "object_ids": entry.object_ids,
            "recipient": entry.recipient,
            "justification": entry.justification,
            "outcome": entry.outcome,
            "details": _whole_floats_as_ints(entry.details),
            "key_id": entry.key_id,
            "prev_hmac": entry.prev_hmac,
        }
    ).encode()


def entry_hmac(entry: AuditEntry, key: bytes) -> str:
    return hmac.new(key, canonical_bytes(entry), hashlib.sha256).hexdigest()


@dataclass
class ChainCheck:
    entries: int = 0
    problems: int = 0
    first_bad_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problems == 0


def _in_seq_order(batch_size: int) -> Iterator[AuditEntry]:
    # Keyset pages rather than a server-side cursor: memory stays bounded on both databases, and
    # it also works behind connection poolers that cannot hold a cursor open.
    last_seq: int | None = None
    while True:
        page = AuditEntry.objects.order_by("seq")
        if last_seq is not None:
            page = page.filter(seq__gt=last_seq)
        batch = list(page[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last_seq = batch[-1].seq


def verify_chain(*, report: Callable[[int, str], None], batch_size: int = 1000) -> ChainCheck:
    """Walk the whole chain in seq order and report(seq, message) for every problem found."""
    check = ChainCheck()

    def fail(seq: int, message: str) -> None:
        check.problems += 1
        check.first_bad_seq = seq if check.first_bad_seq is None else min(seq, check.first_bad_seq)
        report(seq, message)

    # Read the head before walking: every entry up to it was committed before the walk began.
    # Entries appended while we walk lie beyond it and are checked like any other.
    head = AuditHead.objects.filter(pk=AuditHead.ROW_ID).first()
    keys = verification_keys()
    prev_seq, prev_hmac = 0, GENESIS
    for entry in _in_seq_order(batch_size):
        check.entries += 1
        seq = entry.seq
        if seq < 1:
            fail(seq, f"entry seq {seq} inserted: the chain starts at seq 1")
            continue
        if seq != prev_seq + 1:
            missing = f"seq {prev_seq + 1}" if seq == prev_seq + 2 else f"seq {prev_seq + 1} to {seq - 1}"
            fail(prev_seq + 1, f"entry {missing} removed: seq {prev_seq} is followed by seq {seq}")
        elif entry.prev_hmac != prev_hmac:
            fail(seq, f"entry seq {seq} does not link to seq {prev_seq}: an entry was removed or inserted")
        key = keys.get(entry.key_id)
        if key is None:
            fail(
                seq,
                f"entry seq {seq} is signed with unknown key {entry.key_id!r}: forged, or its key is not configured",
            )
        elif not hmac.compare_digest(entry.hmac, entry_hmac(entry, key)):
            if head is not None and seq > head.seq:
                fail(
                    seq,
                    f"entry seq {seq} inserted: it lies beyond the chain head (seq {head.seq}) and its HMAC is invalid",
                )
            else:
                fail(seq, f"entry seq {seq} altered or forged: its HMAC does not match its contents")
        if head is not None and seq == head.seq and entry.hmac != head.hmac:
            fail(seq, f"entry seq {seq} is not the entry the chain head records: it was replaced")
        prev_seq, prev_hmac = seq, entry.hmac

    if head is None:
        if check.entries:
            fail(prev_seq, f"the chain head is missing: entries after seq {prev_seq} may have been removed")
    elif prev_seq < head.seq:
        missing = f"seq {head.seq}" if prev_seq + 1 == head.seq else f"seq {prev_seq + 1} to {head.seq}"
        fail(prev_seq + 1, f"entry {missing} removed from the end: the chain head records seq {head.seq}")
    return check
