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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404

from safeguard.accounts.models import Organisation
from safeguard.core import clock

from .models import BreakGlassObject


@dataclass(frozen=True)
class Policy:
    """`owner_path` is the ORM path from the object to the id of the organisation that owns it
    (e.g. "record__source__organisation"). A policy may widen visibility with a further
    condition on the user, `widen` (for example alerts addressed to the user's organisation).
    A condition that crosses a many-valued relation (a reverse foreign key, a many-to-many) makes
    `visible` add DISTINCT; one written as a subquery (`Q(Exists(...))`, `pk__in=<queryset>`)
    repeats no rows and needs none, which matters on large tables."""

    owner_path: str
    widen: Callable[[object], Q] | None = None
    #: whether organisations that share their records with the user's see these too. Fed records
    #: are shared under information-sharing agreements; casework is need-to-know (own organisation,
    #: plus whatever `widen` admits, e.g. referrals addressed to a partner).
    shared: bool = True
    #: break-glass: the ORM path from the object to the id a grant names, and the kind of id it is
    #: (e.g. ("record", "record_id") for a version). None: break-glass never opens this kind.
    grant: tuple[str, str] | None = None


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


#: Within one request, who shares with whom is read once (a page asks the access layer dozens of
#: times); outside a request (commands, tests) every call reads the database.
_request_orgs: ContextVar[dict | None] = ContextVar("safeguard_request_orgs", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Cache the sharing agreements for the length of one request (see access/middleware.py)."""
    token = _request_orgs.set({})
    try:
        yield
    finally:
        _request_orgs.reset(token)


def visible_organisation_ids(user) -> set[int]:
    """The user's own organisation and every organisation that shares its records with it."""
    if not _active(user) or user.organisation_id is None:
        return set()
    cache = _request_orgs.get()
    if cache is not None and user.organisation_id in cache:
        return set(cache[user.organisation_id])
    providers = Organisation.objects.filter(shares_with=user.organisation_id).values_list("id", flat=True)
    orgs = {user.organisation_id, *providers}
    if cache is not None:
        cache[user.organisation_id] = frozenset(orgs)
    return orgs


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
    if policy.grant is not None:
        kind, path = policy.grant
        rule |= Q(**{f"{path}__in": granted_ids(user, kind)})
    return rule


def granted_ids(user, kind: str) -> QuerySet:
    """Ids of `kind` the user's unexpired break-glass uses open, as a subquery (no extra query)."""
    moment = clock.now()
    return BreakGlassObject.objects.filter(grant__user=user.pk, kind=kind, grant__opened_at__lte=moment,
                                           grant__expires_at__gt=moment).values("object_id")


def visible(user, queryset: QuerySet) -> QuerySet:
    """Filter a queryset to what the user may see."""
    rule = condition(user, queryset.model)
    if rule is None:
        return queryset.none()
    return queryset.filter(rule).distinct() if _needs_distinct(queryset.model, rule) else queryset.filter(rule)


def _needs_distinct(model: type[Model], rule: Q) -> bool:
    """Whether filtering by `rule` can repeat rows: only when one of its lookups crosses a
    many-valued relation (a reverse foreign key or a many-to-many), which is joined. Forward
    foreign keys, IN subqueries (break-glass grants) and expressions such as Exists join
    nothing that repeats."""
    return any(_crosses_many(model, lookup) for lookup in _lookups(rule))


def _lookups(rule: Q) -> Iterator[str]:
    for child in rule.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        elif isinstance(child, tuple):
            yield child[0]
        # otherwise a boolean expression (Exists, ...): a subquery or a column test, no join


def _crosses_many(model: type[Model], lookup: str) -> bool:
    opts = model._meta
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False  # "pk", or a lookup or transform ("in", "isnull"): the path ended
        if not field.is_relation:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            return False
        opts = field.related_model._meta
    return False


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
