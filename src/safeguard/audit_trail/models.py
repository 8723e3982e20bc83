"""The Data Protection Act 2018 Part 3 s62 log: an append-only, HMAC-chained record of who did
what to which object, when, for whom and why.

Entries are written only by `services.audit_log`, which chains each one onto the last; the
`audit verify` command proves nobody changed, removed or slipped in an entry since.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import NotSupportedError, models
from django.db.models import Lookup


class Action(models.TextChoices):
    """The s62 kinds of processing, plus sign-in and sign-out."""

    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    ACCESS = "access", "Sign-in or sign-out"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    ERROR = "error", "Error"


class AppendOnlyError(Exception):
    """Someone tried to change or remove an audit entry through the ORM."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(f"The audit trail is append-only: {what} is refused.")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    # Refused here, before Django opens the transaction it would run update() in.
    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")


class IncludesLookup(Lookup):
    """`object_ids__includes="42"`: the JSON list holds this string.

    SQLite has no JSON containment (Django's `contains` refuses it there), so it searches the
    list with json_each; PostgreSQL uses jsonb containment, which the GIN index answers.
    """

    lookup_name = "includes"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> NoReturn:
        raise NotSupportedError("object_ids__includes supports SQLite and PostgreSQL only.")

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", (*lhs_params, json.dumps([str(self.rhs)]))

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # lhs is a compiled column reference, the searched value is a bound parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, (*lhs_params, str(self.rhs))


class ObjectIdsField(models.JSONField):
    """A JSON list of object references (ids as strings, never personal data)."""


ObjectIdsField.register_lookup(IncludesLookup)


class AuditEntry(models.Model):
    # seq is the key: the chain order, gap-free, so a missing number means a removed entry.
    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=16, choices=Action.choices)
    # PROTECT: a user who appears in the audit trail can be deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor_label = models.CharField(
        max_length=200, help_text='Username, or e.g. "token:police-feed", "system".'
    )
    organisation_label = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=64, help_text='e.g. "person", "feed_load".')
    object_ids = ObjectIdsField(default=list, blank=True)
    recipient = models.CharField(max_length=200, blank=True, help_text="To whom, for disclosures.")
    justification = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    details = models.JSONField(default=dict, blank=True, help_text="Counts and the like; no personal data.")
    key_id = models.CharField(max_length=64, help_text="Which HMAC key signed this entry.")
    prev_hmac = models.CharField(max_length=64, blank=True)
    hmac = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        # Only viewing can be granted: nobody may be given the right to add, change or delete.
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "seq"], name="audit_object_type_seq")]
        # The GIN index on object_ids is PostgreSQL-only, so it lives in migration 0002.

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} by {self.actor_label}"

    def save(self, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse("changing a saved entry")
        # Always INSERT: with seq as the key, Django would otherwise try an UPDATE first and could
        # overwrite an existing entry that has the same seq.
        super().save(**{**kwargs, "force_insert": True})

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")


class AuditHead(models.Model):
    """The single row holding the end of the chain.

    Writers lock it (SELECT ... FOR UPDATE) so that no two can chain onto the same entry, and
    `audit verify` compares it with the last entry to catch entries removed from the end.
    """

    ROW_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW_ID)
    seq = models.BigIntegerField(default=0)
    hmac = models.CharField(max_length=64, blank=True)

    class Meta:
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]

    def __str__(self) -> str:
        return f"audit head at #{self.seq}"
