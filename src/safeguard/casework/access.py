"""Who sees and does what in casework, within the force.

The access layer (`safeguard.access.policy`, registered in apps.py) admits a case to its own
organisation only. Inside the force a case is need-to-know, decided here:

| who | sees | may work on it | may supervise and sign off closure |
|---|---|---|---|
| superuser (the system's operators) | every case | no | no |
| senior leader | every case of their force | no | yes |
| inspector | every case of their force, read-only | no | no |
| supervisor | cases of teams they supervise or belong to, and cases they lead | yes | teams they supervise |
| other force roles (investigator, MASH officer, ...) | cases of their teams, cases they lead, cases where they own an action | yes (inspectors, analysts excepted) | no |
| partner practitioner | no case; only referrals addressed to their organisation | answer those referrals | no |

One rule, two questions: `case_scope` is the filter, `can_see_case` asks it for one case, and
the tests prove they agree.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from safeguard.access.policy import sees_everything, visible

from .models import Investigation

FORCE_WIDE_READERS = ("senior_leader", "inspector")
CASE_WORKERS = ("investigator", "supervisor", "mash_officer", "missing_coordinator", "offender_manager")


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def works_cases(user) -> bool:
    """Whether the user has a casework role (the "Cases" pages)."""
    return _active(user) and (user.is_superuser or user.has_role(*CASE_WORKERS, *FORCE_WIDE_READERS))


def case_scope(user) -> Q:
    """Within what the access layer admits, the cases this user may see."""
    if sees_everything(user) or user.has_role(*FORCE_WIDE_READERS):
        return Q()
    if not user.has_role(*CASE_WORKERS):
        return Q(pk__in=[])
    teams = set(user.teams.values_list("id", flat=True)) | set(user.supervised_teams.values_list("id", flat=True))
    return Q(team_id__in=teams) | Q(officer_id=user.pk) | Q(pk__in=_action_cases(user))


def _action_cases(user) -> QuerySet:
    from .models import Action

    return Action.objects.filter(owner_id=user.pk).values("investigation_id")


def visible_cases(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = Investigation.objects.all() if queryset is None else queryset
    if not _active(user):
        return qs.none()
    return visible(user, qs).filter(case_scope(user))


def can_see_case(user, investigation: Investigation) -> bool:
    return visible_cases(user, Investigation.objects.filter(pk=investigation.pk)).exists()


def get_case(user, pk: int) -> Investigation:
    """One case the user may see, or 404: "not allowed" and "does not exist" look the same."""
    try:
        return visible_cases(user).select_related("team", "officer", "organisation").get(pk=pk)
    except Investigation.DoesNotExist:
        raise Http404("Not found") from None


def is_case_supervisor(user, investigation: Investigation) -> bool:
    """Supervisors of the case's team, and the force's senior leaders."""
    if not can_see_case(user, investigation):
        return False
    if user.has_role("senior_leader"):
        return True
    return user.has_role("supervisor") and user.supervised_teams.filter(pk=investigation.team_id).exists()


def can_work_on(user, investigation: Investigation) -> bool:
    """Record activity, set actions, change stage: case workers who may see the case."""
    return _active(user) and user.has_role(*CASE_WORKERS) and can_see_case(user, investigation)
