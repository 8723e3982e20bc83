"""Loading feed lines into the test database, and reading back how records resolved."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_FEED

CHECKS = EXAMPLE_FEED.with_name("maple-road.checks.json")


def feed_lines(path: Path = EXAMPLE_FEED) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(lines: list[str], origin: str = "test.jsonl"):
    from safeguard.feed.services import feed_load

    return feed_load(actor=None, actor_label="test", origin=origin,
                     lines=[(origin, n, line) for n, line in enumerate(lines, start=1)])


def people() -> set[frozenset[str]]:
    """Resolved persons as sets of `source/id`."""
    from safeguard.linkage.models import PersonMembership

    groups: dict[int, set[str]] = defaultdict(set)
    for person, source, ext_id in PersonMembership.objects.values_list("person_id", "record__source__code",
                                                                       "record__ext_id"):
        groups[person].add(f"{source}/{ext_id}")
    return {frozenset(g) for g in groups.values()}


def places() -> set[frozenset[str]]:
    from safeguard.linkage.models import LocationMembership

    groups: dict[int, set[str]] = defaultdict(set)
    for place, source, ext_id in LocationMembership.objects.values_list("location_id", "record__source__code",
                                                                        "record__ext_id"):
        groups[place].add(f"{source}/{ext_id}")
    return {frozenset(g) for g in groups.values()}


def record_id(ref: str, kind: str = "person") -> int:
    from safeguard.records.models import SourceRecord

    source, ext_id = ref.split("/")
    return SourceRecord.objects.get(source__code=source, kind=kind, ext_id=ext_id).pk


def person_of(ref: str) -> int:
    from safeguard.linkage.models import PersonMembership

    return PersonMembership.objects.get(record_id=record_id(ref)).person_id


@pytest.fixture
def maple_people() -> set[frozenset[str]]:
    checks = json.loads(CHECKS.read_text(encoding="utf-8"))
    return {frozenset(group) for check in checks if "persons" in check for group in check["persons"]}
