"""Restricted fields, shown to a user who gives a reason (the view logs it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from safeguard.access.masking import masked_fields
from safeguard.access.policy import get_visible, visible
from safeguard.records.models import EventVersion, Kind, LocationVersion, PersonVersion, SourceRecord

from ..words import IDENTIFIERS, source_label
from .common import counting, display_name, dob_text, format_postcode

KIND_OF = {"person": Kind.PERSON, "location": Kind.LOCATION, "event": Kind.EVENT}


@dataclass
class Revealed:
    object_type: str
    record_id: int
    source: str
    ext_id: str
    fields: dict[str, str]
    restricted: list[str]  # the field names, for the audit trail

    @property
    def source_label(self) -> str:
        return source_label(self.source)


def _person(version: PersonVersion, hidden: set[str]) -> dict[str, str]:
    out = {}
    if {"given_names", "family_name"} & hidden:
        out["Name"] = display_name(version.given_names, version.family_name)
    if "aliases" in hidden:
        out["Other names"] = ", ".join(display_name(a.get("given_names", ""), a.get("family_name", ""))
                                       for a in version.aliases or [] if isinstance(a, dict)) or "None"
    if "dob" in hidden:
        out["Date of birth"] = dob_text(version.dob) or "Not recorded"
    if "sex" in hidden:
        out["Sex"] = version.sex
    if "identifiers" in hidden:
        for key, label in IDENTIFIERS.items():
            if getattr(version, key):
                out[label] = getattr(version, key)
    return out


def _location(version: LocationVersion, hidden: set[str]) -> dict[str, str]:
    out = {}
    if "address" in hidden:
        out["Address"] = version.address
    if "postcode" in hidden:
        out["Postcode"] = format_postcode(version.postcode)
    if "uprn" in hidden:
        out["UPRN"] = version.uprn
    return out


def _event(version: EventVersion, hidden: set[str]) -> dict[str, str]:
    return {name.replace("_", " ").capitalize(): str(version.attributes.get(name, "")) for name in sorted(hidden)
            if name in (version.attributes or {})}


def revealed_fields(user, object_type: str, record_id: int) -> Revealed:
    """The restricted fields of a record's current version; 404 unless the user may see the record."""
    record = get_visible(user, SourceRecord.objects.select_related("source"), pk=record_id, kind=KIND_OF[object_type])
    hidden = masked_fields(user, object_type, [record_id]).get(record_id, set())
    model = {"person": PersonVersion, "location": LocationVersion, "event": EventVersion}[object_type]
    version = visible(user, counting(model, None, Q(record=record))).first()
    reader = {"person": _person, "location": _location, "event": _event}[object_type]
    fields = reader(version, hidden) if version is not None and hidden else {}
    return Revealed(object_type, record_id, record.source.code, record.ext_id, fields, sorted(hidden))
