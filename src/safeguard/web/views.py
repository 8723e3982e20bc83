"""The practitioner's pages. Views are adapters: parse the request, call one selector or one
service, log the consultation, render."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from safeguard.alerts.services import alert_acknowledge, alert_assign, alert_resolve, alerts_bulk_assign
from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.calendar import end_of_day
from safeguard.core.clock import now
from safeguard.core.errors import PermissionDenied, SafeguardError

from . import selectors
from .forms import (
    AsOfForm,
    AssignForm,
    BulkAssignForm,
    ChronologyFilterForm,
    QueueFilterForm,
    ResolveForm,
    RevealForm,
    SearchForm,
    SignInForm,
)
from .selectors import alerts as alert_selectors
from .selectors import people as people_selectors
from .selectors import places as place_selectors
from .selectors import queue as queue_selectors
from .selectors import reveal as reveal_selectors
from .selectors import search as search_selectors
from .words import SEVERITY_ORDER


def _consulted(user, object_type: str, ids, **details) -> None:
    """Every view of a person, place or alert is a consultation in the audit trail (DPA 2018 s62)."""
    audit_log(actor=user, action=Action.CONSULTATION, object_type=object_type, object_ids=[str(i) for i in ids],
              details=details)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def signed_in(view):
    """login_required, except that an htmx request whose session has ended is sent to the sign-in
    page as a whole page (HX-Redirect), not given the sign-in form to swap into the alert."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and _is_htmx(request):
            back = request.headers.get("HX-Current-URL", "")
            parts = urlsplit(back)
            path = (parts.path + (f"?{parts.query}" if parts.query else "")) if back else reverse("web:queue")
            response = HttpResponse()
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': path})}"
            return response
        return guarded(request, *args, **kwargs)

    return wrapper


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# ---- sign in, account ------------------------------------------------------------------------

class SignInView(auth_views.LoginView):
    """First step of signing in: username and password (django-axes locks a username out after
    five failures). The user is then signed in but has not passed the second factor, so
    accounts.middleware.SecondFactorMiddleware sends every page on to the code (or enrolment)
    page, which returns to `next`."""

    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from safeguard.core.middleware import ENDED_MESSAGES

        return super().get_context_data(
            **kwargs, oidc_enabled=settings.OIDC_ENABLED, oidc_provider_name=settings.OIDC_PROVIDER_NAME,
            ended_message=ENDED_MESSAGES.get(self.request.GET.get("ended", "")))

    def form_valid(self, form):
        from safeguard.accounts.views import audit_access

        response = super().form_valid(form)
        audit_access(self.request, step="password")
        return response

    def form_invalid(self, form):
        from safeguard.accounts.views import audit_access

        # A locked-out try is recorded by the lockout page (accounts.views.locked_out).
        if form.data.get("username") and not getattr(self.request, "axes_locked_out", False):
            audit_access(self.request, step="password", outcome="denied", reason="wrong username or password",
                         username=form.data["username"][:150])
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    """Signs out on POST only (Django refuses GET), so a link or an image cannot sign anyone out."""


@login_required
def account(request):
    from safeguard.accounts.otp import confirmed_device

    return render(request, "web/account.html", {"role_labels": selectors.role_labels_for(request.user),
                                                "authenticator": confirmed_device(request.user)})


# ---- work queue ------------------------------------------------------------------------------

def _queue_filters(params) -> queue_selectors.QueueFilters:
    severity = params.get("severity", "")
    return queue_selectors.QueueFilters(
        rule=params.get("rule", "")[:40], severity=severity if severity in SEVERITY_ORDER else "",
        overdue=params.get("overdue") in ("1", "on", "true"), team=params.get("team", "")[:20],
        area=params.get("area", "")[:100], subject=params.get("subject", "")[:100])


