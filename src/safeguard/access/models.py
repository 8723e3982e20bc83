"""Restriction: fields of a record masked for everyone outside an allow-list."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safeguard.accounts.models import Organisation


class Restriction(models.Model):
    """A restricted mark on one object (a child's placement address, a protected victim).

    The object is named by kind and id so this layer knows nothing of the domains. The listed
    fields are masked for every user not in the allow-list (users or whole organisations).
    """

    object_type = models.CharField(max_length=40, help_text="e.g. 'location', 'person', 'event'")
    object_id = models.BigIntegerField()
    fields = models.JSONField(help_text='Field names to mask, e.g. ["address", "postcode", "uprn"].')
    reason = models.TextField()
    allowed_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    allowed_organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="restriction_object")]

    def __str__(self) -> str:
        return f"restriction on {self.object_type} {self.object_id}"
