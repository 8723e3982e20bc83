"""Which organisation and team must act on an alert: a partnership's routes, else by the kind
of organisation that owns the duty in law or guidance."""

from __future__ import annotations

from safeguard.accounts.models import Organisation

from .models import AlertRoute

CSC_RULES = {"NEW-ADULT-PLAN", "RHI-72H", "REFERRAL-DECISION", "ASSESSMENT-45", "ICPC-15", "CP-REVIEW", "CP-VISIT"}


class Router:
    def __init__(self):
        self.routes = {r.rule: (r.organisation_id, r.team_id) for r in AlertRoute.objects.all()}
        self.by_kind = {}
        for org_id, kind in Organisation.objects.order_by("pk").values_list("id", "kind"):
            self.by_kind.setdefault(kind, org_id)

    def owner(self, rule: str) -> tuple[int | None, int | None]:
        if rule in self.routes:
            return self.routes[rule]
        kind = Organisation.Kind.CHILDRENS_SERVICES if rule in CSC_RULES else Organisation.Kind.POLICE
        return self.by_kind.get(kind), None
