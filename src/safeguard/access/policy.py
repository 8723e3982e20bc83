"""THE access layer: who may see what. Every read of a record, person, location, event or alert
asks here, and nowhere else.

Each object kind registers one Policy, which answers the two questions of one rule:
"may this user see this object?" and "filter this queryset to what the user may see". Tests
prove the two agree for every registered kind. Deny by default: a model with no policy is
visible to nobody, and an anonymous or inactive user sees nothing.

This module knows only organisations, sharing and restriction; domains describe their objects
to it (which organisation owns one) when they register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from safeguard.accounts.models import Organisation


@dataclass(frozen=True)
class Policy:
    """`owner_path` is the ORM path from the object to the id of the organisation that owns it
    (e.g. "record__source__organisation"). A policy may widen visibility with a further
    condition on the user, `widen` (for example alerts addressed to the user's organisation)."""

    owner_path: str
    widen: Callable[[object], Q] | None = None
    #: whether organisations that share their records with the user's see these too. Fed records
    #: are shared under information-sharing agreements; casework is need-to-know (own organisation,
    #: plus whatever `widen` admits, e.g. referrals addressed to a partner).
    shared: bool = True


_POLICIES: dict[type[Model], Policy] = {}


def register(model: type[Model], policy: Policy) -> None:
    _POLICIES[model] = policy


def registered() -> dict[type[Model], Policy]:
    return dict(_POLICIES)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_everything(user) -> bool:
    """Superusers are the system's operators; they see everything (and are audited like anyone)."""
    return _active(user) and user.is_superuser


def visible_organisation_ids(user) -> set[int]:
    """The user's own organisation and every organisation that shares its records with it."""
    if not _active(user) or user.organisation_id is None:
        return set()
    providers = Organisation.objects.filter(shares_with=user.organisation_id).values_list("id", flat=True)
    return {user.organisation_id, *providers}


def _policy(model: type[Model]) -> Policy | None:
    for klass in model.__mro__:
        if klass in _POLICIES:
            return _POLICIES[klass]
    return None


def condition(user, model: type[Model]) -> Q | None:
    """The filter for what the user may see of a model; None means nothing."""
    policy = _policy(model)
    if policy is None or not _active(user):
        return None
    if sees_everything(user):
        return Q()
    orgs = visible_organisation_ids(user) if policy.shared else ({user.organisation_id} - {None})
    rule = Q(**{f"{policy.owner_path}__in": orgs}) if orgs else Q(pk__in=[])
    if policy.widen is not None:
        rule |= policy.widen(user)
    return rule


def visible(user, queryset: QuerySet) -> QuerySet:
    """Filter a queryset to what the user may see."""
    rule = condition(user, queryset.model)
    return queryset.none() if rule is None else queryset.filter(rule).distinct() if _needs_distinct(rule) else queryset.filter(rule)


def _needs_distinct(rule: Q) -> bool:
    # Widening conditions may cross many-to-many relations and repeat rows.
    return len(rule.children) > 1


def can_view(user, obj: Model) -> bool:
    """May the user see this object? Answered by the same rule as `visible`, evaluated for one row."""
    rule = condition(user, type(obj))
    if rule is None:
        return False
    return type(obj)._default_manager.filter(pk=obj.pk).filter(rule).exists()


def get_visible(user, queryset: QuerySet, **lookup) -> Model:
    """One object the user may see, or 404: "not allowed" and "does not exist" look the same."""
    try:
        return visible(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned):
        raise Http404("Not found") from None
