"""Alerts: something a named team must look at or do by a time (shared/spec/rules.md, "Alerts").

The machine part of an alert (raised, due, closed as satisfied or lapsed) is derived from the
records by the rule engine and rewritten by every evaluation; the human part (acknowledged,
assigned, resolved with a rationale) is kept on the same row and never rewritten. Status "as
of T" is computed from both (selectors.status_as_of).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safeguard.accounts.models import Organisation, Team
from safeguard.records.models import SourceRecord


class Partnership(models.Model):
    """A safeguarding partnership: the organisations of an area, whose settings and routing apply."""

    name = models.CharField(max_length=200, unique=True)
    organisations = models.ManyToManyField(Organisation, related_name="partnerships")
    settings = models.JSONField(default=dict, blank=True,
                                help_text='Overrides of the rule settings, e.g. {"missing_repeat_days": 28}.')

    def __str__(self) -> str:
        return self.name


class AlertRoute(models.Model):
    """Which organisation (and team) must act on a rule's alerts in a partnership."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="routes")
    rule = models.CharField(max_length=40)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "rule"], name="alertroute_one_per_rule")]

    def __str__(self) -> str:
        return f"{self.rule} -> {self.team or self.organisation}"


class Alert(models.Model):
    class Severity(models.TextChoices):
        CRITICAL = "critical"
        HIGH = "high"
        MEDIUM = "medium"
        LOW = "low"

    rule = models.CharField(max_length=40)
    key = models.CharField(max_length=300)
    raised_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When the records closed it (satisfied or lapsed).")
    close_reason = models.CharField(max_length=10, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    summary = models.TextField(help_text="In full, as the system reader sees it; people see summaries.render_summary.")
    summary_parts = models.JSONField(default=list, blank=True,
                                     help_text="The summary as text and parts naming the records each detail came from.")
    owner_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "key", "raised_at"], name="alert_one_per_raise")]
        indexes = [
            models.Index(fields=["raised_at"], name="alert_raised"),
            models.Index(fields=["closed_at"], name="alert_closed"),
            models.Index(fields=["owner_organisation", "owner_team"], name="alert_owner"),
            # Oversight (issue 6): Encompass notifications due in a period.
            models.Index(fields=["rule", "due_at"], name="alert_rule_due"),
            # The work queue (issue 10): open alerts in queue order (web/selectors/queue.py, _ordered and
            # _QueueOrderIds: severity rank as SEVERITY_RANK there, then due time, raised time, id).
            models.Index(models.Case(*[models.When(severity=s, then=models.Value(i))
                                       for i, s in enumerate(("critical", "high", "medium", "low"))],
                                     default=models.Value(4), output_field=models.IntegerField()),
                         models.F("due_at"), models.F("raised_at"), models.F("id"),
                         condition=models.Q(closed_at__isnull=True, resolved_at__isnull=True),
                         name="alert_open_queue"),
            # Alerts resolved after a moment asked about (few: people resolve them), for the queue.
            models.Index(fields=["resolved_at"], condition=models.Q(resolved_at__isnull=False), name="alert_resolved"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} raised {self.raised_at:%Y-%m-%d %H:%M}"

    @property
    def touched_by_people(self) -> bool:
        return bool(self.acknowledged_at or self.resolved_at or self.assigned_to_id)


class AlertSeverity(models.Model):
    """The alert's severity from `since` until the next row (rules.md: severity is as of the
    moment asked). Rewritten with the machine part by every evaluation."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="severities")
    since = models.DateTimeField()
    severity = models.CharField(max_length=10, choices=Alert.Severity.choices)

    class Meta:
        indexes = [models.Index(fields=["alert", "since"], name="alertseverity_alert_since")]

    def __str__(self) -> str:
        return f"{self.severity} since {self.since}"


class AlertSubject(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="subjects")
    person_id = models.BigIntegerField(help_text="Resolved person id (negative: a source record linkage has not placed).")
    role = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["person_id"], name="alertsubject_person")]

    def __str__(self) -> str:
        return f"{self.role} {self.person_id}"


class AlertEvidence(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="evidence")
    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"evidence {self.record_id}"


class AlertHistory(models.Model):
    """What people did to an alert: acknowledged, assigned, resolved; by whom, when."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.action} at {self.at}"


class EvaluationState(models.Model):
    """How far in recorded time the stored alert history has been brought up to date."""

    evaluated_until = models.DateTimeField(null=True)
    evaluated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"evaluated until {self.evaluated_until}"