def _render_queue(request, *, bulk_form: BulkAssignForm | None = None) -> HttpResponse:
    filters = _queue_filters(request.GET)
    queue = queue_selectors.work_queue(request.user, tab=request.GET.get("tab", ""), filters=filters,
                                       page=request.GET.get("page", 1), memo=request.session)
    filter_form = QueueFilterForm(request.GET or None, rules=queue.rule_choices, teams=queue.team_choices,
                                  areas=queue.area_choices)
    filter_form.is_valid()  # only to show the chosen values back; filters are read leniently above
    _consulted(request.user, "alert", [row.alert.pk for row in queue.rows], page="queue")
    return render(request, "web/queue.html", {
        "queue": queue, "filters": filters, "filter_form": filter_form, "bulk_form": bulk_form,
        "selected": request.POST.getlist("alerts") if bulk_form is not None else [],
        "next": request.get_full_path() if request.method == "GET" else _safe_next(request, reverse("web:queue")),
    })


@login_required
@require_GET
def queue(request):
    return _render_queue(request)


def _queue_item(request, alert_id: int, *, message: str = "", resolve_form: ResolveForm | None = None,
                assign_error: str = "", error: str = "") -> HttpResponse:
    row = queue_selectors.queue_row(request.user, alert_id)
    return render(request, "web/partials/queue_item.html", {
        "row": row, "moment": now(),
        "assignees": queue_selectors.assignees_for(request.user),
        "can_bulk_assign": queue_selectors.is_supervisor(request.user),
        "resolve_form": resolve_form, "assign_error": assign_error, "error": error, "message": message,
        "next": _safe_next(request, reverse("web:queue")), "swapped": True,
    })


def _after_action(request, alert_id: int, *, message: str = "", resolve_form: ResolveForm | None = None,
                  assign_error: str = "", error: str = "") -> HttpResponse:
    """In place (htmx): the alert's item again, with what happened. Without JavaScript: back to
    where the form was, or the alert page with the error."""
    if _is_htmx(request):
        return _queue_item(request, alert_id, message=message, resolve_form=resolve_form, assign_error=assign_error,
                           error=error)
    if message:
        messages.success(request, message)
        return redirect(_safe_next(request, reverse("web:alert", args=[alert_id])))
    return _render_alert(request, alert_id, resolve_form=resolve_form, assign_error=assign_error, error=error,
                         consult=False)


@signed_in
@require_POST
def acknowledge(request, alert_id: int):
    alert = queue_selectors.alert_for_action(request.user, alert_id)
    try:
        alert_acknowledge(alert=alert, actor=request.user)
    except PermissionDenied:
        raise Http404("Not found") from None
    except SafeguardError as exc:
        return _after_action(request, alert_id, error=str(exc))
    return _after_action(request, alert_id, message="You acknowledged this alert. It is assigned to you.")


@signed_in
@require_POST
def assign(request, alert_id: int):
    alert = queue_selectors.alert_for_action(request.user, alert_id)
    form = AssignForm(request.POST, assignees=queue_selectors.assignees_for(request.user))
    if not form.is_valid():
        return _after_action(request, alert_id, assign_error=form.errors["assignee"][0])
    person = queue_selectors.assignee(request.user, form.cleaned_data["assignee"])
    if person is None:
        return _after_action(request, alert_id, assign_error="Select someone from the list")
    try:
        alert_assign(alert=alert, actor=request.user, assignee=person)
    except PermissionDenied:
        raise Http404("Not found") from None
    except SafeguardError as exc:
        return _after_action(request, alert_id, assign_error=str(exc))
    who = "you" if person == request.user else person.display_name
    return _after_action(request, alert_id, message=f"This alert is now assigned to {who}.")


