"""Masking restricted fields for users outside a restriction's allow-list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

import safeguard.core.db  # noqa: F401 - registers the any_of lookup

from .models import Restriction
from .policy import sees_everything

MASK = "[restricted]"


def masked_fields(user, object_type: str, object_ids: Iterable[int]) -> dict[int, set[str]]:
    """For each object, the fields this user may not see. One query for the whole set."""
    ids = list(object_ids)
    if not ids or sees_everything(user):
        return {}
    # PostgreSQL: the ids as one array parameter (a search asks about up to 3,000 records).
    lookup = "object_id__any_of" if connection.vendor == "postgresql" else "object_id__in"
    restrictions = Restriction.objects.filter(object_type=object_type, **{lookup: ids})
    if user is not None and user.is_authenticated:
        # A partner's token (no user row, pk None) is allowed only through its organisation.
        allowed = Q(allowed_users=user.pk) if user.pk is not None else Q(pk__in=[])
        if user.organisation_id is not None:
            allowed |= Q(allowed_organisations=user.organisation_id)
        restrictions = restrictions.exclude(pk__in=Restriction.objects.filter(allowed).values("pk"))
    hidden: dict[int, set[str]] = defaultdict(set)
    for object_id, fields in restrictions.values_list("object_id", "fields"):
        hidden[object_id].update(fields)
    return dict(hidden)


def mask(data: dict, hidden: set[str]) -> dict:
    return {key: (MASK if key in hidden and value not in (None, "") else value) for key, value in data.items()}
