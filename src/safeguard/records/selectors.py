"""Reading records as of a moment. Every function takes the requesting user and returns only
what that user may see (access layer); `user=None` is not accepted here - system work (linkage,
rules) reads through `as_of` on unfiltered querysets in its own layer."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from safeguard.access.policy import get_visible, visible

from .models import VERSION_MODELS, SourceRecord, VersionBase


def as_of(moment: dt.datetime | None, prefix: str = "") -> Q:
    """Versions that count at `moment` (None: now): recorded by then, not yet replaced, not a delete."""
    p = f"{prefix}__" if prefix else ""
    if moment is None:
        return Q(**{f"{p}valid_to__isnull": True, f"{p}deleted": False})
    return Q(**{f"{p}recorded_at__lte": moment, f"{p}deleted": False}) & (
        Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gt": moment})
    )


def versions_as_of(model: type[VersionBase], moment: dt.datetime | None) -> QuerySet:
    """System read (no user): the counting versions of one kind. For linkage and rules only."""
    return model.objects.filter(as_of(moment))


def record_as_of(*, user, source: str, kind: str, ext_id: str, moment: dt.datetime | None = None) -> VersionBase | None:
    """The version of one record that counts at `moment`, or None if it did not exist then.
    404 if the user may not see the record."""
    record = get_visible(user, SourceRecord.objects.all(), source__code=source, kind=kind, ext_id=ext_id)
    return VERSION_MODELS[kind].objects.filter(as_of(moment), record=record).first()


def record_history(*, user, record: SourceRecord) -> QuerySet:
    """Every version of a record the user may see, oldest first."""
    model = VERSION_MODELS[record.kind]
    return visible(user, model.objects.filter(record=record)).order_by("recorded_at")


def visible_as_of(*, user, kind: str, moment: dt.datetime | None = None, record_ids=None) -> QuerySet:
    """Everything of one kind the user may see as of `moment`, optionally limited to some records."""
    qs = VERSION_MODELS[kind].objects.filter(as_of(moment))
    if record_ids is not None:
        qs = qs.filter(record_id__in=record_ids)
    return visible(user, qs)
