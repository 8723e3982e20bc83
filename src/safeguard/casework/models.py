"""Child protection investigations (case files) held in Safeguard itself, with their clocks.

Their "as of" comes from their own history: every change is an `InvestigationLog` entry with
the moment it was recorded, so the state of a case at a past moment (its stage, risk level,
supervision, activity) is read from the log, never from the current columns alone. The columns
on `Investigation` are the current state, kept for fast lists and dashboards.

`version` supports optimistic concurrency: a form carries the version it was read at, and a
save from an older version is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safeguard.accounts.models import Organisation, Team
from safeguard.linkage.models import ResolvedLocation, ResolvedPerson

USER = settings.AUTH_USER_MODEL


class Investigation(models.Model):
    class Category(models.TextChoices):
        NEGLECT = "neglect", "Neglect"
        PHYSICAL = "physical", "Physical abuse"
        SEXUAL = "sexual", "Sexual abuse"
        EMOTIONAL = "emotional", "Emotional abuse"
        EXPLOITATION = "exploitation", "Child exploitation"
        ONLINE = "online", "Online child abuse"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        MISSING = "missing", "Missing child"

    class Risk(models.TextChoices):
        STANDARD = "standard", "Standard"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Stage(models.TextChoices):
        REFERRAL = "referral", "Referral"
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
        SECTION_47 = "section_47", "Section 47 enquiry"
        CRIMINAL_INVESTIGATION = "criminal_investigation", "Criminal investigation"
        OUTCOME = "outcome", "Outcome"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        CHARGED = "charged", "Charged"
        CAUTIONED = "cautioned", "Cautioned"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        OTHER = "other", "Other"

    class Origin(models.TextChoices):
        ALERT = "alert", "An alert"
        REFERRAL = "referral", "A referral"
        MANUAL = "manual", "Opened by hand"

    reference = models.CharField(max_length=32, unique=True, help_text="e.g. CP-2026-000123")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    risk_level = models.CharField(max_length=10, choices=Risk.choices)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.REFERRAL)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="investigations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="investigations")
    officer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="investigations",
                                help_text="The officer in charge.")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    opened_from_alert = models.ForeignKey("alerts.Alert", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="investigations")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_rationale = models.TextField(blank=True)
    closure_rationale = models.TextField(blank=True)
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closure_requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closure_signed_off_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    #: the latest recorded activity of any kind (denormalised from the log for lists and INVESTIGATION-STALE)
    last_activity_at = models.DateTimeField()
    #: the latest supervisory review (denormalised for lists and SUPERVISION-DUE)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["organisation", "team", "closed_at"], name="inv_owner_open"),
            models.Index(fields=["officer", "closed_at"], name="inv_officer_open"),
            models.Index(fields=["opened_at"], name="inv_opened"),
            models.Index(fields=["category", "stage"], name="inv_category_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class InvestigationSubject(models.Model):
    class Role(models.TextChoices):
        CHILD = "child", "Child"
        SUSPECT = "suspect", "Suspect"
        VICTIM = "victim", "Victim (adult)"
        PARENT_CARER = "parent_carer", "Parent or carer"
        OTHER = "other", "Other"

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey(ResolvedPerson, on_delete=models.PROTECT, related_name="investigation_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    added_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investigation", "person", "role"], name="inv_subject_once")]
        indexes = [models.Index(fields=["person"], name="inv_subject_person")]

    def __str__(self) -> str:
        return f"{self.investigation_id}: person {self.person_id} ({self.role})"


class InvestigationLog(models.Model):
    """Every activity on a case, in recorded time: the case's history and its "as of"."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        NOTE = "note", "Activity"
        STAGE = "stage", "Stage changed"
        RISK = "risk", "Risk level changed"
        ASSIGNED = "assigned", "Officer in charge changed"
        SUBJECT = "subject", "Subjects changed"
        ACTION = "action", "Action set"
        ACTION_DONE = "action_done", "Action done"
        REVIEW = "review", "Supervisory review"
        BAIL = "bail", "Bail or release under investigation"
        REFERRAL = "referral", "Referral to a partner"
        REFERRAL_RESPONSE = "referral_response", "Partner's response"
        OUTCOME = "outcome", "Outcome recorded"
        CLOSURE_REQUESTED = "closure_requested", "Closure requested"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(help_text="When this was recorded.")
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    #: machine-readable detail, e.g. {"from": "medium", "to": "high"} for a risk change
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["investigation", "at"], name="inv_log_at")]

    def __str__(self) -> str:
        return f"{self.investigation_id} {self.at:%Y-%m-%d %H:%M} {self.kind}"


class SupervisoryReview(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    scope = models.TextField(help_text="What was reviewed.")
    rationale = models.TextField()

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["investigation", "reviewed_at"], name="inv_review_at")]

    def __str__(self) -> str:
        return f"review of {self.investigation_id} at {self.reviewed_at:%Y-%m-%d}"


class Action(models.Model):
    """An action on a case, with an owner and a deadline. A supervisor's direction is an action
    set by a review (`review` is then filled)."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="actions")
    review = models.ForeignKey(SupervisoryReview, null=True, blank=True, on_delete=models.CASCADE, related_name="directions")
    description = models.TextField()
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="case_actions")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["owner", "done_at", "due_at"], name="inv_action_owner")]

    def __str__(self) -> str:
        return f"action on {self.investigation_id} due {self.due_at:%Y-%m-%d}"


class Bail(models.Model):
    """Pre-charge bail or release under investigation of a suspect (PACE as amended in 2022).
    An extension is a new row whose `extends` points at the period it extends."""

    class Kind(models.TextChoices):
        PRE_CHARGE_BAIL = "pre_charge_bail", "Pre-charge bail"
        RUI = "rui", "Released under investigation"

    class Authority(models.TextChoices):
        CUSTODY_OFFICER = "custody_officer", "Custody officer (up to 3 months)"
        INSPECTOR = "inspector", "Inspector (up to 6 months)"
        SUPERINTENDENT = "superintendent", "Superintendent (up to 9 months)"
        COURT = "court", "Magistrates' court (beyond 9 months)"

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="bails")
    suspect = models.ForeignKey(ResolvedPerson, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Pre-charge bail only.")
    authority = models.CharField(max_length=20, choices=Authority.choices, blank=True)
    authorised_by = models.CharField(max_length=200, blank=True)
    extends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="extensions")
    conditions = models.TextField(blank=True)
    residence_address = models.CharField(max_length=300, blank=True)
    residence_location = models.ForeignKey(ResolvedLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    residence_verified_at = models.DateTimeField(null=True, blank=True)
    residence_verified_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["expires_on"], name="inv_bail_expires")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of person {self.suspect_id}"


class Referral(models.Model):
    """A referral from a case to a partner agency: what is shared and why, and the answer."""

    class Agency(models.TextChoices):
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        PROBATION = "probation", "Probation"

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted: action taken"
        INFORMATION_ONLY = "information_only", "Noted: information only"
        DECLINED = "declined", "Declined"
        MORE_INFORMATION = "more_information", "More information needed"

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="referrals")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_received")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    subjects = models.ManyToManyField(ResolvedPerson, blank=True, related_name="+")
    shared = models.TextField(help_text="What is shared.")
    reason = models.TextField(help_text="Why it is shared (the lawful basis and the purpose).")
    request = models.TextField(help_text="What the partner is asked to do.")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    response_due_at = models.DateTimeField()
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["to_organisation", "responded_at"], name="inv_referral_to"),
            models.Index(fields=["sent_at"], name="inv_referral_sent"),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk} to {self.to_organisation_id}"
