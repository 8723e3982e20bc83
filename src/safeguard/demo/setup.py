"""The demo force's organisations, sources, sharing and one user per role."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import Organisation, Team, User
from safeguard.accounts.otp import DEVICE_NAME
from safeguard.accounts.roles import ROLES
from safeguard.audit_trail.services import Action, audit_log
from safeguard.records.models import Source

ORGANISATIONS = {
    "police": ("Northshire Police", Organisation.Kind.POLICE),
    "csc": ("Northshire Children's Services", Organisation.Kind.CHILDRENS_SERVICES),
    "health": ("Northshire Health NHS Trust", Organisation.Kind.HEALTH),
    "education": ("Northshire Schools", Organisation.Kind.EDUCATION),
    "probation": ("Northshire Probation Service", Organisation.Kind.PROBATION),
}
SOURCES = {"police": "police", "visor": "police", "csc": "csc", "health": "health", "education": "education",
           "probation": "probation"}
# The multi-agency safeguarding hub: every partner shares with the police and children's social care.
HUB = ("police", "csc")
ROLE_HOMES = {"mash_officer": "csc", "partner_practitioner": "health"}
TEAMS = {"police": ["Child Protection North", "Child Protection South", "Management of Sex Offenders",
                    "Missing Persons", "Online Child Abuse"], "csc": ["Front Door (MASH)"]}


@transaction.atomic
def demo_setup() -> tuple[str, list[User]]:
    """Create (or reset) the demo organisations and users; returns the users' shared password."""
    orgs = {code: Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for code, (name, kind) in ORGANISATIONS.items()}
    for code, org in orgs.items():
        org.shares_with.set([orgs[h] for h in HUB if h != code])
    for source, org_code in SOURCES.items():
        Source.objects.update_or_create(code=source, defaults={"organisation": orgs[org_code]})
    teams = {name: Team.objects.get_or_create(organisation=orgs[code], name=name)[0]
             for code, names in TEAMS.items() for name in names}
    password = "-".join(secrets.token_hex(3) for _ in range(3))
    # Hashed once for all the users who share it: each Argon2 hash costs about half a second of CPU.
    hashed = make_password(password)
    # One authenticator key for all demo users, so one entry in an authenticator app (or
    # `oathtool --totp -b KEY`, or `safeguard totp_code USERNAME`) signs in as any of them.
    totp_key = secrets.token_hex(20)
    users = []
    for role in ROLES:
        username = f"demo-{role.code.replace('_', '-')}"
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = "Demo", role.label
        user.organisation = orgs[ROLE_HOMES.get(role.code, "police")]
        user.is_superuser = role.code == "administrator"
        # Information security manages restrictions in the admin (their role's permissions).
        user.is_staff = role.code in ("administrator", "information_security")
        user.password = hashed
        user.save()
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=totp_key, confirmed=True)
        user.groups.set([Group.objects.get(name=role.code)])
        home_team = "Front Door (MASH)" if user.organisation == orgs["csc"] else "Child Protection North"
        if user.organisation_id in (orgs["police"].id, orgs["csc"].id):
            user.teams.set([teams[home_team]])
        if role.code == "supervisor":
            teams["Child Protection North"].supervisors.add(user)
        users.append(user)
    audit_log(actor=None, actor_label="demo setup", action=Action.ALTERATION, object_type="user",
              object_ids=[u.pk for u in users], details={"reason": "demo users created or reset"})
    return password, users
