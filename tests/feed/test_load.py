"""Loading feed records: every kind, versions, deletes, references, idempotency, bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from safeguard.feed.schema import EVENT_TYPES
from safeguard.records.models import (
    EventReference,
    EventSubject,
    EventVersion,
    LocationVersion,
    PersonLocationVersion,
    PersonVersion,
    RelationshipVersion,
    SourceRecord,
)
from safeguard.records.selectors import as_of

from .helpers import load, person

pytestmark = pytest.mark.django_db
T = "2026-01-01T09:00:00+00:00"


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def current(model, source: str, ext_id: str, at: str | None = None):
    return model.objects.filter(as_of(moment(at) if at else None), record__source__code=source,
                                record__ext_id=ext_id).first()


def test_the_public_example_loads_with_no_rejects(example_feed):
    lines = [(example_feed.name, n, line) for n, line in enumerate(example_feed.read_text().splitlines(), 1) if line.strip()]
    from safeguard.feed.services import feed_load

    summary = feed_load(actor=None, actor_label="test", origin="maple-road.jsonl", lines=lines)
    assert summary.rejected == 0, [str(e) for e in summary.errors]
    assert summary.lines_read == 53
    # R1 and M1 are each sent twice (a later version); every other line creates a record.
    assert (summary.created, summary.updated, summary.late) == (51, 2, 0)
    assert summary.unresolved == 0
    assert PersonVersion.objects.filter(as_of(None)).count() == 14


def test_every_kind_reads_back_with_typed_columns():
    summary = load(
        person("P1", identifiers={"pnc": "2009/0123456X", "nhs": "9434765919"}, aliases=[{"given_names": "Ry", "family_name": "Cole"}], sex="male"),
        {"kind": "location", "source": "police", "id": "L1", "recorded_at": T, "address": "2/10 Mill St, Corby", "postcode": "nn17 2qt"},
        {"kind": "location", "source": "police", "id": "L2", "recorded_at": T, "address": "Corby area"},
        {"kind": "person_location", "source": "police", "id": "PL1", "recorded_at": T, "person": "P1", "location": "L1",
         "role": "resides", "from": "2025-01-01", "to": None},
        {"kind": "relationship", "source": "police", "id": "R1", "recorded_at": T, "person": "P1",
         "other": {"source": "csc", "id": "C1"}, "type": "parent_of"},
    )
    assert summary.rejected == 0 and summary.created == 5
    p = current(PersonVersion, "police", "P1")
    assert (p.given_names, p.family_name, p.dob_earliest, p.sex, p.pnc, p.nhs) == (
        "Ryan", "COLEMAN", dt.date(1995, 3, 2), "male", "2009/0123456X", "9434765919")
    loc = current(LocationVersion, "police", "L1")
    assert (loc.postcode, loc.specific) == ("NN172QT", True)
    assert current(LocationVersion, "police", "L2").specific is False
    link = current(PersonLocationVersion, "police", "PL1")
    assert (link.person.ext_id, link.location.ext_id, link.role, link.from_date, link.to_date) == (
        "P1", "L1", "resides", dt.date(2025, 1, 1), None)
    rel = current(RelationshipVersion, "police", "R1")
    assert (rel.other.source.code, rel.other.ext_id, rel.other.kind) == ("csc", "C1", "person")
    assert summary.unresolved == 1  # csc/C1 is referred to but not yet sent


@pytest.mark.parametrize("dob, earliest, latest", [
    ("2008", dt.date(2008, 1, 1), dt.date(2008, 12, 31)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("1995-03-02", dt.date(1995, 3, 2), dt.date(1995, 3, 2)),
    (None, None, None),
])
def test_partial_dates_of_birth_keep_their_range(dob, earliest, latest):
    load(person(dob=dob))
    p = current(PersonVersion, "police", "P1")
    assert (p.dob_earliest, p.dob_latest, p.dob) == (earliest, latest, dob or "")


def _full_event(etype: str, n: int) -> dict:
    """An event of each type with every attribute its table allows, filled with valid values."""
    values = {
        "category": "violence", "outcome": None, "outcome_at": T, "victim_is_child": True, "description": "d",
        "offence": "E-offence", "bail_kind": "pre_charge", "expires_on": "2026-02-01",
        "conditions": [{"condition": "residence", "location": "L9", "address_text": "Corby area", "verified": False},
                       {"condition": "non_contact", "person": "P2"}],
        "order_type": "shpo", "starts_on": "2026-01-01", "ends_on": "2027-01-01", "requirements": ["curfew"],
        "order": "E-order", "bail": "E-bail", "tool": "dash", "level": "high", "score": 15, "about_child": "P3",
        "risk_level": None, "fixed_abode": True, "notification_type": "annual", "departs_at": T,
        "announced": False, "from_care": True, "found_location": "L9", "episode": "E-ep", "offered_at": T,
        "completed_at": T, "declined": False, "dash_score": 14, "incident": "E-inc", "from_agency": "police",
        "to_agency": "csc", "concern": "neglect", "decision": "assessment", "decided_at": T, "referral": "E-ref",
        "conference_type": "initial", "seen_alone": True, "origin": "ceop", "kirat_level": "high",
        "triaged_at": T, "actioned_at": T, "reference": "NCA-1",
    }
    per_type = {
        ("offence", "outcome"): "convicted", ("breach", "outcome"): "warning_letter", ("rso_visit", "outcome"): "seen",
        ("strategy_discussion", "outcome"): "s47", ("s47_enquiry", "outcome"): "conference",
        ("child_protection_conference", "outcome"): "plan", ("child_protection_plan", "category"): "neglect",
        ("rso_registration", "risk_level"): "high", ("missing_episode", "risk_level"): "high",
        ("domestic_abuse_incident", "risk_level"): "high", ("rso_registration", "ends_on"): None,
    }
    spec = EVENT_TYPES[etype]
    attributes = {name: per_type.get((etype, name), values[name]) for name in spec.attributes}
    return {"kind": "event", "source": "police", "id": f"E{n}", "recorded_at": T, "type": etype,
            "at": "2025-12-31T23:30:00Z", "ends_at": None, "location": "L9",
            "subjects": [{"person": "P1", "role": role} for role in spec.roles], "attributes": attributes}


def test_every_event_type_loads_and_reads_back():
    events = [_full_event(etype, n) for n, etype in enumerate(EVENT_TYPES)]
    summary = load(*events)
    assert summary.rejected == 0, [str(e) for e in summary.errors]
    assert EventVersion.objects.count() == len(EVENT_TYPES)
    for n, etype in enumerate(EVENT_TYPES):
        event = current(EventVersion, "police", f"E{n}")
        assert event.type == etype
        assert event.at == dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
        assert event.location.ext_id == "L9"
        assert sorted(EventSubject.objects.filter(version=event).values_list("role", flat=True)) == sorted(EVENT_TYPES[etype].roles)
        assert event.attributes == events[n]["attributes"]
    bail = current(EventVersion, "police", f"E{list(EVENT_TYPES).index('bail')}")
    refs = dict(EventReference.objects.filter(version=bail).values_list("name", "target__ext_id"))
    assert refs == {"offence": "E-offence", "condition.0.location": "L9", "condition.1.person": "P2", "location": "L9"}


def test_a_later_version_updates_and_an_earlier_one_goes_into_history():
    assert load(person(at="2026-01-01T09:00:00+00:00", family_name="COLEMAN")).created == 1
    later = load(person(at="2026-03-01T09:00:00+00:00", family_name="COLMAN"))
    assert later.updated == 1
    earlier = load(person(at="2025-06-01T09:00:00+00:00", family_name="COLE"))
    assert earlier.late == 1
    assert current(PersonVersion, "police", "P1").family_name == "COLMAN"
    assert current(PersonVersion, "police", "P1", "2026-02-01T00:00:00+00:00").family_name == "COLEMAN"
    assert current(PersonVersion, "police", "P1", "2025-07-01T00:00:00+00:00").family_name == "COLE"
    assert current(PersonVersion, "police", "P1", "2025-01-01T00:00:00+00:00") is None
    assert SourceRecord.objects.get(ext_id="P1").first_recorded_at == moment("2025-06-01T09:00:00+00:00")


def test_the_same_file_twice_changes_nothing(example_feed):
    lines = [line for line in example_feed.read_text().splitlines() if line.strip()]
    load(*lines)
    counts = [m.objects.count() for m in (PersonVersion, EventVersion, EventSubject, EventReference, SourceRecord)]
    again = load(*lines)
    assert (again.created, again.updated, again.late, again.unchanged, again.rejected) == (0, 0, 0, 53, 0)
    assert [m.objects.count() for m in (PersonVersion, EventVersion, EventSubject, EventReference, SourceRecord)] == counts


def test_same_moment_different_content_is_a_conflict():
    load(person(family_name="COLEMAN"))
    summary = load(person(family_name="COLMAN"), origin="second.jsonl")
    assert (summary.rejected, summary.conflicts) == (1, 1)
    assert str(summary.errors[0]).startswith("second.jsonl:1: person police/P1: conflicts with the version recorded at")
    assert current(PersonVersion, "police", "P1").family_name == "COLEMAN"


def test_delete_stops_a_record_counting_from_its_moment_and_a_later_upsert_brings_it_back():
    load(person(at="2026-01-01T09:00:00+00:00"))
    summary = load({"kind": "person", "source": "police", "id": "P1", "recorded_at": "2026-02-01T09:00:00+00:00", "op": "delete"})
    assert summary.deleted == 1
    assert current(PersonVersion, "police", "P1") is None
    assert current(PersonVersion, "police", "P1", "2026-01-15T00:00:00+00:00") is not None
    load(person(at="2026-03-01T09:00:00+00:00"))
    assert current(PersonVersion, "police", "P1") is not None


def test_references_resolve_in_either_order():
    link = {"kind": "person_location", "source": "csc", "id": "CL1", "recorded_at": T, "person": "C1", "location": "L1", "role": "resides"}
    first = load(link)
    assert first.unresolved == 2
    second = load({"kind": "person", "source": "csc", "id": "C1", "recorded_at": T, "given_names": "Lily"},
                  {"kind": "location", "source": "csc", "id": "L1", "recorded_at": T, "address": "14 Maple Road", "postcode": "NN16 8AB"})
    assert second.unresolved == 0
    resolved = current(PersonLocationVersion, "csc", "CL1")
    assert current(PersonVersion, "csc", "C1").record_id == resolved.person_id


BAD_LINES = [
    ("{not json", "not valid JSON"),
    ('["a"]', "each line must be a JSON object"),
    (json.dumps({"kind": "vehicle", "source": "police", "id": "V1", "recorded_at": T}), 'kind "vehicle" is not one of'),
    (json.dumps(person(source="Police")), 'source "Police" must be lower-case'),
    (json.dumps(person(pid="")), 'id "" must be a string of 1 to 128'),
    (json.dumps({k: v for k, v in person().items() if k != "recorded_at"}), "recorded_at is required"),
    (json.dumps(person(at="2026-01-01T09:00:00")), "has no offset"),
    (json.dumps(person(dob="1995-13-02")), 'dob "1995-13-02" is not a date'),
    (json.dumps(person(dob="02/03/1995")), 'dob "02/03/1995" is not a date'),
    (json.dumps(person(nickname="Ry")), "unknown field 'nickname'"),
    (json.dumps(person(sex="M")), 'sex "M" is not one of'),
    (json.dumps(person(identifiers={"passport": "X"})), "identifier 'passport' is not one of"),
    (json.dumps(person(given_names="", family_name=None)), "needs given_names or family_name"),
    (json.dumps(person(op="merge")), 'op "merge" must be upsert or delete'),
    (json.dumps({"kind": "location", "source": "p", "id": "L", "recorded_at": T, "address": "1 A St", "postcode": "XYZ"}), 'postcode "XYZ" is not a UK postcode'),
    (json.dumps({"kind": "location", "source": "p", "id": "L", "recorded_at": T, "address": "1 A St", "uprn": "12a"}), "must be digits only"),
    (json.dumps({"kind": "person_location", "source": "p", "id": "X", "recorded_at": T, "person": "P", "location": "L", "role": "lives"}), 'role "lives" is not one of'),
    (json.dumps({"kind": "person_location", "source": "p", "id": "X", "recorded_at": T, "location": "L", "role": "resides"}), "person is required"),
    (json.dumps({"kind": "relationship", "source": "p", "id": "X", "recorded_at": T, "person": "P", "other": {"source": "c"}, "type": "partner_of"}), "other.id must be an id"),
    (json.dumps({"kind": "event", "source": "p", "id": "X", "recorded_at": T, "type": "burglary", "at": T}), 'event type "burglary" is not one of'),
    (json.dumps({"kind": "event", "source": "p", "id": "X", "recorded_at": T, "type": "arrest"}), "at is required"),
    (json.dumps({"kind": "event", "source": "p", "id": "X", "recorded_at": T, "type": "arrest", "at": T,
                 "subjects": [{"person": "P", "role": "victim"}]}), 'subjects[0].role "victim" is not a role of a arrest event'),
    (json.dumps({"kind": "event", "source": "p", "id": "X", "recorded_at": T, "type": "offence", "at": T,
                 "attributes": {"severity": "bad"}}), "unknown attribute 'severity' for a offence event"),
    (json.dumps({"kind": "event", "source": "p", "id": "X", "recorded_at": T, "type": "domestic_abuse_incident", "at": T,
                 "attributes": {"dash_score": 30}}), "dash_score must be a whole number from 0 to 27"),
    (json.dumps({"kind": "event", "source": "p", "id": "X", "recorded_at": T, "type": "missing_episode", "at": T,
                 "ends_at": "2025-01-01T00:00:00Z"}), "is before at"),
    (json.dumps({"kind": "event", "source": "p", "id": "X", "recorded_at": T, "type": "bail", "at": T,
                 "attributes": {"conditions": [{"condition": "residence", "verified": "yes"}]}}), "verified must be true or false"),
]


@pytest.mark.parametrize("line, message", BAD_LINES)
def test_each_class_of_bad_input_is_rejected_with_a_message(line, message):
    summary = load(line, origin="feed.jsonl")
    assert summary.rejected == 1
    text = str(summary.errors[0])
    assert text.startswith("feed.jsonl:1:")
    assert message in text
    assert SourceRecord.objects.filter(first_recorded_at__isnull=False).count() == 0


def test_error_names_the_record_identity():
    summary = load(json.dumps(person(pid="P9", dob="1995-13-02")), origin="feed.jsonl")
    assert str(summary.errors[0]) == 'feed.jsonl:1: person police/P9: dob "1995-13-02" is not a date'


def test_extra_attributes_are_allowed_only_where_the_spec_says():
    referral = {"kind": "event", "source": "police", "id": "OR1", "recorded_at": T, "type": "online_csea_referral",
                "at": T, "attributes": {"kirat_level": None, "platform": "chat app"}}
    assert load(referral).rejected == 0


def test_mixed_good_and_bad_lines_load_the_good_and_report_every_bad_by_line():
    lines = [json.dumps(person("P1")), "{broken", json.dumps(person("P2", dob="1990-02-30")), json.dumps(person("P3")),
             json.dumps(person("P4", sex="X"))]
    summary = load(*lines, origin="mixed.jsonl")
    assert (summary.lines_read, summary.created, summary.rejected) == (5, 2, 3)
    assert [e.line for e in summary.errors] == [2, 3, 5]
    assert set(SourceRecord.objects.filter(first_recorded_at__isnull=False).values_list("ext_id", flat=True)) == {"P1", "P3"}


def test_a_sender_may_write_only_its_own_sources():
    summary = load(person("P1", source="police"), person("C1", source="csc"), allowed_sources={"csc"})
    assert (summary.created, summary.rejected) == (1, 1)
    assert "may not write records of source 'police'" in str(summary.errors[0])


def test_each_load_is_one_collection_audit_entry(example_feed):
    from safeguard.audit_trail.models import AuditEntry

    before = AuditEntry.objects.count()
    load(*[line for line in example_feed.read_text().splitlines() if line.strip()])
    entries = list(AuditEntry.objects.order_by("-seq")[: AuditEntry.objects.count() - before])
    assert len(entries) == 1
    assert entries[0].action == "collection"
    assert entries[0].details["created"] == 51
