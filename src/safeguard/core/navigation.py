"""The service navigation, assembled from what each domain registers.

Each app registers its top-level pages in its AppConfig.ready(), so adding a domain never means
editing a shared template. Items are shown in `order`, and only to users `visible` admits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    visible: Callable[[object], bool]
    #: other URL prefixes under which this item counts as the current page
    prefixes: tuple[str, ...] = ()


_ITEMS: dict[str, NavItem] = {}


def register_nav(label: str, url_name: str, *, order: int, visible: Callable[[object], bool] | None = None,
                 prefixes: tuple[str, ...] = ()) -> None:
    _ITEMS[url_name] = NavItem(label, url_name, order, visible or (lambda user: True), prefixes)


@contextmanager
def roles_read_once(user) -> Iterator[None]:
    """While the items are chosen, `user.has_role` answers from the user's role names read in one
    query, instead of one query per item (six per page otherwise)."""
    if getattr(user, "_role_names", None) is not None:
        yield
        return
    user._role_names = frozenset(user.groups.values_list("name", flat=True))
    try:
        yield
    finally:
        del user._role_names


def items_for(user, current_path: str) -> list[dict]:
    out = []
    with roles_read_once(user):
        chosen = [item for item in sorted(_ITEMS.values(), key=lambda i: i.order) if item.visible(user)]
    for item in chosen:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url or any(current_path.startswith(p) for p in item.prefixes) or (
            url != "/" and current_path.startswith(url))
        out.append({"label": item.label, "url": url, "active": active})
    return out


def navigation(request) -> dict:
    """Context processor: `nav_items` for the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Between the password and the second factor the pages are out of reach: show none of them.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and not is_verified():
        return {"nav_items": []}
    # Read once per request, however many templates the request renders.
    kept = getattr(request, "_safeguard_nav", None)
    if kept is None or kept[0] != (user.pk, request.path):
        kept = ((user.pk, request.path), items_for(user, request.path))
        request._safeguard_nav = kept
    return {"nav_items": kept[1]}
