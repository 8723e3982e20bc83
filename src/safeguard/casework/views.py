"""Casework pages. Views are adapters: parse the form, call one selector or one service, log
the consultation, render. Services' refusals come back as GOV.UK error summaries."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from safeguard.access.policy import get_visible
from safeguard.alerts.models import Alert
from safeguard.audit_trail.services import Action as AuditAction
from safeguard.audit_trail.services import audit_log
from safeguard.core.clock import now
from safeguard.core.errors import PermissionDenied, SafeguardError

from . import forms, selectors, services
from .access import works_cases
from .models import Investigation, InvestigationSubject

FORM_METHODS = require_http_methods(["GET", "POST"])


def _consulted(user, object_type: str, ids, **details) -> None:
    """Every view of casework is a consultation in the audit trail (DPA 2018 s62)."""
    audit_log(actor=user, action=AuditAction.CONSULTATION, object_type=object_type, object_ids=[str(i) for i in ids],
              details=details)


def _case_worker(request: HttpRequest) -> None:
    if not works_cases(request.user):
        raise Http404("Not found")


def _case_url(case: Investigation, anchor: str = "") -> str:
    return reverse("casework:case", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _form_page(request: HttpRequest, form, *, case: Investigation | None, title: str, submit: str,
               run: Callable[[dict], str | tuple[str, str]], extra: dict | None = None) -> HttpResponse:
    """Validate, call the service through `run` (it returns the success message, and where to
    go when that is not the case page); or show the form again with the errors at the top."""
    if request.method == "GET" and case is not None:
        _consulted(request.user, "investigation", [case.pk], page=request.resolver_match.url_name)
    if request.method == "POST" and form.is_valid():
        try:
            done = run(form.cleaned_data)
        except services.EditConflict as conflict:
            form.add_error(None, str(conflict))
            case.refresh_from_db()
            form.data = form.data.copy()
            form.data["version"] = str(case.version)  # their words stay; saving again is now possible
            extra = {**(extra or {}), "conflict_case": case}
        except PermissionDenied:
            raise Http404("Not found") from None
        except SafeguardError as refusal:
            form.add_error(None, str(refusal))
        else:
            message, target = done if isinstance(done, tuple) else (done, _case_url(case))
            messages.success(request, message)
            return redirect(target)
    return render(request, "casework/form.html", {"form": form, "case": case, "title": title, "submit": submit,
                                                  "has_errors": bool(form.errors), **(extra or {})})


# ---- lists -----------------------------------------------------------------------------------

def _list(request: HttpRequest, tab: str) -> HttpResponse:
    _case_worker(request)
    page = selectors.case_list(request.user, tab=tab, page=request.GET.get("page", 1))
    _consulted(request.user, "investigation", [r.case.pk for r in page.page], page=f"cases-{tab}")
    return render(request, "casework/list.html", {"page": page})


@login_required
@require_GET
def mine(request):
    return _list(request, "mine")


@login_required
@require_GET
def team(request):
    return _list(request, "team")


# ---- opening and the case page ---------------------------------------------------------------------

@login_required
@FORM_METHODS
def open_case(request):
    _case_worker(request)
    alert = None
    alert_id = request.POST.get("alert") or request.GET.get("alert")
    if alert_id:
        if not str(alert_id).isdigit():
            raise Http404("Not found")
        alert = get_visible(request.user, Alert.objects.all(), pk=int(alert_id))
    teams = list(request.user.teams.filter(organisation_id=request.user.organisation_id))
    initial = {"alert": alert.pk if alert else None, "team": teams[0].pk if len(teams) == 1 else None,
               "title": alert.summary[:200] if alert else ""}
    form = forms.OpenCaseForm(request.POST or None, initial=initial, teams=teams)

    def run(data):
        team = next(t for t in teams if t.pk == data["team"])
        opened = services.investigation_open(actor=request.user, title=data["title"], category=data["category"],
                                             risk_level=data["risk_level"], team=team, summary=data["summary"], alert=alert)
        return f"Case {opened.reference} opened", _case_url(opened)

    return _form_page(request, form, case=None, title="Open an investigation", submit="Open the case", run=run,
                      extra={"alert": alert})


@login_required
@require_GET
def case(request, pk: int):
    page = selectors.case_page(request.user, pk)
    _consulted(request.user, "investigation", [page.case.pk], page="case")
    return render(request, "casework/case.html", {"page": page, "case": page.case})


@login_required
@FORM_METHODS
def edit(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    officers = selectors.colleagues(request.user)
    form = forms.EditCaseForm(request.POST or None, officers=officers, initial={
        "version": case.version, "title": case.title, "summary": case.summary, "risk_level": case.risk_level,
        "officer": case.officer_id})

    def run(data):
        officer = selectors.colleague(request.user, data["officer"])
        if officer is None:
            raise SafeguardError("Select the officer in charge from your organisation.")
        services.investigation_update(actor=request.user, investigation=case, version=data["version"], title=data["title"],
                                      summary=data["summary"], risk_level=data["risk_level"], officer=officer)
        return "Case details saved"

    return _form_page(request, form, case=case, title="Edit the case details", submit="Save", run=run)


@login_required
@FORM_METHODS
def activity(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    form = forms.ActivityForm(request.POST or None)

    def run(data):
        services.activity_record(actor=request.user, investigation=case, text=data["text"])
        return "Activity recorded"

    return _form_page(request, form, case=case, title="Record activity", submit="Record activity", run=run)


@login_required
@FORM_METHODS
def stage(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    stages = [(s, Investigation.Stage(s).label) for s in services.NEXT_STAGES.get(case.stage, ())]
    form = forms.StageForm(request.POST or None, stages=stages, initial={"version": case.version})

    def run(data):
        services.stage_change(actor=request.user, investigation=case, version=data["version"], stage=data["stage"],
                              note=data["note"])
        return f"Case moved to {Investigation.Stage(data['stage']).label.lower()}"

    return _form_page(request, form, case=case, title="Move the case on", submit="Save", run=run)


@login_required
@FORM_METHODS
def outcome(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    form = forms.OutcomeForm(request.POST or None, initial={"version": case.version})

    def run(data):
        services.outcome_record(actor=request.user, investigation=case, version=data["version"], outcome=data["outcome"],
                                rationale=data["rationale"])
        return "Outcome recorded"

    return _form_page(request, form, case=case, title="Record the outcome", submit="Record outcome", run=run)


@login_required
@FORM_METHODS
def closure(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    form = forms.ClosureForm(request.POST or None, initial={"version": case.version})

    def run(data):
        services.closure_request(actor=request.user, investigation=case, version=data["version"],
                                 rationale=data["rationale"])
        return "Closure requested: a supervisor must sign it off"

    return _form_page(request, form, case=case, title="Ask to close the case", submit="Request closure", run=run)


@login_required
@FORM_METHODS
def sign_off(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    form = forms.SignOffForm(request.POST or None, initial={"version": case.version})

    def run(data):
        services.closure_sign_off(actor=request.user, investigation=case, version=data["version"])
        return "Closure signed off: the case is closed"

    return _form_page(request, form, case=case, title="Sign off the closure", submit="Sign off and close the case", run=run,
                      extra={"sign_off": True})


@login_required
@FORM_METHODS
def subject_add(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    name = (request.POST.get("name") or request.GET.get("name") or "").strip()
    people = selectors.people_found(request.user, name)
    form = forms.SubjectForm(request.POST or None, initial={"name": name}, people=people,
                             roles=InvestigationSubject.Role.choices)

    def run(data):
        person = selectors.person_for_case(request.user, data["person"])
        services.subject_add(actor=request.user, investigation=case, person=person, role=data["role"])
        return "Person added to the case"

    return _form_page(request, form, case=case, title="Add a person to the case", submit="Add to the case", run=run,
                      extra={"person_search": True, "search_name": name, "searched": bool(name), "found": bool(people)})


# ---- actions and supervision ------------------------------------------------------------------

@login_required
@FORM_METHODS
def action_new(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    officers = selectors.colleagues(request.user)
    form = forms.ActionForm(request.POST or None, officers=officers)

    def run(data):
        owner = selectors.colleague(request.user, data["owner"])
        if owner is None:
            raise SafeguardError("Select the owner from your organisation.")
        services.action_add(actor=request.user, investigation=case, description=data["description"], owner=owner,
                            due_at=data["due_at"])
        return "Action set"

    return _form_page(request, form, case=case, title="Set an action", submit="Set action", run=run)


@login_required
@FORM_METHODS
def action_done(request, pk: int):
    action = selectors.action_for_work(request.user, pk)
    form = forms.DoneForm(request.POST or None)

    def run(data):
        services.action_complete(actor=request.user, action=action, note=data["note"])
        return "Action done"

    return _form_page(request, form, case=action.investigation, title="Mark the action done", submit="Mark as done",
                      run=run, extra={"action": action})


@login_required
@FORM_METHODS
def review(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    officers = list(selectors.colleagues(request.user))
    form = forms.ReviewForm(request.POST or None, officers=officers)

    def run(data):
        by_pk = {u.pk: u for u in officers}
        directions = [services.Direction(text, by_pk[owner], due) for text, owner, due in data["directions"]
                      if owner in by_pk]
        services.review_record(actor=request.user, investigation=case, scope=data["scope"], rationale=data["rationale"],
                               directions=directions)
        return "Supervisory review recorded" + (f" with {len(directions)} direction{'s' if len(directions) > 1 else ''}"
                                                if directions else "")

    return _form_page(request, form, case=case, title="Record a supervisory review", submit="Record review", run=run)


# ---- bail ------------------------------------------------------------------------------------

@login_required
@FORM_METHODS
def bail_new(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    suspects = selectors.case_people(request.user, case, InvestigationSubject.Role.SUSPECT)
    periods = selectors.bail_periods(request.user, case)
    form = forms.BailForm(request.POST or None, suspects=suspects, periods=[(b.pk, label) for b, label in periods])

    def run(data):
        extends = next((b for b, _ in periods if b.pk == data["extends"]), None)
        services.bail_record(
            actor=request.user, investigation=case, suspect=selectors.person(data["suspect"]),
            kind=data["kind"], starts_on=data["starts_on"], expires_on=data["expires_on"], authority=data["authority"],
            authorised_by=data["authorised_by"], conditions=data["conditions"],
            residence_address=data["residence_address"], extends=extends)
        return "Bail recorded"

    return _form_page(request, form, case=case, title="Record bail or release under investigation", submit="Record",
                      run=run)


@login_required
@FORM_METHODS
def bail_verify(request, pk: int):
    bail = selectors.bail_for_work(request.user, pk)
    form = forms.DoneForm(request.POST or None)

    def run(data):
        services.bail_verify_residence(actor=request.user, bail=bail)
        return "Residence address verified"

    return _form_page(request, form, case=bail.investigation, title="Verify the residence address", submit="Verified",
                      run=run, extra={"bail": bail, "verify": True})


# ---- referrals ---------------------------------------------------------------------------------

@login_required
@FORM_METHODS
def referral_new(request, pk: int):
    case = selectors.case_for_work(request.user, pk)
    organisations = list(selectors.partner_organisations())
    people = selectors.case_people(request.user, case)
    form = forms.ReferralForm(request.POST or None, organisations=organisations, people=people)

    def run(data):
        to = next(o for o in organisations if o.pk == data["to_organisation"])
        services.referral_send(actor=request.user, investigation=case, to_organisation=to, shared=data["shared"],
                               reason=data["reason"], request=data["request"], response_due_at=data["due_at"],
                               subjects=selectors.persons(data["subjects"]))
        return f"Referral sent to {to.name}"

    return _form_page(request, form, case=case, title="Refer to a partner", submit="Send referral", run=run)


@login_required
@require_GET
def referrals(request):
    rows = selectors.partner_referrals(request.user)
    _consulted(request.user, "referral", [r.pk for r in rows], page="referrals")
    return render(request, "casework/referrals.html", {"rows": rows, "now_moment": now()})


@login_required
@FORM_METHODS
def referral(request, pk: int):
    item = selectors.partner_referral(request.user, pk)
    form = forms.ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_respond(actor=request.user, referral=item, decision=form.cleaned_data["decision"],
                                      response=form.cleaned_data["response"])
        except PermissionDenied:
            raise Http404("Not found") from None
        except SafeguardError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Response sent")
            return redirect("casework:referral", pk=item.pk)
    _consulted(request.user, "referral", [item.pk], page="referral")
    return render(request, "casework/referral.html", {
        "referral": item, "subjects": selectors.referral_subjects(request.user, item), "form": form,
        "has_errors": bool(form.errors)})
