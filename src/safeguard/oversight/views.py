"""The oversight pages: four dashboards, the list behind each figure, and exports. Views are
adapters: parse the filters, call one selector, render (or export, which is audited)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from safeguard.accounts.reauth import require_recent_auth
from safeguard.audit_trail.services import Action, audit_log

from . import selectors
from .dashboards import PAGES
from .exports import FORMATS, export
from .filters import FilterForm

TABS = (("backlogs", "Backlogs and delays"), ("compliance", "Compliance"), ("alerts", "Alerts"),
        ("partners", "Partners"))
PAGE_SIZE = 100


def overseer(view):
    """Signed in, and in a role that sees dashboards; anyone else is told the page does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.may_oversee(request.user):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper


def _form(request: HttpRequest) -> FilterForm:
    areas, teams = selectors.filter_choices(request.user)
    return FilterForm(request.GET, areas=areas, teams=teams)


def _context(request: HttpRequest, page: str, form: FilterForm) -> dict:
    return {"tabs": TABS, "page": page, "form": form}


def _dashboard(request: HttpRequest, page: str) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "oversight/dashboard.html", _context(request, page, form), status=400)
    filters = form.filters()
    board = selectors.dashboard(request.user, page, filters)
    return render(request, "oversight/dashboard.html", {
        **_context(request, page, form), "board": board, "filters": filters, "query": filters.query(),
        "charts": board.chart_data()})


@require_GET
@overseer
def backlogs(request):
    return _dashboard(request, "backlogs")


@require_GET
@overseer
def compliance(request):
    return _dashboard(request, "compliance")


@require_GET
@overseer
def alerts(request):
    return _dashboard(request, "alerts")


@require_GET
@overseer
def partners(request):
    return _dashboard(request, "partners")


@require_GET
@overseer
def figure(request, page: str):
    """The rows behind one figure (`?measure=code` with the dashboard's filters)."""
    if page not in PAGES:
        raise Http404("No such dashboard")
    form = _form(request)
    if not form.is_valid():
        return render(request, "oversight/dashboard.html", _context(request, page, form), status=400)
    filters = form.filters()
    board = selectors.dashboard(request.user, page, filters)
    label, items = selectors.figure_rows(board, request.GET.get("measure", "")[:200])
    shown = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_log(actor=request.user, action=Action.CONSULTATION, object_type=f"oversight_{shown.object_list[0].kind}"
              if shown.object_list else "oversight_figure", object_ids=[i.pk for i in shown.object_list],
              details={"dashboard": page, "measure": request.GET.get("measure", "")[:200]})
    return render(request, "oversight/figure.html", {
        **_context(request, page, form), "filters": filters, "label": label, "total": len(items), "shown": shown,
        "rows": _with_links(request.user, list(shown.object_list)), "query": filters.query(),
        "measure": request.GET.get("measure", "")[:200]})


def _with_links(user, items: list) -> list[tuple]:
    urls = selectors.links(user, items)
    return [(item, urls.get((item.kind, item.pk))) for item in items]


@require_GET
@overseer
@require_recent_auth()
def export_view(request, page: str, fmt: str):
    if page not in PAGES or fmt not in FORMATS:
        raise Http404("No such export")
    form = _form(request)
    if not form.is_valid():
        return render(request, "oversight/dashboard.html", _context(request, page, form), status=400)
    filters = form.filters()
    board = selectors.dashboard(request.user, page, filters)
    response = HttpResponse(export(board=board, filters=filters, fmt=fmt, actor=request.user),
                            content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="oversight-{page}-{filters.moment:%Y%m%d}.{fmt}"'
    return response
