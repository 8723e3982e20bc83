"""Single sign-on with the force's OpenID Connect identity provider (mozilla-django-oidc).

Only users an administrator has already created can sign on: the provider's user is matched to
one active local user by email address, or failing that by username (the ``preferred_username``
claim); nobody is created here, so signing on can never make a privileged account.

Second factor: when the ID token says the provider used a second factor of its own (its
``amr`` claim, RFC 8176, holds one of settings.OIDC_MFA_AMR, e.g. "mfa", "otp", "hwk"), that
satisfies Safeguard's second factor for the session. Otherwise the user is sent on to enter a
Safeguard TOTP code (and to enrol one at first), exactly as after a password.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from safeguard.audit_trail.services import Action, Outcome, audit_log

from .otp import IDP_MFA_SESSION_KEY


def idp_second_factor(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return any(method in settings.OIDC_MFA_AMR for method in amr)


class SafeguardOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(is_active=True)
        email = (claims.get("email") or "").strip()
        if email and claims.get("email_verified", True):
            by_email = users.filter(email__iexact=email)
            if by_email.exists():
                return by_email
        username = (claims.get("preferred_username") or "").strip()
        return users.filter(username=username) if username else self.UserModel.objects.none()

    def verify_claims(self, claims) -> bool:
        # The default insists on an email claim; a username is enough to find the local account.
        return bool(claims.get("email") or claims.get("preferred_username"))

    def create_user(self, claims):
        return None  # never reached with OIDC_CREATE_USER = False; refused here as well

    def verify_token(self, token, **kwargs):
        # mozilla-django-oidc checks the signature and nonce but not the audience: refuse an ID
        # token the provider issued to some other application.
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        if self.OIDC_RP_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
            raise SuspiciousOperation("The ID token was issued to another client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            audit_log(actor=None, actor_label=str(payload.get("preferred_username") or payload.get("sub", "unknown"))[:150],
                      action=Action.ACCESS, object_type="session", outcome=Outcome.DENIED,
                      details={"step": "single sign-on", "reason": "no active local account"})
            return None
        second_factor = idp_second_factor(payload)
        # Read by SecondFactorMiddleware; login() keeps session data when the session had no user.
        self.request.session[IDP_MFA_SESSION_KEY] = user.pk if second_factor else None
        audit_log(actor=user, action=Action.ACCESS, object_type="session",
                  details={"step": "single sign-on", "provider second factor": second_factor})
        return user

    def get_user(self, user_id):
        # mozilla-django-oidc's own get_user would keep a switched-off account signed in.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
