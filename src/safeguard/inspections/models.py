"""Case-file audits: frameworks of graded criteria, exercises that sample and grade case files,
moderation, recommendations and their action plan.

A framework version in use by an exercise never changes: editing one makes a new version
(services.framework_new_version), so an exercise's grades always mean what its auditors saw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safeguard.accounts.models import Organisation, Team
from safeguard.casework.models import Investigation

USER = settings.AUTH_USER_MODEL


class Grade(models.TextChoices):
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class Framework(models.Model):
    """One version of a set of criteria. `code` names the framework across its versions."""

    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    #: the case types (Investigation categories) it is for; empty: every case type
    case_types = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="framework_version_once")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def in_use(self) -> bool:
        return self.exercises.exists()


class Topic(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="topics")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300)
    guidance = models.TextField(blank=True, help_text="What good looks like.")

    class Meta:
        ordering = ["topic__order", "topic_id", "order", "pk"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.text


class Exercise(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Not sampled yet"
        AUDITING = "auditing", "Auditing"
        PUBLISHED = "published", "Report published"

    title = models.CharField(max_length=200)
    #: the force whose case files are audited; the exercise and everything in it belongs to it
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="inspection_exercises")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="exercises")
    period_start = models.DateField(help_text="Cases opened on or after this day.")
    period_end = models.DateField(help_text="Cases opened on or before this day.")
    case_types = models.JSONField(default=list, blank=True, help_text="Investigation categories; empty: all.")
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    sample_size = models.PositiveIntegerField()
    seed = models.BigIntegerField(help_text="Drawing again with the same seed and cases gives the same sample.")
    moderation_percent = models.PositiveIntegerField(default=20, help_text="Share of the sample a second auditor grades.")
    lead = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="led_exercises")
    auditors = models.ManyToManyField(USER, related_name="inspection_exercises")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    #: the population the sample was drawn from, by stratum: {"neglect|high": [population, drawn], ...}
    strata = models.JSONField(default=dict, blank=True)
    population = models.PositiveIntegerField(default=0)
    sampled_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="The report's overall findings.")
    published_at = models.DateTimeField(null=True, blank=True)
    action_plan_due_on = models.DateField(null=True, blank=True)
    revisit_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status"], name="exercise_org_status")]

    def __str__(self) -> str:
        return self.title


class SampledCase(models.Model):
    """A case file drawn into an exercise, its auditors, and the settled grade when they disagreed."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="cases")
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(help_text="Order in the sample.")
    stratum = models.CharField(max_length=40, help_text="case type|risk level when drawn")
    auditor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moderator = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settled_grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    settled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settled_at = models.DateTimeField(null=True, blank=True)
    settlement_note = models.TextField(blank=True)

    class Meta:
        ordering = ["exercise", "position"]
        constraints = [models.UniqueConstraint(fields=["exercise", "investigation"], name="sample_case_once")]

    def __str__(self) -> str:
        return f"{self.exercise_id}#{self.position}"


class CaseAudit(models.Model):
    """One auditor's grading of one sampled case: the first audit, or the moderator's."""

    class Kind(models.TextChoices):
        FIRST = "first", "Audit"
        MODERATION = "moderation", "Moderation"

    case = models.ForeignKey(SampledCase, on_delete=models.CASCADE, related_name="audits")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    auditor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    overall_grade = models.CharField(max_length=20, choices=Grade.choices)
    rationale = models.TextField()
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="case_audit_once")]

    def __str__(self) -> str:
        return f"{self.kind} audit of {self.case_id}"


class CriterionGrade(models.Model):
    audit = models.ForeignKey(CaseAudit, on_delete=models.CASCADE, related_name="grades")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=20, choices=Grade.choices)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "criterion"], name="criterion_grade_once")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.grade}"


class Recommendation(models.Model):
    class Priority(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately"
        THREE_MONTHS = "3_months", "Within 3 months"
        SIX_MONTHS = "6_months", "Within 6 months"

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveIntegerField()
    text = models.TextField()
    priority = models.CharField(max_length=10, choices=Priority.choices)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                              help_text="The force's lead accountable for it.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["exercise", "number"]
        constraints = [models.UniqueConstraint(fields=["exercise", "number"], name="recommendation_number_once")]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class PlanAction(models.Model):
    """A step in the action plan towards a recommendation, with the evidence that it is done."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    evidence = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["recommendation", "due_on", "pk"]

    def __str__(self) -> str:
        return f"action {self.pk} on recommendation {self.recommendation_id}"
