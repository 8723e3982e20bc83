"""A partner system, acting through its token, is seen by the access layer as a member of the
token's organisation (never as a superuser)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from .models import PartnerToken


class TokenPrincipal(AnonymousUser):
    is_active = True
    is_superuser = False

    def __init__(self, token: PartnerToken):
        self.token = token
        self.organisation_id = token.organisation_id
        self.organisation = token.organisation

    @property
    def is_authenticated(self):
        return True

    def __str__(self) -> str:
        return self.token.actor_label
