"""Incremental linkage after each load gives the same persons and places as a batch run."""

from __future__ import annotations

import csv
import json
import random

import pytest
from django.core.management import call_command

from safeguard.feed.hooks import _after_load
from safeguard.linkage.engine.evaluation import pair_scores
from safeguard.linkage.models import LinkageRun, PersonMembership
from safeguard.linkage.services import link_after_load, link_all

from .conftest import feed_lines, load, people, person_of, places

LINKAGE_KINDS = {"person", "location", "person_location"}


def _batches(lines: list[str], seed: int, count: int) -> list[list[str]]:
    shuffled = lines[:]
    random.Random(seed).shuffle(shuffled)
    size = -(-len(shuffled) // count)
    return [shuffled[i:i + size] for i in range(0, len(shuffled), size)]


def _load_and_link(batches: list[list[str]]) -> None:
    for n, batch in enumerate(batches):
        link_after_load(load(batch, origin=f"batch-{n}.jsonl"))


def test_linkage_is_registered_to_run_after_each_load_before_alerts() -> None:
    orders = {hook: order for order, hook in _after_load}
    assert orders[link_after_load] == 10
    assert all(order > 10 for hook, order in orders.items() if hook is not link_after_load)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_the_example_loaded_in_shuffled_batches_resolves_into_its_seven_people(seed, maple_people) -> None:
    _load_and_link(_batches(feed_lines(), seed, 4))
    assert people() == maple_people
    assert any("police/PL3" in place and "visor/VL1" in place for place in places())  # 7 Orchard Close
    assert set(LinkageRun.objects.values_list("mode", flat=True)) == {"incremental"}

    before = dict(PersonMembership.objects.values_list("record_id", "person_id"))
    link_all()
    assert dict(PersonMembership.objects.values_list("record_id", "person_id")) == before  # and the same ids


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [3, 4])
def test_a_synthetic_force_linked_incrementally_equals_the_batch_run(tmp_path, seed) -> None:
    call_command("generate", "--people", "300", "--seed", str(seed), "--out", str(tmp_path))
    lines = [line for line in feed_lines(tmp_path / "feed.jsonl") if json.loads(line)["kind"] in LINKAGE_KINDS]
    _load_and_link(_batches(lines, seed, 5))
    incremental_people, incremental_places = people(), places()
    with (tmp_path / "truth" / "records.csv").open(encoding="utf-8") as handle:
        truth = {f"{r['source']}/{r['id']}": r["truth_id"] for r in csv.DictReader(handle) if r["kind"] == "person"}
    predicted = {ref: n for n, group in enumerate(incremental_people) for ref in group}
    scores = pair_scores(predicted, truth)
    assert scores.precision >= 0.98 and scores.recall >= 0.9, scores  # it links, and links well

    link_all()
    assert people() == incremental_people
    assert places() == incremental_places


@pytest.mark.django_db
def test_the_load_hook_reports_which_resolved_persons_changed(maple_people) -> None:
    first = load(feed_lines())
    assert link_after_load(first).startswith("linkage: 7 resolved persons")
    assert first.linkage.changed_persons == {person_of(next(iter(group))) for group in maple_people}

    dan = person_of("police/P1")
    later = load([json.dumps({"kind": "person", "source": "health", "id": "H9", "recorded_at": "2026-11-01T09:00:00Z",
                              "given_names": "Daniel", "family_name": "Price", "dob": "1990-03-11", "sex": "male"})])
    link_after_load(later)
    assert later.linkage.changed_persons == {dan}
    assert later.linkage.changed_locations == set()
    assert person_of("health/H9") == dan


@pytest.mark.django_db
def test_a_load_touching_very_many_records_is_linked_by_a_batch_run(monkeypatch, maple_people) -> None:
    from safeguard.linkage import services

    monkeypatch.setattr(services, "INCREMENTAL_UP_TO", 10)
    summary = load(feed_lines())
    link_after_load(summary)
    assert list(LinkageRun.objects.values_list("mode", flat=True)) == ["batch"]
    assert people() == maple_people
    assert summary.linkage.changed_persons == {person_of(next(iter(group))) for group in maple_people}
