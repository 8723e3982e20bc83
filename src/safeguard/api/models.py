"""Tokens for partner systems: each scoped to one organisation and the sources it may write."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

from safeguard.accounts.models import Organisation

TOKEN_PREFIX = "sgp_"  # noqa: S105 - a marker, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class PartnerToken(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="e.g. 'police-records-system'")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tokens")
    sources = models.JSONField(default=list, help_text='Source names this system may write, e.g. ["police"].')
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False, help_text="The first characters, to tell tokens apart.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def issue(self) -> str:
        """Set a new random secret and return it: the only time it is ever shown."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.key_hash = hash_token(raw)
        self.key_hint = raw[:10]
        return raw

    @property
    def actor_label(self) -> str:
        return f"token:{self.name}"


class RequestCount(models.Model):
    """Requests made with one token in one minute: the rate limit's counter, kept in the
    database so that every process of the server counts together."""

    token = models.ForeignKey(PartnerToken, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "minute"], name="request_count_token_minute")]

    def __str__(self) -> str:
        return f"{self.count} request(s) at {self.minute:%H:%M}"
