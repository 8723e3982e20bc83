"""Organisations, teams and users. Roles are Django groups (see roles.py): each a set of permissions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", "Police force"
        CHILDRENS_SERVICES = "childrens_services", "Local authority children's services"
        HEALTH = "health", "Health trust"
        EDUCATION = "education", "School or nursery"
        PROBATION = "probation", "Probation service"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    shares_with = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="receives_from",
        help_text="Organisations that may see this organisation's records (an information-sharing agreement).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    area = models.CharField(max_length=100, blank=True, help_text="The area the team covers, e.g. 'North'.")
    supervisors = models.ManyToManyField("User", blank=True, related_name="supervised_teams")

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, *codes: str) -> bool:
        # The role names read once, while the navigation asks (core.navigation.roles_read_once).
        known = getattr(self, "_role_names", None)
        if known is not None:
            return not known.isdisjoint(codes)
        return self.groups.filter(name__in=codes).exists()
