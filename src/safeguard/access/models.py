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


class BreakGlass(models.Model):
    """A user's time-boxed, reasoned opening of records outside their scope.

    The grant names objects by kind and id (as Restriction does); a Policy that opts in with
    `grant_path` admits them for this user until `expires_at`. Information security reviews
    every use and closes it with a note.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_uses")
    subject_type = models.CharField(max_length=40, help_text="What the user asked to open, e.g. 'person'.")
    subject_id = models.BigIntegerField()
    reason = models.TextField()
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    review_note = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "break-glass uses"
        indexes = [models.Index(fields=["user", "expires_at"], name="break_glass_user_expiry"),
                   models.Index(fields=["reviewed_at"], name="break_glass_review")]

    def __str__(self) -> str:
        return f"break-glass by {self.user} on {self.subject_type} {self.subject_id}"


class BreakGlassObject(models.Model):
    """One object a break-glass use opened (e.g. each source record of the person)."""

    grant = models.ForeignKey(BreakGlass, on_delete=models.CASCADE, related_name="opened")
    kind = models.CharField(max_length=40, help_text="e.g. 'record'")
    object_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "object_id"], name="break_glass_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
