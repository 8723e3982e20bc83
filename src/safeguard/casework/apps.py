import datetime as dt

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "safeguard.casework"
    label = "casework"

    def ready(self) -> None:
        from django.db.models import Q

        from safeguard.access.policy import Policy, register
        from safeguard.core.navigation import register_nav
        from safeguard.core.ticks import register_tick

        from . import (
            models,
            rules,  # noqa: F401 - registers SUPERVISION-DUE and INVESTIGATION-STALE
            services,
        )
        from .access import works_cases

        # Casework is need-to-know: the owning organisation only, never the partners it shares
        # fed records with. Within the force, casework.access narrows further by team and role.
        register(models.Investigation, Policy(owner_path="organisation", shared=False))
        for related in (models.InvestigationSubject, models.InvestigationLog, models.SupervisoryReview, models.Action,
                        models.Bail):
            register(related, Policy(owner_path="investigation__organisation", shared=False))
        # A partner sees the referrals addressed to their organisation, and nothing else of the case.
        register(models.Referral, Policy(owner_path="investigation__organisation", shared=False,
                                         widen=lambda user: Q(to_organisation_id=getattr(user, "organisation_id", None))))

        # Overdue partner referrals are escalated by the running clock (`safeguard clock`).
        register_tick("referral escalation", lambda: services.escalate_overdue_referrals(), every=dt.timedelta(minutes=1))

        register_nav("Cases", "casework:mine", order=20, visible=works_cases, prefixes=("/cases/",))
        register_nav("Referrals", "casework:referrals", order=25,
                     visible=lambda user: user.has_role("partner_practitioner") and not works_cases(user))
