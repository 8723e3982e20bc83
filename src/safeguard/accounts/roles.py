"""The roles Safeguard knows, each a Django group holding a set of permissions.

Administrators may change a role's permissions in the admin; `sync_roles` only creates what is
missing, so their changes survive upgrades.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    permissions: tuple[str, ...]  # "app_label.codename"


VIEW_RECORDS = "records.view_sourcerecord"
LOAD_FEED = "records.load_feed"
VIEW_AUDIT = "audit_trail.view_auditentry"
# Restricting a record (a child's placement address, a protected victim) is information
# security's and the administrators' job, done in the admin (each change audited).
MANAGE_RESTRICTIONS = tuple(f"access.{verb}_restriction" for verb in ("view", "add", "change", "delete"))

ROLES: tuple[Role, ...] = (
    Role("investigator", "Investigator", (VIEW_RECORDS,)),
    Role("supervisor", "Supervisor", (VIEW_RECORDS,)),
    Role("offender_manager", "Offender manager", (VIEW_RECORDS,)),
    Role("missing_coordinator", "Missing-persons coordinator", (VIEW_RECORDS,)),
    Role("mash_officer", "Referral (MASH) officer", (VIEW_RECORDS,)),
    Role("partner_practitioner", "Partner practitioner", (VIEW_RECORDS,)),
    Role("analyst", "Analyst", (VIEW_RECORDS,)),
    Role("senior_leader", "Senior leader", (VIEW_RECORDS,)),
    Role("inspector", "Inspector", (VIEW_RECORDS,)),
    Role("information_security", "Information security officer", (VIEW_RECORDS, VIEW_AUDIT, *MANAGE_RESTRICTIONS)),
    Role("administrator", "Administrator", (VIEW_RECORDS, LOAD_FEED, VIEW_AUDIT, *MANAGE_RESTRICTIONS)),
)
ROLE_CODES = tuple(r.code for r in ROLES)


def sync_roles() -> None:
    """Create each role's group with its default permissions where the group does not exist yet."""
    from django.contrib.auth.models import Group, Permission

    for role in ROLES:
        group, created = Group.objects.get_or_create(name=role.code)
        if not created:
            continue
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                group.permissions.add(perm)
