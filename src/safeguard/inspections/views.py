"""The inspection pages. Views are adapters: parse the request, call one selector or one service,
log the consultation, render. Refusals look like "not found"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safeguard.audit_trail.services import Action, audit_log
from safeguard.core.errors import PermissionDenied, SafeguardError
from safeguard.web.views import signed_in

from . import permissions, report, selectors, services
from .forms import (
    ActionUpdateForm,
    ExerciseForm,
    PlanActionForm,
    PublishForm,
    RecommendationForm,
    SettleForm,
    grading_form,
)
from .models import Framework, PlanAction


def _consulted(user, object_type: str, ids, **details) -> None:
    audit_log(actor=user, action=Action.CONSULTATION, object_type=object_type, object_ids=[str(i) for i in ids],
              details=details)


def _fail(form, error: SafeguardError) -> None:
    if isinstance(error, PermissionDenied):
        raise Http404("Not found") from error
    form.add_error(None, str(error))


@signed_in
def exercise_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.exercises(request.user))
    _consulted(request.user, "inspections.exercise", [e.pk for e in rows], page="list")
    return render(request, "inspections/list.html", {"exercises": rows, "may_lead": permissions.may_lead(request.user)})


def _exercise_form(user, data=None) -> ExerciseForm:
    from safeguard.accounts.models import Team

    services.ensure_default_framework()
    organisations = permissions.auditable_organisations(user)
    return ExerciseForm(data, organisations=organisations, frameworks=Framework.objects.order_by("code", "-version"),
                        teams=Team.objects.filter(organisation__in=organisations).select_related("organisation"),
                        auditors=selectors.possible_auditors(user))


@signed_in
def exercise_new(request: HttpRequest) -> HttpResponse:
    if not permissions.may_lead(request.user):
        raise Http404("Not found")
    form = _exercise_form(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ex = services.exercise_create(
                actor=request.user, title=data["title"], organisation=data["organisation"], framework=data["framework"],
                period_start=data["period_start"], period_end=data["period_end"], case_types=data["case_types"],
                teams=data["teams"], sample_size=data["sample_size"], seed=data["seed"],
                moderation_percent=data["moderation_percent"], auditors=data["auditors"])
        except SafeguardError as error:
            _fail(form, error)
        else:
            messages.success(request, "Exercise set up. Draw the sample when you are ready.")
            return redirect("inspections:exercise", ex.pk)
    return render(request, "inspections/new.html", {"form": form})


@signed_in
def exercise_detail(request: HttpRequest, exercise_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    _consulted(request.user, "inspections.exercise", [ex.pk])
    return _render_exercise(request, ex)


def _render_exercise(request, ex, *, error: str = "", publish_form=None) -> HttpResponse:
    return render(request, "inspections/exercise.html", {
        "exercise": ex, "rows": selectors.sample(ex), "strata": selectors.strata_rows(ex),
        "outstanding": services.outstanding(ex), "is_lead": permissions.is_lead(request.user, ex),
        "reads_cases": permissions.may_read_case_files(request.user, ex), "error": error,
        "auditors": list(ex.auditors.order_by("username")), "publish_form": publish_form or PublishForm()})


@signed_in
@require_POST
def exercise_draw(request: HttpRequest, exercise_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    try:
        cases = services.exercise_draw_sample(exercise=ex, actor=request.user)
    except PermissionDenied as error:
        raise Http404("Not found") from error
    except SafeguardError as error:
        return _render_exercise(request, ex, error=str(error))
    messages.success(request, f"{len(cases)} case files drawn and shared among the auditors.")
    return redirect("inspections:exercise", ex.pk)


@signed_in
def case_audit(request: HttpRequest, exercise_id: int, case_id: int) -> HttpResponse:
    """The audit form beside a read-only view of the case file; every opening is logged."""
    page = selectors.case_file(request.user, exercise_id, case_id)
    form = grading_form(_criteria(page), request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grades = {c.pk: (data[f"grade_{c.pk}"], data[f"comment_{c.pk}"]) for c in _criteria(page)}
        try:
            services.case_audit_submit(case=page.case, actor=request.user, overall_grade=data["overall_grade"],
                                       rationale=data["rationale"], grades=grades)
        except SafeguardError as error:
            _fail(form, error)
        else:
            messages.success(request, f"Grades for {page.investigation.reference} saved.")
            return redirect("inspections:exercise", exercise_id)
    if request.method == "GET":
        _consulted(request.user, "casework.investigation", [page.investigation.pk], via="inspection",
                   exercise=page.exercise.pk, sampled_case=page.case.pk)
    return _render_case(request, page, form)


def _criteria(page) -> list:
    return [c for t in page.topics for c in t.criteria.all()]


def _render_case(request, page, form, *, settle_form=None, settle_error: str = "") -> HttpResponse:
    return render(request, "inspections/case.html", {
        "page": page, "form": form, "settle_form": settle_form or SettleForm(), "settle_error": settle_error,
        "is_lead": permissions.is_lead(request.user, page.exercise), "criteria_rows": _criteria_rows(page, form)})


def _criteria_rows(page, form) -> list[tuple]:
    """Each topic with its criteria, their form fields and what each auditor graded them."""
    graded = {kind: {g.criterion_id: g for g in audit.grades.all()} for kind, audit in page.audits.items()}
    return [(topic, [(c, form[f"grade_{c.pk}"], form[f"comment_{c.pk}"], graded.get("first", {}).get(c.pk),
                      graded.get("moderation", {}).get(c.pk)) for c in topic.criteria.all()])
            for topic in page.topics]


@signed_in
@require_POST
def case_settle(request: HttpRequest, exercise_id: int, case_id: int) -> HttpResponse:
    page = selectors.case_file(request.user, exercise_id, case_id)
    form = SettleForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.case_settle(case=page.case, actor=request.user, grade=form.cleaned_data["grade"],
                                 note=form.cleaned_data["note"])
        except PermissionDenied as denied:
            raise Http404("Not found") from denied
        except SafeguardError as refused:
            error = str(refused)
        else:
            messages.success(request, "Disagreement settled.")
            return redirect("inspections:exercise", exercise_id)
    else:
        error = "Choose the agreed grade and record how the disagreement was settled"
    return _render_case(request, page, grading_form(_criteria(page)), settle_form=form, settle_error=error)


@signed_in
@require_POST
def exercise_publish(request: HttpRequest, exercise_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.exercise_publish(exercise=ex, actor=request.user, summary=form.cleaned_data["summary"])
        except SafeguardError as error:
            _fail(form, error)
        else:
            messages.success(request, "Report published. The action plan is due in 6 weeks.")
            return redirect("inspections:report", ex.pk)
    return _render_exercise(request, ex, publish_form=form)


@signed_in
def exercise_report(request: HttpRequest, exercise_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    context = report.context(request.user, ex)
    _consulted(request.user, "inspections.exercise", [ex.pk], page="report")
    return render(request, "inspections/report.html", context)


@signed_in
def exercise_report_pdf(request: HttpRequest, exercise_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    pdf = report.pdf(request.user, ex, base_url=request.build_absolute_uri("/"))
    audit_log(actor=request.user, action=Action.DISCLOSURE, object_type="inspections.exercise", object_ids=[ex.pk],
              recipient=request.user.get_username(), details={"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="inspection-{ex.pk}.pdf"'
    return response


@signed_in
def action_plan(request: HttpRequest, exercise_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    _consulted(request.user, "inspections.exercise", [ex.pk], page="action plan")
    return _render_plan(request, ex)


def _render_plan(request, ex, *, failed=None) -> HttpResponse:
    """The plan with a form per recommendation and per action (prefixed, so their ids differ);
    `failed` is a submitted form with errors, shown in place of its blank one."""
    owners = selectors.force_users(ex)
    plan = selectors.plan(request.user, ex)
    rec_form, action_forms, update_forms = RecommendationForm(owners=owners), {}, {}
    for view in plan.recommendations:
        action_forms[view.recommendation.pk] = PlanActionForm(owners=owners, prefix=f"rec-{view.recommendation.pk}")
        for a in view.actions:
            update_forms[a.pk] = ActionUpdateForm(prefix=f"action-{a.pk}")
    if isinstance(failed, RecommendationForm):
        rec_form = failed
    elif isinstance(failed, PlanActionForm):
        action_forms[int(failed.prefix.split("-")[1])] = failed
    elif isinstance(failed, ActionUpdateForm):
        update_forms[int(failed.prefix.split("-")[1])] = failed
    return render(request, "inspections/plan.html", {
        "exercise": ex, "plan": plan, "manages": permissions.may_manage_plan(request.user, ex), "failed": failed,
        "rec_form": rec_form, "action_forms": action_forms, "update_forms": update_forms,
        "may_update": {a.pk for r in plan.recommendations for a in r.actions
                       if permissions.may_update_action(request.user, a)}})


@signed_in
@require_POST
def recommendation_add(request: HttpRequest, exercise_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    form = RecommendationForm(request.POST, owners=selectors.force_users(ex))
    if form.is_valid():
        try:
            rec = services.recommendation_add(exercise=ex, actor=request.user, **form.cleaned_data)
        except SafeguardError as error:
            _fail(form, error)
        else:
            messages.success(request, f"Recommendation {rec.number} added.")
            return redirect(reverse("inspections:plan", args=[ex.pk]) + f"#recommendation-{rec.number}")
    return _render_plan(request, ex, failed=form)


@signed_in
@require_POST
def plan_action_add(request: HttpRequest, exercise_id: int, number: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    rec = selectors.recommendation(request.user, ex, number)
    form = PlanActionForm(request.POST, owners=selectors.force_users(ex), prefix=f"rec-{rec.pk}")
    if form.is_valid():
        try:
            services.plan_action_add(recommendation=rec, actor=request.user, **form.cleaned_data)
        except SafeguardError as error:
            _fail(form, error)
        else:
            messages.success(request, f"Action added to recommendation {rec.number}.")
            return redirect(reverse("inspections:plan", args=[ex.pk]) + f"#recommendation-{rec.number}")
    return _render_plan(request, ex, failed=form)


@signed_in
@require_POST
def plan_action_update(request: HttpRequest, exercise_id: int, action_id: int) -> HttpResponse:
    ex = selectors.exercise(request.user, exercise_id)
    action: PlanAction = selectors.plan_action(request.user, ex, action_id)
    form = ActionUpdateForm(request.POST, prefix=f"action-{action.pk}")
    if form.is_valid():
        try:
            services.plan_action_update(action=action, actor=request.user, **form.cleaned_data)
        except SafeguardError as error:
            _fail(form, error)
        else:
            messages.success(request, "Action updated.")
            return redirect(reverse("inspections:plan", args=[ex.pk]) + f"#recommendation-{action.recommendation.number}")
    return _render_plan(request, ex, failed=form)
