"""Who may do what in an inspection. Visibility of the objects themselves is the access layer's
(apps.py registers the policies); these answer the questions about roles and assignments."""

from __future__ import annotations

from safeguard.accounts.models import Organisation

#: who sees the Inspections pages at all
INSPECTION_ROLES = ("inspector", "senior_leader", "supervisor", "administrator")
#: who may set up an exercise
LEAD_ROLES = ("inspector", "senior_leader", "administrator")


def may_use(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.has_role(*INSPECTION_ROLES)))


def may_lead(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.has_role(*LEAD_ROLES)))


def auditable_organisations(user):
    """The forces a user may set an exercise up for: an inspector any police force, others their own."""
    if user.is_superuser or user.has_role("inspector"):
        return Organisation.objects.filter(kind="police").order_by("name")
    return Organisation.objects.filter(pk=user.organisation_id)


def is_lead(user, exercise) -> bool:
    return user.is_superuser or exercise.lead_id == user.pk


def is_auditor(user, exercise) -> bool:
    return exercise.auditors.filter(pk=user.pk).exists()


def may_read_case_files(user, exercise) -> bool:
    """Only the exercise's lead and auditors read its sampled case files."""
    return exercise.lead_id == user.pk or is_auditor(user, exercise)


def may_manage_plan(user, exercise) -> bool:
    """The lead, and the force's senior leaders, write recommendations and actions."""
    return is_lead(user, exercise) or (user.organisation_id == exercise.organisation_id and user.has_role("senior_leader"))


def may_update_action(user, action) -> bool:
    recommendation = action.recommendation
    return (action.owner_id == user.pk or recommendation.owner_id == user.pk
            or may_manage_plan(user, recommendation.exercise))
