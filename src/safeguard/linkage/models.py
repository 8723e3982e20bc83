"""Resolved persons and places: the sets of source records that linkage decided describe one
person or one place. Every source person/location record belongs to exactly one; ids stay
stable across runs (a merge keeps the oldest), and every change of membership is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safeguard.records.models import SourceRecord


class LinkageRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    mode = models.CharField(max_length=20, default="batch")  # batch, incremental
    engine = models.CharField(max_length=20, default="duckdb")
    model_version = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"linkage run {self.pk} ({self.mode})"


class ResolvedPerson(models.Model):
    created_at = models.DateTimeField()
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"person {self.pk}"


class ResolvedLocation(models.Model):
    created_at = models.DateTimeField()
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"location {self.pk}"


class PersonMembership(models.Model):
    record = models.OneToOneField(SourceRecord, primary_key=True, on_delete=models.PROTECT, related_name="person_membership")
    person = models.ForeignKey(ResolvedPerson, on_delete=models.PROTECT, related_name="memberships")
    since = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person"], name="personmember_person")]

    def __str__(self) -> str:
        return f"record {self.record_id} in person {self.person_id}"


class LocationMembership(models.Model):
    record = models.OneToOneField(SourceRecord, primary_key=True, on_delete=models.PROTECT, related_name="location_membership")
    location = models.ForeignKey(ResolvedLocation, on_delete=models.PROTECT, related_name="memberships")
    since = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["location"], name="locmember_location")]

    def __str__(self) -> str:
        return f"record {self.record_id} in location {self.location_id}"


class MembershipChange(models.Model):
    """History: a record moved from one resolved id to another (or joined its first), and why."""

    kind = models.CharField(max_length=10)  # person, location
    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    from_id = models.BigIntegerField(null=True)
    to_id = models.BigIntegerField()
    at = models.DateTimeField()
    run = models.ForeignKey(LinkageRun, null=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.kind} record {self.record_id}: {self.from_id} -> {self.to_id}"


class PairReview(models.Model):
    """A pair of person records in the uncertain band, and a reviewer's decision on it.
    A decision (`confirmed` or `split`) wins over every later run."""

    class Status(models.TextChoices):
        PENDING = "pending"
        CONFIRMED = "confirmed"
        SPLIT = "split"

    record_l = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    record_r = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    match_weight = models.FloatField(null=True)
    match_probability = models.FloatField(null=True)
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record_l", "record_r"], name="pairreview_pair")]
        indexes = [models.Index(fields=["status"], name="pairreview_status")]

    def __str__(self) -> str:
        return f"pair {self.record_l_id}-{self.record_r_id} ({self.status})"


class BlockingKey(models.Model):
    """The blocking keys of every current person record, for finding the held records an arriving
    one could link to (`candidates.person_scope`): for each of the model's blocking rules, the
    values a record brings to it (`engine.incremental.key_recipes`, held form), stored as a 60-bit
    hash of the key text. No foreign key: a batch run rewrites millions of rows, and the rows are
    kept in step with the records by the linkage runs themselves."""

    pk = models.CompositePrimaryKey("key", "record_id")
    key = models.BigIntegerField()
    record_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["record_id"], name="blockingkey_record")]

    def __str__(self) -> str:
        return f"key {self.key} of record {self.record_id}"


class BlockingKeyIndex(models.Model):
    """What the stored `BlockingKey` rows were made by (one row): the digest of the blocking
    rules' key recipes (`engine.incremental.keys_digest`). Another digest, or no row (a database
    linked before the keys were kept), and the next incremental run rebuilds them first."""

    digest = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True)
    run = models.ForeignKey(LinkageRun, null=True, on_delete=models.SET_NULL, related_name="+")
    records = models.BigIntegerField(default=0)
    keys = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"blocking keys {self.digest[:8]} ({self.keys} keys of {self.records} records)"
