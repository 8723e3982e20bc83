"""The loader writes in batches (one transaction each). Where the batch boundaries fall must not
change anything: counts, versions, their valid_to chain, first_recorded_at, references."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from safeguard.feed.loader import Loader
from safeguard.records.models import EventSubject, PersonLocationVersion, PersonVersion, SourceRecord
from safeguard.records.selectors import as_of

pytestmark = pytest.mark.django_db


def t(hour: int) -> str:
    return f"2026-01-01T{hour:02d}:00:00+00:00"


def person(pid: str, hour: int, family: str) -> dict:
    return {"kind": "person", "source": "police", "id": pid, "recorded_at": t(hour), "given_names": "Ryan",
            "family_name": family}


LINES = [
    person("P1", 2, "A"),
    {"kind": "person_location", "source": "police", "id": "PL1", "recorded_at": t(1), "person": "P2",
     "location": "L1", "role": "resides"},  # refers to records sent later
    person("P1", 1, "B"),  # late
    person("P1", 3, "C"),  # update
    person("P1", 2, "A"),  # unchanged
    person("P1", 2, "D"),  # conflict
    person("P2", 1, "E"),
    {"kind": "person", "source": "police", "id": "P1", "recorded_at": t(4), "op": "delete"},
    {"kind": "event", "source": "police", "id": "E1", "recorded_at": t(1), "type": "domestic_abuse_incident",
     "at": t(0), "subjects": [{"person": "P1", "role": "victim"}, {"person": "P2", "role": "perpetrator"}]},
    {"kind": "location", "source": "police", "id": "L1", "recorded_at": t(1), "address": "14 Maple Road"},
]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 10_000])
def test_batch_boundaries_change_nothing(batch_size):
    loader = Loader(origin="b.jsonl", actor_label="test", batch_size=batch_size)
    summary = loader.load_lines([("b.jsonl", n, json.dumps(r)) for n, r in enumerate(LINES, start=1)])
    loader.finish()
    assert summary.counts() == {"lines_read": 10, "created": 5, "updated": 1, "unchanged": 1, "late": 1,
                                "deleted": 1, "rejected": 1, "conflicts": 1, "unresolved": 0}
    assert str(summary.errors[0]).startswith("b.jsonl:6: person police/P1: conflicts with the version recorded at")

    def family(hour: float) -> str | None:
        moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hour)
        version = PersonVersion.objects.filter(as_of(moment), record__ext_id="P1").first()
        return version.family_name if version else None

    assert [family(h) for h in (0.5, 1.5, 2.5, 3.5, 4.5)] == [None, "B", "A", "C", None]
    chain = list(PersonVersion.objects.filter(record__ext_id="P1").order_by("recorded_at")
                 .values_list("recorded_at__hour", "valid_to__hour", "deleted"))
    assert chain == [(1, 2, False), (2, 3, False), (3, 4, False), (4, None, True)]
    assert SourceRecord.objects.get(ext_id="P1").first_recorded_at == dt.datetime.fromisoformat(t(1))
    link = PersonLocationVersion.objects.get()
    assert (link.person.ext_id, link.location.ext_id, link.location.first_recorded_at is not None) == ("P2", "L1", True)
    assert sorted(EventSubject.objects.values_list("person__ext_id", "role")) == [("P1", "victim"), ("P2", "perpetrator")]
    assert summary.touched_record_ids == set(SourceRecord.objects.values_list("id", flat=True))


def test_parsing_in_a_second_process_changes_nothing(monkeypatch):
    """A large load parses in a forked process (loader._parsed_in_child); with the threshold at 0
    the same lines, good and bad, give the same counts, errors, versions and references as the
    same load parsed in this process."""
    from safeguard.feed import loader as loader_module

    lines = [("b.jsonl", n, json.dumps(r)) for n, r in enumerate(LINES, start=1)]
    lines.insert(3, ("b.jsonl", 99, "{not json"))
    lines.insert(5, ("b.jsonl", 100, json.dumps({"kind": "person", "source": "police", "id": "P9"})))

    def load() -> tuple:
        loader = Loader(origin="b.jsonl", actor_label="test", batch_size=3, expected_lines=len(lines))
        summary = loader.load_lines(iter(lines))
        loader.finish()
        rows = (sorted(PersonVersion.objects.values_list("record__ext_id", "recorded_at", "valid_to", "family_name",
                                                         "deleted", "content_hash")),
                sorted(EventSubject.objects.values_list("version__record__ext_id", "person__ext_id", "role")),
                sorted(SourceRecord.objects.values_list("kind", "ext_id", "first_recorded_at")))
        return summary.counts(), [str(e) for e in summary.errors], rows

    started = []
    real = loader_module._parsed_in_child
    monkeypatch.setattr(loader_module, "_parsed_in_child", lambda *a: (started.append(1), real(*a))[1])
    monkeypatch.setattr(loader_module, "PIPELINE_MIN_LINES", 10**9)
    here = load()
    assert not started
    from safeguard.records.models import VERSION_MODELS, EventReference

    for model in (EventSubject, EventReference, *VERSION_MODELS.values(), SourceRecord):
        model.objects.all().delete()
    monkeypatch.setattr(loader_module, "PIPELINE_MIN_LINES", 0)
    in_child = load()
    assert started
    assert in_child == here
    assert here[0]["rejected"] == 3 and here[0]["lines_read"] == 12
    assert here[1][0].startswith("b.jsonl:99: not valid JSON")
    assert "recorded_at is required" in here[1][1]
