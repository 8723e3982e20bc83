"""What the web pages read. Every function takes the requesting user and reads through the
access layer: "does not exist" and "not allowed" are the same 404."""

from __future__ import annotations

from safeguard.accounts.models import User
from safeguard.accounts.roles import ROLES


def role_labels_for(user: User) -> list[str]:
    """The user's roles, by their readable names, in the catalogue's order."""
    held = set(user.groups.values_list("name", flat=True))
    return [role.label for role in ROLES if role.code in held]
