"""Signed checkpoints of the chain head, kept outside the database.

The chain's HMACs stop someone who can write the database but does not hold the key. Someone
who holds both (a rogue operator, a stolen backup with the settings) could cut the tail off the
chain, or rebuild the whole chain, and re-sign it. Checkpoints stop that: at least hourly the
head (seq and HMAC) is signed with a separate key and appended to a file on other storage. A
later `audit verify` finds every checkpointed entry still present with the same HMAC, so a
truncated tail (a checkpoint beyond the end) and a rebuilt chain (a checkpointed entry whose
HMAC changed) are both detected.

One JSON object per line: {"seq", "hmac", "at", "key_id", "signature"}. Lines are only ever
appended. Keys rotate: a line names the key id that signed it, and retired keys stay in
AUDIT_CHECKPOINT_RETIRED_KEYS ({key_id: key}) so old lines still verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from safeguard.core import clock

from .models import AuditEntry, AuditHead


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hmac: str
    at: str
    key_id: str
    signature: str


def _path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_PATH)


def _keys() -> dict[str, bytes]:
    retired: dict[str, str] = getattr(settings, "AUDIT_CHECKPOINT_RETIRED_KEYS", {})
    return {**{kid: k.encode() for kid, k in retired.items()},
            settings.AUDIT_CHECKPOINT_KEY_ID: settings.AUDIT_CHECKPOINT_KEY.encode()}


def _signed_bytes(seq: int, head_hmac: str, at: str, key_id: str) -> bytes:
    return json.dumps({"seq": seq, "hmac": head_hmac, "at": at, "key_id": key_id}, sort_keys=True,
                      separators=(",", ":")).encode()


def _sign(key: bytes, seq: int, head_hmac: str, at: str, key_id: str) -> str:
    return hmac.new(key, _signed_bytes(seq, head_hmac, at, key_id), hashlib.sha256).hexdigest()


def write_checkpoint() -> Checkpoint:
    """Sign the current chain head and append it to the checkpoint file (created if missing)."""
    head = AuditHead.objects.filter(pk=AuditHead.ROW_ID).first()
    seq, head_hmac = (head.seq, head.hmac) if head is not None else (0, "")
    at = clock.now().isoformat(timespec="seconds")
    key_id = settings.AUDIT_CHECKPOINT_KEY_ID
    point = Checkpoint(seq, head_hmac, at, key_id, _sign(settings.AUDIT_CHECKPOINT_KEY.encode(), seq, head_hmac, at, key_id))
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: each line lands at the end even with several writers; fsync so it survives a crash.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(fd, (json.dumps(point.__dict__, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return point


def read_checkpoints(report: Callable[[str], None]) -> list[Checkpoint]:
    """Every well-signed checkpoint in the file; report() each line that is unreadable or forged."""
    path = _path()
    if not path.exists():
        return []
    keys = _keys()
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            point = Checkpoint(**json.loads(line))
        except (ValueError, TypeError):
            report(f"checkpoint line {number} is not a checkpoint: the checkpoint file was altered")
            continue
        key = keys.get(point.key_id)
        if key is None:
            report(f"checkpoint line {number} is signed with unknown key {point.key_id!r}: forged, or its key is not configured")
        elif not hmac.compare_digest(point.signature, _sign(key, point.seq, point.hmac, point.at, point.key_id)):
            report(f"checkpoint line {number} has a bad signature: the checkpoint file was altered")
        else:
            found.append(point)
    return found


@dataclass
class CheckpointCheck:
    checkpoints: int = 0
    problems: int = 0
    first_bad_seq: int | None = None
    last: Checkpoint | None = None


def verify_against_checkpoints(*, report: Callable[[int | None, str], None]) -> CheckpointCheck:
    """Is every checkpointed head still in the chain, unchanged? One query for all checkpoints."""
    check = CheckpointCheck()

    def fail(seq: int | None, message: str) -> None:
        check.problems += 1
        if seq is not None:
            check.first_bad_seq = seq if check.first_bad_seq is None else min(seq, check.first_bad_seq)
        report(seq, message)

    points = read_checkpoints(lambda message: fail(None, message))
    check.checkpoints = len(points)
    check.last = max(points, key=lambda p: p.seq, default=None)
    wanted = {p.seq for p in points if p.seq > 0}
    present = dict(AuditEntry.objects.filter(seq__in=wanted).values_list("seq", "hmac"))
    last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for point in sorted(points, key=lambda p: p.seq):
        if point.seq == 0:
            continue
        if point.seq not in present:
            if point.seq > last_seq:
                fail(last_seq + 1, f"entries after seq {last_seq} removed: checkpoint of {point.at} records seq {point.seq}")
            else:
                fail(point.seq, f"entry seq {point.seq} removed: checkpoint of {point.at} records it")
        elif not hmac.compare_digest(present[point.seq], point.hmac):
            fail(point.seq, f"entry seq {point.seq} differs from the checkpoint of {point.at}: the chain was rebuilt")
    return check
