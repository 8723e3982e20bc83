from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "safeguard.inspections"
    label = "inspections"

    def ready(self) -> None:
        from safeguard.access.policy import Policy, register
        from safeguard.core.navigation import register_nav

        from . import models
        from .permissions import may_use

        # An exercise belongs to the force audited (need-to-know, not shared with partners), and is
        # also seen by the inspectors who lead or audit it, whatever organisation they are from.
        for model, path in ((models.Exercise, ""), (models.SampledCase, "exercise__"),
                            (models.CaseAudit, "case__exercise__"), (models.CriterionGrade, "audit__case__exercise__"),
                            (models.Recommendation, "exercise__"), (models.PlanAction, "recommendation__exercise__")):
            register(model, Policy(owner_path=f"{path}organisation", shared=False, widen=_assigned(path)))
        register_nav("Inspections", "inspections:list", order=70, visible=may_use)


def _assigned(path: str):
    from django.db.models import Q

    def widen(user) -> Q:
        return Q(**{f"{path}auditors": user.pk}) | Q(**{f"{path}lead": user.pk})

    return widen
