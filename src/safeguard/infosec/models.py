"""Retention reviews under the Management of Police Information (MoPI)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RetentionGroup(models.IntegerChoices):
    """The four MoPI review groups (College of Policing APP, Information management: Retention,
    review and disposal, https://www.college.police.uk/app/information-management/management-police-information/retention-review-and-disposal)."""

    PUBLIC_PROTECTION = 1, "Group 1: certain public protection matters (retain until 100 years of age)"
    SERIOUS = 2, "Group 2: other sexual, violent or serious offences (review every 10 years)"
    OTHER = 3, "Group 3: all other offences (review after 6 years)"
    UNDETERMINED = 4, "Group 4: undetermined (review now, to place it in a group)"


class Decision(models.TextChoices):
    RETAIN = "retain", "Retained"
    RESTRICT = "restrict", "Restricted"
    ERASE = "erase", "Erased"


class RetentionReview(models.Model):
    """One review of a resolved person's records, due on `due_on`; closed by a decision with a reason."""

    person_id = models.BigIntegerField(help_text="The resolved person whose records are reviewed.")
    group = models.PositiveSmallIntegerField(choices=RetentionGroup.choices)
    due_on = models.DateField()
    scheduled_at = models.DateTimeField()
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["decided_at", "due_on"], name="retention_queue")]

    def __str__(self) -> str:
        return f"retention review of person {self.person_id} due {self.due_on}"
