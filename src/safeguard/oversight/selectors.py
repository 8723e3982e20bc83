"""What the oversight pages read, for the requesting user: who may see dashboards, the filter
choices, a dashboard, and the rows behind one of its figures (with where each row opens)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import Http404
from django.urls import reverse

from safeguard.access.policy import sees_everything, visible, visible_organisation_ids
from safeguard.accounts.models import Team
from safeguard.records.models import EventSubject

from .board import Board, Item
from .dashboards import PAGES
from .filters import Filters

OVERSIGHT_ROLES = ("senior_leader", "supervisor", "analyst", "inspector")


def may_oversee(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*OVERSIGHT_ROLES)))


def filter_choices(user) -> tuple[list[str], list[tuple[int, str]]]:
    """The areas and teams the user may filter by: those of the organisations whose work they see."""
    teams = Team.objects.all() if sees_everything(user) else Team.objects.filter(
        organisation_id__in=visible_organisation_ids(user))
    rows = list(teams.values_list("pk", "name", "area", "organisation__name").order_by("organisation__name", "name"))
    areas = sorted({area for _, _, area, _ in rows if area})
    return areas, [(pk, f"{name} ({org})") for pk, name, _, org in rows]


def dashboard(user, page: str, filters: Filters) -> Board:
    if page not in PAGES:
        raise Http404("No such dashboard")
    return PAGES[page](user, filters)


def figure_rows(board: Board, code: str) -> tuple[str, Sequence[Item]]:
    """The rows behind one figure of a dashboard: exactly those it counted."""
    if code not in board.items:
        raise Http404("No such figure on this dashboard")
    return board.labels[code], board.items[code]


def links(user, items: list[Item]) -> dict[tuple[str, int], str]:
    """Where each row opens: an alert's page, a case, a referral, or for a fed record the page
    of its first subject (one query for all the records)."""
    out: dict[tuple[str, int], str] = {}
    names = {"alert": "web:alert", "investigation": "casework:case", "referral": "casework:referral"}
    for item in items:
        if item.kind in names:
            out[(item.kind, item.pk)] = reverse(names[item.kind], args=[item.pk])
    record_ids = {item.pk for item in items if item.kind == "record"}
    if record_ids:
        subjects = visible(user, EventSubject.objects.filter(version__record_id__in=record_ids,
                                                             person__person_membership__isnull=False))
        for record_id, person_id in subjects.order_by("version__recorded_at", "pk").values_list(
                "version__record_id", "person__person_membership__person_id"):
            out.setdefault(("record", record_id), reverse("web:person", args=[person_id]))
    return out
