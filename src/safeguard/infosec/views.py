"""The information-security pages. Views are adapters: each calls one selector or service.

Pages for information security only answer 404 to everyone else, like any object they may not
see. Break-glass and the subject-access export need a fresh re-authentication.
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeguard.accounts.reauth import require_recent_auth
from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.errors import PermissionDenied, SafeguardError

from . import selectors
from .breakglass import break_glass_open, break_glass_review, open_uses
from .forms import BreakGlassForm, RetentionDecisionForm, RetentionScheduleForm, ReviewForm
from .retention import due_reviews, retention_decide, retention_schedule

#: rows of the "who has seen" page; the CSV export has every row
PAGE_ROWS = 200


def _require_infosec(user) -> None:
    if not selectors.is_information_security(user):
        raise Http404("Not found")


@login_required
@require_GET
def dashboard(request):
    _require_infosec(request.user)
    return render(request, "infosec/dashboard.html", _dashboard_context(request.user))


def _dashboard_context(user, **extra) -> dict:
    return {"uses": list(open_uses(user=user)), "unusual": selectors.unusual_access(),
            "failed": selectors.failed_sign_ins(), "chain": selectors.chain_status(),
            "review_form": ReviewForm(), **extra}


@login_required
@require_POST
def break_glass_review_view(request, use_id: int):
    _require_infosec(request.user)
    form = ReviewForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            break_glass_review(actor=request.user, use_id=use_id, note=form.cleaned_data["note"])
        except PermissionDenied:
            raise Http404("Not found") from None
        except SafeguardError as exc:
            error = str(exc)
        else:
            return redirect(reverse("infosec:dashboard"))
    return render(request, "infosec/dashboard.html",
                  _dashboard_context(request.user, review_form=form, review_error=error, review_use=use_id), status=400)


@login_required
@require_recent_auth()
@require_http_methods(["GET", "POST"])
def break_glass(request):
    form = BreakGlassForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            use = break_glass_open(actor=request.user, person_id=form.cleaned_data["person"],
                                   reason=form.cleaned_data["reason"])
        except SafeguardError as exc:
            error = str(exc)
        else:
            return redirect(reverse("web:person", args=[use.subject_id]))
    return render(request, "infosec/break_glass.html",
                  {"form": form, "error": error, "minutes": settings.BREAK_GLASS_MINUTES},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def who_has_seen(request, person_id: int):
    entries = selectors.person_entries(user=request.user, person_id=person_id)
    rows = list(entries[:PAGE_ROWS])
    audit_log(actor=request.user, action=Action.CONSULTATION, object_type="person", object_ids=[person_id],
              details={"page": "who-has-seen", "rows": len(rows)})
    return render(request, "infosec/who_has_seen.html", {"person_id": person_id, "rows": rows,
                                                         "more": len(rows) == PAGE_ROWS})


CSV_HEADER = ["seq", "when", "action", "by", "organisation", "about", "ids", "to whom", "why"]


@login_required
@require_recent_auth()
@require_GET
def who_has_seen_csv(request, person_id: int):
    entries = list(selectors.person_entries(user=request.user, person_id=person_id))
    # The export is itself a disclosure, for a subject access request; logged before it leaves.
    audit_log(actor=request.user, action=Action.DISCLOSURE, object_type="person", object_ids=[person_id],
              recipient="subject access request", details={"export": "who-has-seen", "rows": len(entries)})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person_id}-who-has-seen.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for entry in entries:
        writer.writerow([entry.seq, entry.at.isoformat(), entry.get_action_display(), entry.actor_label,
                         entry.organisation_label, entry.object_type, " ".join(entry.object_ids),
                         entry.recipient, _csv_safe(entry.justification)])
    return response


def _csv_safe(text: str) -> str:
    # A reason typed by a user must not run as a formula when the CSV is opened in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---- retention (MoPI) ------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def retention(request):
    """The queue of reviews due, and (POST) placing a person's records in a MoPI group."""
    _require_infosec(request.user)
    form = RetentionScheduleForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            retention_schedule(actor=request.user, person_id=data["person"], group=data["group"],
                               from_date=data["from_date"])
        except SafeguardError as exc:
            error = str(exc)
        else:
            return redirect(reverse("infosec:retention"))
    return _retention_page(request, schedule_form=form, error=error,
                           status=400 if request.method == "POST" else 200)


def _retention_page(request, *, status: int = 200, **extra) -> HttpResponse:
    context = {"reviews": list(due_reviews(user=request.user)), "decision_form": RetentionDecisionForm(),
               "schedule_form": RetentionScheduleForm(), **extra}
    return render(request, "infosec/retention.html", context, status=status)


@login_required
@require_recent_auth()
@require_POST
def retention_decide_view(request, review_id: int):
    _require_infosec(request.user)
    form = RetentionDecisionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            retention_decide(actor=request.user, review_id=review_id, decision=form.cleaned_data["decision"],
                             reason=form.cleaned_data["reason"])
        except SafeguardError as exc:
            error = str(exc)
        else:
            return redirect(reverse("infosec:retention"))
    return _retention_page(request, decision_form=form, error=error, decided=review_id, status=400)
