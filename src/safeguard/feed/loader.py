"""Loading feed lines into the record store, in bulk.

Lines are parsed one by one (schema.py) and written in batches, each batch one transaction:
a bad line is reported and skipped, a good line is never half-loaded, and memory stays bounded
whatever the size of the input. Every query works on a whole batch, never one row at a time.

Versions (feed.md): the same (record, recorded_at) with the same content is unchanged, with
other content a conflict; a version later than all held is an update (or a delete), an earlier
one is late: it goes into history, where it answers questions about the moments before the
later version. `valid_to` of each version is the next version's `recorded_at`, kept up to date
here so that "as of T" is a range test.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Max

from safeguard.core.clock import now
from safeguard.records.models import (
    VERSION_MODELS,
    EventReference,
    EventSubject,
    EventVersion,
    FeedLoad,
    Source,
    SourceRecord,
)

from .schema import FeedError, Parsed, Ref, identity_of, parse_line

BATCH_SIZE = 2000
MAX_ERRORS_KEPT = 10_000
_INGEST_LOCK = 0x5AFE_F00D  # PostgreSQL advisory lock key: one writer of versions at a time


@dataclass
class Rejection:
    origin: str
    line: int
    identity: str
    message: str

    def __str__(self) -> str:
        who = f" {self.identity}:" if self.identity else ""
        return f"{self.origin}:{self.line}:{who} {self.message}"


@dataclass
class LoadSummary:
    lines_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    late: int = 0
    deleted: int = 0
    rejected: int = 0
    conflicts: int = 0
    unresolved: int = 0
    errors: list[Rejection] = field(default_factory=list)
    errors_not_kept: int = 0
    touched_record_ids: set[int] = field(default_factory=set)

    def reject(self, rejection: Rejection, *, conflict: bool = False) -> None:
        self.rejected += 1
        self.conflicts += conflict
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(rejection)
        else:
            self.errors_not_kept += 1

    def counts(self) -> dict[str, int]:
        return {
            "lines_read": self.lines_read, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "late": self.late, "deleted": self.deleted,
            "rejected": self.rejected, "conflicts": self.conflicts, "unresolved": self.unresolved,
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.counts(), "errors": [str(e) for e in self.errors], "errors_not_listed": self.errors_not_kept}

    def text(self) -> str:
        c = self.counts()
        return (
            f"lines read {c['lines_read']}, created {c['created']}, updated {c['updated']}, "
            f"unchanged {c['unchanged']}, late {c['late']}, deleted {c['deleted']}, "
            f"rejected {c['rejected']} (conflicts {c['conflicts']}), references unresolved {c['unresolved']}"
        )


Line = tuple[str, int, str]  # origin, line number, text
OnError = Callable[[Rejection], None]


def read_lines(origin: str, stream: IO[bytes]) -> Iterator[Line]:
    """Number the lines of a binary stream, skipping blank ones. Undecodable bytes are kept so
    that the parser can reject that line alone."""
    for number, raw in enumerate(stream, start=1):
        text = raw.decode("utf-8", errors="replace")
        if text.strip():
            yield origin, number, text


class Loader:
    """Loads lines for one actor. `allowed_sources` (None: any) limits which sources may be
    written, for partner systems' tokens."""

    def __init__(self, *, origin: str, actor_label: str, allowed_sources: set[str] | None = None,
                 on_error: OnError | None = None, batch_size: int = BATCH_SIZE):
        self.summary = LoadSummary()
        self.allowed_sources = allowed_sources
        self.on_error = on_error
        self.batch_size = batch_size
        self.load = FeedLoad.objects.create(started_at=now(), origin=origin[:300], actor_label=actor_label[:200])
        self._source_ids: dict[str, int] = dict(Source.objects.values_list("code", "id"))

    # -- public ------------------------------------------------------------------------------

    def load_lines(self, lines: Iterable[Line], progress: Callable[[int], None] | None = None) -> LoadSummary:
        batch: list[tuple[Line, Parsed]] = []
        for line in lines:
            self.summary.lines_read += 1
            parsed = self._parse(line)
            if parsed is not None:
                batch.append((line, parsed))
            if len(batch) >= self.batch_size:
                self._write_batch(batch)
                batch = []
                if progress:
                    progress(self.summary.lines_read)
        if batch:
            self._write_batch(batch)
        if progress:
            progress(self.summary.lines_read)
        self.summary.unresolved = SourceRecord.objects.filter(first_recorded_at__isnull=True).count()
        return self.summary

    def finish(self) -> FeedLoad:
        self.load.finished_at = now()
        self.load.summary = self.summary.counts()
        self.load.save(update_fields=["finished_at", "summary"])
        return self.load

    # -- parsing -----------------------------------------------------------------------------

    def _reject(self, line: Line, identity: str, message: str, *, conflict: bool = False) -> None:
        rejection = Rejection(line[0], line[1], identity, message)
        self.summary.reject(rejection, conflict=conflict)
        if self.on_error:
            self.on_error(rejection)

    def _parse(self, line: Line) -> Parsed | None:
        try:
            parsed = parse_line(line[2])
        except FeedError as exc:
            identity = ""
            try:
                import json

                identity = identity_of(json.loads(line[2]))
            except ValueError:
                pass
            self._reject(line, identity, str(exc))
            return None
        if self.allowed_sources is not None and parsed.source not in self.allowed_sources:
            self._reject(line, identity_of(parsed.payload),
                         f"this sender may not write records of source {parsed.source!r}")
            return None
        return parsed

    # -- writing -----------------------------------------------------------------------------

    def _write_batch(self, batch: list[tuple[Line, Parsed]]) -> None:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_INGEST_LOCK])
            record_ids = self._record_ids(batch)
            by_kind: dict[str, list[tuple[Line, Parsed, int]]] = defaultdict(list)
            for line, parsed in batch:
                by_kind[parsed.kind].append((line, parsed, record_ids[_key(parsed.source, parsed.kind, parsed.id)]))
            firsts: dict[int, dt.datetime] = {}
            for kind, items in by_kind.items():
                self._write_versions(kind, items, record_ids, firsts)
            self._set_first_recorded(firsts)

    def _source_id(self, code: str) -> int:
        if code not in self._source_ids:
            source, _ = Source.objects.get_or_create(code=code)
            self._source_ids[code] = source.id
        return self._source_ids[code]

    def _record_ids(self, batch: list[tuple[Line, Parsed]]) -> dict[tuple[str, str, str], int]:
        """Ids of every record the batch names or refers to, creating identities as needed."""
        wanted: set[tuple[str, str, str]] = set()
        for _, parsed in batch:
            wanted.add(parsed.identity)
            wanted.update((r.source, r.kind, r.id) for _, r in parsed.refs)
            wanted.update((r.source, r.kind, r.id) for r, _ in parsed.subjects)
        found = self._lookup(wanted)
        missing = wanted - found.keys()
        if missing:
            SourceRecord.objects.bulk_create(
                [SourceRecord(source_id=self._source_id(s), kind=k, ext_id=i) for s, k, i in missing],
                ignore_conflicts=True, batch_size=1000,
            )
            found.update(self._lookup(missing))
        return found

    def _lookup(self, identities: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for source, kind, ext_id in identities:
            groups[(source, kind)].append(ext_id)
        found: dict[tuple[str, str, str], int] = {}
        for (source, kind), ext_ids in groups.items():
            source_id = self._source_id(source)
            for start in range(0, len(ext_ids), 900):
                rows = SourceRecord.objects.filter(
                    source_id=source_id, kind=kind, ext_id__in=ext_ids[start:start + 900]
                ).values_list("ext_id", "id")
                found.update({(source, kind, ext_id): pk for ext_id, pk in rows})
        return found

    def _write_versions(self, kind: str, items: list[tuple[Line, Parsed, int]],
                        record_ids: dict[tuple[str, str, str], int], firsts: dict[int, dt.datetime]) -> None:
        model = VERSION_MODELS[kind]
        ids = sorted({record_id for _, _, record_id in items})
        held: dict[int, dict[dt.datetime, tuple[int, str, dt.datetime | None, bool]]] = defaultdict(dict)
        for start in range(0, len(ids), 900):
            for pk, record_id, recorded_at, digest, valid_to, deleted in model.objects.filter(
                record_id__in=ids[start:start + 900]
            ).values_list("id", "record_id", "recorded_at", "content_hash", "valid_to", "deleted"):
                held[record_id][recorded_at] = (pk, digest, valid_to, deleted)

        new_by_record: dict[int, dict[dt.datetime, tuple[Line, Parsed]]] = defaultdict(dict)
        for line, parsed, record_id in items:
            versions = held[record_id]
            fresh = new_by_record[record_id]
            same = versions.get(parsed.recorded_at) or (
                (None, fresh[parsed.recorded_at][1].content_hash, None, False) if parsed.recorded_at in fresh else None
            )
            if same is not None:
                if same[1] == parsed.content_hash:
                    self.summary.unchanged += 1
                else:
                    self._reject(line, identity_of(parsed.payload),
                                 f"conflicts with the version recorded at {parsed.recorded_at.isoformat()} already "
                                 "held: two different versions cannot be recorded at the same moment", conflict=True)
                continue
            latest = max([*versions, *fresh], default=None)
            if parsed.deleted and (latest is None or parsed.recorded_at > latest):
                self.summary.deleted += 1
            elif latest is None:
                self.summary.created += 1
            elif parsed.recorded_at > latest:
                self.summary.updated += 1
            else:
                self.summary.late += 1
            fresh[parsed.recorded_at] = (line, parsed)

        if not any(new_by_record.values()):
            return
        next_id = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        rows, subjects, references, valid_to_updates = [], [], [], []
        for record_id, fresh in new_by_record.items():
            if not fresh:
                continue
            self.summary.touched_record_ids.add(record_id)
            versions = held[record_id]
            moments = sorted([*versions, *fresh])
            following = dict(zip(moments, [*moments[1:], None], strict=True))
            firsts[record_id] = moments[0]
            for moment, (pk, _, valid_to, _) in versions.items():
                if following[moment] != valid_to:
                    valid_to_updates.append(model(id=pk, valid_to=following[moment]))
            for moment, (line, parsed) in fresh.items():
                version_id = next_id
                next_id += 1
                row = model(id=version_id, record_id=record_id, recorded_at=moment, valid_to=following[moment],
                            deleted=parsed.deleted, content_hash=parsed.content_hash, load_id=self.load.id,
                            line=line[1], payload=parsed.payload)
                if not parsed.deleted:
                    for name, value in parsed.fields.items():
                        setattr(row, name, value)
                    for name, ref in parsed.refs:
                        target = record_ids[_key(ref.source, ref.kind, ref.id)]
                        if model is EventVersion:
                            if name == "location":
                                row.location_id = target
                            references.append(EventReference(version_id=version_id, name=name, target_id=target))
                        else:
                            setattr(row, f"{name}_id", target)
                    subjects.extend(
                        EventSubject(version_id=version_id, person_id=record_ids[_key(r.source, r.kind, r.id)], role=role)
                        for r, role in parsed.subjects
                    )
                rows.append(row)
        model.objects.bulk_create(rows, batch_size=500)
        if subjects:
            EventSubject.objects.bulk_create(subjects, batch_size=1000)
        if references:
            EventReference.objects.bulk_create(references, batch_size=1000)
        if valid_to_updates:
            model.objects.bulk_update(valid_to_updates, ["valid_to"], batch_size=500)

    def _set_first_recorded(self, firsts: dict[int, dt.datetime]) -> None:
        if not firsts:
            return
        current = dict(SourceRecord.objects.filter(id__in=list(firsts)).values_list("id", "first_recorded_at"))
        changed = [
            SourceRecord(id=pk, first_recorded_at=moment)
            for pk, moment in firsts.items()
            if current.get(pk) is None or moment < current[pk]
        ]
        SourceRecord.objects.bulk_update(changed, ["first_recorded_at"], batch_size=500)


def _key(source: str, kind: str, ext_id: str) -> tuple[str, str, str]:
    return (source, kind, ext_id)


__all__ = ["Loader", "LoadSummary", "Rejection", "Ref", "read_lines"]
