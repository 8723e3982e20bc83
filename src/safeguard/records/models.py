"""Source records as fed (POLE), every version kept.

A record is identified by (source, kind, id). Each kind has one version table holding every
version ever received with the typed columns the rules and pages query, and the line as sent
(`payload`). A version counts from its `recorded_at` until the next version's (`valid_to`), so
"as of T" is a range test on one indexed table: recorded_at <= T < valid_to (null: still
current), and not a delete.

Version tables have application-allocated primary keys: ingest writes them in bulk and needs
the ids of the rows it writes to attach subjects and references (see feed/loader.py).
"""

from __future__ import annotations

from django.db import models

from safeguard.accounts.models import Organisation


class Source(models.Model):
    """A sending system (`police`, `csc`, ...). Each belongs to one organisation, set by an
    administrator; a source first seen in a command-line load has none until then, and its
    records are visible only to force-wide roles."""

    code = models.CharField(max_length=40, unique=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Kind(models.TextChoices):
    PERSON = "person"
    LOCATION = "location"
    PERSON_LOCATION = "person_location"
    RELATIONSHIP = "relationship"
    EVENT = "event"


class SourceRecord(models.Model):
    """The identity of one record in its source. It exists as soon as anything refers to it;
    until a version of it arrives (`first_recorded_at` null) references to it are unresolved."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ext_id = models.CharField("id in its source", max_length=128)
    first_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "ext_id"], name="sourcerecord_identity"),
        ]
        indexes = [models.Index(fields=["kind", "first_recorded_at"], name="sourcerecord_kind_first")]
        permissions = [("load_feed", "Can load feed files")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}/{self.ext_id}"


class FeedLoad(models.Model):
    """One load: a file, standard input or an API post. Provenance for every version it wrote."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=300, help_text="File name, '-' for standard input, or 'api'.")
    actor_label = models.CharField(max_length=200)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"load {self.pk} of {self.origin}"


class VersionBase(models.Model):
    id = models.BigIntegerField(primary_key=True)
    # No index of its own: the unique (record, recorded_at) index serves every lookup by record.
    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+", db_index=False)
    recorded_at = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=32)
    load = models.ForeignKey(FeedLoad, on_delete=models.PROTECT, related_name="+")
    line = models.PositiveIntegerField()
    payload = models.JSONField(help_text="The line as sent.")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"version of record {self.record_id} recorded at {self.recorded_at.isoformat()}"


def _version_meta(name: str):
    """The unique (record, recorded_at) index finds a record's versions; `_current` its current
    one. There is no plain valid_to index: SQLite counts its NULLs as distinct, takes
    "valid_to IS NULL" (nearly every row) for a selective test, and scanned whole tables from it.
    The partial index holds only current versions, so it is small, and a version leaves it when
    a later one replaces it."""
    return [
        models.UniqueConstraint(fields=["record", "recorded_at"], name=f"{name}_one_per_moment"),
    ], [
        models.Index(fields=["recorded_at"], name=f"{name}_recorded"),
        models.Index(fields=["record"], condition=models.Q(valid_to__isnull=True), name=f"{name}_current"),
    ]


class PersonVersion(VersionBase):
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(default=list)
    dob = models.CharField("date of birth as sent", max_length=10, blank=True)
    dob_earliest = models.DateField(null=True, blank=True)
    dob_latest = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, default="unknown")
    deceased_on = models.DateField(null=True, blank=True)
    nhs = models.CharField(max_length=40, blank=True)
    pnc = models.CharField(max_length=40, blank=True)
    cro = models.CharField(max_length=40, blank=True)
    upn = models.CharField(max_length=40, blank=True)
    ni = models.CharField(max_length=40, blank=True)
    visor = models.CharField(max_length=40, blank=True)
    local = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints, indexes = _version_meta("personv")
        indexes = [*indexes, models.Index(fields=["family_name"], name="personv_family")]


class LocationVersion(VersionBase):
    address = models.CharField(max_length=500, blank=True)
    postcode = models.CharField("postcode, normalised", max_length=10, blank=True)
    uprn = models.CharField(max_length=12, blank=True)
    location_type = models.CharField(max_length=20, default="dwelling")
    specific = models.BooleanField(default=False)

    class Meta:
        constraints, indexes = _version_meta("locationv")
        indexes = [*indexes, models.Index(fields=["postcode"], name="locationv_postcode")]


class PersonLocationVersion(VersionBase):
    person = models.ForeignKey(SourceRecord, null=True, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(SourceRecord, null=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints, indexes = _version_meta("plinkv")


class RelationshipVersion(VersionBase):
    person = models.ForeignKey(SourceRecord, null=True, on_delete=models.PROTECT, related_name="+")
    other = models.ForeignKey(SourceRecord, null=True, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=20, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints, indexes = _version_meta("relv")


class EventVersion(VersionBase):
    type = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(SourceRecord, null=True, on_delete=models.PROTECT, related_name="+")
    attributes = models.JSONField(default=dict)

    class Meta:
        constraints, indexes = _version_meta("eventv")
        indexes = [*indexes, models.Index(fields=["type", "at"], name="eventv_type_at")]


class EventSubject(models.Model):
    version = models.ForeignKey(EventVersion, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+", db_index=False)  # (person, role) index
    role = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["person", "role"], name="eventsubject_person")]

    def __str__(self) -> str:
        return f"{self.role} in event version {self.version_id}"


class EventReference(models.Model):
    """A reference inside an event's attributes: `offence`, `episode`, `found_location`,
    `condition.0.location`, ... The target's kind is implied by the name."""

    version = models.ForeignKey(EventVersion, on_delete=models.CASCADE, related_name="references")
    name = models.CharField(max_length=40)
    target = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+", db_index=False)  # (target, name) index

    class Meta:
        indexes = [models.Index(fields=["target", "name"], name="eventref_target")]

    def __str__(self) -> str:
        return f"{self.name} of event version {self.version_id}"


VERSION_MODELS: dict[str, type[VersionBase]] = {
    Kind.PERSON: PersonVersion,
    Kind.LOCATION: LocationVersion,
    Kind.PERSON_LOCATION: PersonLocationVersion,
    Kind.RELATIONSHIP: RelationshipVersion,
    Kind.EVENT: EventVersion,
}
