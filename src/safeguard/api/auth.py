from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer

from .models import PartnerToken, hash_token
from .ratelimit import count_request


class PartnerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the request then carries `request.partner_token`.
    Each authenticated request counts against the token's rate limit (429 beyond it)."""

    def authenticate(self, request, token: str):
        found = PartnerToken.objects.select_related("organisation").filter(
            key_hash=hash_token(token), active=True
        ).first()
        if found is None:
            return None
        count_request(found)
        PartnerToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.partner_token = found
        return found
