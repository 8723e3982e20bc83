"""The review queue pages: adapters that call one selector or one service and render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.web.views import signed_in

from . import selectors
from .services import can_review, pair_decide, person_split


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("same", "The same person"), ("different", "Different people")],
                                 error_messages={"required": "Select whether these records are the same person"})
    reason = forms.CharField(min_length=10, max_length=2000, strip=True, error_messages={
        "required": "Write why you decided this",
        "min_length": "Write why you decided this (at least 10 characters): the reason is kept with the decision"})


class SplitForm(forms.Form):
    records = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={
        "required": "Select the records that are not this person"})
    reason = forms.CharField(min_length=10, max_length=2000, strip=True, error_messages={
        "required": "Write why these records are not this person",
        "min_length": "Write why these records are not this person (at least 10 characters)"})

    def __init__(self, *args, record_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = [(rid, str(rid)) for rid in record_ids]


def _reviewer(request: HttpRequest) -> None:
    # Other roles do not know the queue exists: not allowed looks like not found.
    if not can_review(request.user):
        raise Http404("Not found")


def _consulted(user, object_type: str, ids) -> None:
    audit_log(actor=user, action=Action.CONSULTATION, object_type=object_type, object_ids=[str(i) for i in ids])


@signed_in
def review_queue(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    queue = selectors.review_queue(user=request.user)
    _consulted(request.user, "person_pair", [row.review.pk for row in queue.rows])
    return render(request, "linkage/review_queue.html", {"queue": queue})


@signed_in
@require_http_methods(["GET", "POST"])
def review_pair(request: HttpRequest, review_id: int) -> HttpResponse:
    _reviewer(request)
    page = selectors.pair_page(user=request.user, review_id=review_id)
    form = DecisionForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        same = form.cleaned_data["decision"] == "same"
        try:
            pair_decide(review_id=review_id, actor=request.user, same_person=same,
                        reason=form.cleaned_data["reason"])
        except PermissionDenied as exc:
            raise Http404("Not found") from exc
        except SafeguardError as exc:
            error = str(exc)
        else:
            messages.success(request, "Decision saved: the records are now linked as the same person." if same
                             else "Decision saved: the records will be kept apart.")
            return redirect("linkage:review")
    _consulted(request.user, "person_pair", [review_id])
    return render(request, "linkage/review_pair.html", {"page": page, "form": form, "error": error,
                                                        "has_errors": bool(form.errors or error)})


@signed_in
@require_http_methods(["GET", "POST"])
def split(request: HttpRequest, person_id: int) -> HttpResponse:
    _reviewer(request)
    page = selectors.split_page(user=request.user, person_id=person_id)
    form = SplitForm(request.POST or None, record_ids=[r.record_id for r in page.records])
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = person_split(person_id=person_id, record_ids=set(form.cleaned_data["records"]),
                                  actor=request.user, reason=form.cleaned_data["reason"])
        except PermissionDenied as exc:
            raise Http404("Not found") from exc
        except SafeguardError as exc:
            error = str(exc)
        else:
            messages.success(request, "The records were split off and will be kept apart from this person.")
            kept = person_id if selectors.has_records(person_id) else min(result.changed_persons, default=None)
            return redirect("web:person", person_id=kept) if kept else redirect("linkage:review")
    _consulted(request.user, "resolved_person", [person_id])
    return render(request, "linkage/split.html", {"page": page, "form": form, "error": error,
                                                  "has_errors": bool(form.errors or error)})