@signed_in
@require_POST
def resolve(request, alert_id: int):
    alert = queue_selectors.alert_for_action(request.user, alert_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            alert_resolve(alert=alert, actor=request.user, rationale=form.cleaned_data["rationale"])
        except PermissionDenied:
            raise Http404("Not found") from None
        except SafeguardError as exc:
            form.add_error("rationale", str(exc).rstrip("."))
    if form.errors:
        return _after_action(request, alert_id, resolve_form=form)
    return _after_action(request, alert_id, message="You resolved this alert. Your reason is kept with it.")


@login_required
@require_POST
def bulk_assign(request):
    if not queue_selectors.is_supervisor(request.user):
        raise DjangoPermissionDenied
    raw_ids = [int(v) for v in request.POST.getlist("alerts") if v.isdigit()]
    form = BulkAssignForm(request.POST, assignees=queue_selectors.assignees_for(request.user), alert_ids=raw_ids)
    if not form.is_valid():
        return _render_queue(request, bulk_form=form)
    alerts = queue_selectors.alerts_for_bulk(request.user, form.cleaned_data["alerts"])
    person = queue_selectors.assignee(request.user, form.cleaned_data["assignee"])
    if person is None:
        form.add_error("assignee", "Select someone from the list")
        return _render_queue(request, bulk_form=form)
    try:
        count = alerts_bulk_assign(alerts=alerts, actor=request.user, assignee=person)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except SafeguardError as exc:
        form.add_error("assignee", str(exc).rstrip("."))
        return _render_queue(request, bulk_form=form)
    messages.success(request, f"{count} alert{'s' if count != 1 else ''} assigned to {person.display_name}.")
    return redirect(_safe_next(request, reverse("web:queue")))


# ---- alert page ------------------------------------------------------------------------------

def _render_alert(request, alert_id: int, *, resolve_form=None, assign_error: str = "", error: str = "",
                  consult: bool = True) -> HttpResponse:
    page = alert_selectors.alert_page(request.user, alert_id)
    if consult:
        _consulted(request.user, "alert", [page.alert.pk], page="alert")
    return render(request, "web/alert.html", {
        "page": page, "moment": page.moment, "row": page, "resolve_form": resolve_form, "assign_error": assign_error,
        "error": error, "assignees": queue_selectors.assignees_for(request.user),
        "next": reverse("web:alert", args=[alert_id]),
        "has_errors": bool(error or assign_error or (resolve_form is not None and resolve_form.errors)),
    })


@login_required
@require_GET
def alert(request, alert_id: int):
    return _render_alert(request, alert_id)


# ---- as of -----------------------------------------------------------------------------------

def _as_of(request) -> tuple[dt.datetime | None, dt.date | None, AsOfForm]:
    """The moment a page shows: the end of the day asked for (?as_of=YYYY-MM-DD, or the GOV.UK
    date input's day, month and year), or now."""
    data = {k: request.GET.get(f"as_of-{k}", "") for k in ("day", "month", "year")}
    text = request.GET.get("as_of", "")
    if not any(data.values()) and text:
        try:
            day = dt.date.fromisoformat(text)
            data = {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
        except ValueError:
            data = {"day": "", "month": "", "year": text[:4] or "x"}
    form = AsOfForm(data)
    if form.is_valid() and form.cleaned_data["date"]:
        day = form.cleaned_data["date"]
        return end_of_day(day) - dt.timedelta(microseconds=1), day, form
    return None, None, form


def _person_context(request, person_id: int, section: str):
    moment, day, as_of_form = _as_of(request)
    header = people_selectors.person_header(request.user, person_id, moment)
    return header, {"person": header, "moment": moment, "as_of_day": day, "as_of_form": as_of_form,
                    "section": section, "as_of_query": f"?as_of={day.isoformat()}" if day else ""}


def _merged(request, person_id: int, name: str):
    survivor = people_selectors.current_person_id(person_id)
    if survivor != person_id:
        query = request.GET.urlencode()
        return redirect(reverse(name, args=[survivor]) + (f"?{query}" if query else ""))
    return None


@login_required
@require_GET
def person(request, person_id: int):
    if moved := _merged(request, person_id, "web:person"):
        return moved
    header, context = _person_context(request, person_id, "summary")
    context["page"] = people_selectors.person_summary(request.user, header, context["moment"])
    _consulted(request.user, "person", [header.id], page="person", as_of=str(context["as_of_day"] or ""))
    return render(request, "web/person.html", context)


@login_required
@require_GET
def person_chronology(request, person_id: int):
    if moved := _merged(request, person_id, "web:person-chronology"):
        return moved
    header, context = _person_context(request, person_id, "chronology")
    options = people_selectors.chronology_options(request.user, header, context["moment"])
    form = ChronologyFilterForm(request.GET or None, types=options.types, sources=options.sources)
    filters = form.cleaned_data if form.is_valid() else {}
    context.update(filter_form=form, page=people_selectors.chronology(
        request.user, header, context["moment"], filters=filters, page=request.GET.get("page", 1)))
    _consulted(request.user, "person", [header.id], page="chronology", as_of=str(context["as_of_day"] or ""))
    return render(request, "web/person_chronology.html", context)


@login_required
@require_GET
def person_network(request, person_id: int):
    if moved := _merged(request, person_id, "web:person-network"):
        return moved
    header, context = _person_context(request, person_id, "network")
    context["network"] = people_selectors.network(request.user, header, context["moment"])
    _consulted(request.user, "person", [n.id for n in context["network"].people], page="network",
               as_of=str(context["as_of_day"] or ""))
    return render(request, "web/person_network.html", context)


@login_required
@require_GET
def person_network_json(request, person_id: int):
    header, context = _person_context(request, person_id, "network")
    graph = people_selectors.network(request.user, header, context["moment"])
    _consulted(request.user, "person", [n.id for n in graph.people], page="network-data",
               as_of=str(context["as_of_day"] or ""))
    return JsonResponse(graph.as_cytoscape(as_of_query=context["as_of_query"]))


@login_required
@require_GET
def person_records(request, person_id: int):
    if moved := _merged(request, person_id, "web:person-records"):
        return moved
    header, context = _person_context(request, person_id, "records")
    context["page"] = people_selectors.source_records(request.user, header, context["moment"])
    _consulted(request.user, "person", [header.id], page="records", as_of=str(context["as_of_day"] or ""))
    return render(request, "web/person_records.html", context)


# ---- places ----------------------------------------------------------------------------------

@login_required
@require_GET
def place(request, place_id: int):
    survivor = place_selectors.current_place_id(place_id)
    if survivor != place_id:
        return redirect(reverse("web:place", args=[survivor]) + (f"?{request.GET.urlencode()}" if request.GET else ""))
    moment, day, as_of_form = _as_of(request)
    page = place_selectors.place_page(request.user, place_id, moment)
    _consulted(request.user, "location", [place_id], page="place", as_of=str(day or ""))
    return render(request, "web/place.html", {"page": page, "moment": moment, "as_of_day": day,
                                              "as_of_form": as_of_form,
                                              "as_of_query": f"?as_of={day.isoformat()}" if day else ""})


# ---- search ----------------------------------------------------------------------------------

@login_required
@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = search_selectors.search(request.user, name=data["name"], dob=data["dob"], address=data["address"],
                                          identifier=data["identifier"])
        # Who was looked up is kept; what was typed is not (it is personal data).
        _consulted(request.user, "person", [p.id for p in results.people], page="search",
                   fields=[f for f in ("name", "dob", "address", "identifier") if data.get(f)],
                   results=len(results.people))
        if results.places:
            _consulted(request.user, "location", [p.id for p in results.places], page="search")
    return render(request, "web/search.html", {"form": form, "results": results})


# ---- restricted fields -----------------------------------------------------------------------

@signed_in
@require_POST
def reveal(request):
    form = RevealForm(request.POST)
    if not form.is_valid():
        if "object_type" in form.errors or "record" in form.errors:
            raise Http404("Not found")
        return render(request, "web/partials/reveal.html" if _is_htmx(request) else "web/reveal.html",
                      {"form": form, "object_type": request.POST.get("object_type"),
                       "record": request.POST.get("record"), "next": _safe_next(request, reverse("web:queue"))})
    data = form.cleaned_data
    revealed = reveal_selectors.revealed_fields(request.user, data["object_type"], data["record"])
    # "person_record" (not "person"): the id is a source record's, not a resolved person's, so
    # "who has seen this child" can tell the two apart.
    audit_log(actor=request.user, action=Action.CONSULTATION, object_type=f"{data['object_type']}_record",
              object_ids=[str(data["record"])], justification=data["reason"],
              details={"reveal": revealed.restricted})
    return render(request, "web/partials/reveal.html" if _is_htmx(request) else "web/reveal.html",
                  {"revealed": revealed, "object_type": data["object_type"], "record": data["record"],
                   "next": _safe_next(request, reverse("web:queue"))})
