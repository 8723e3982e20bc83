"""A load large relative to the store sets the secondary indexes aside and builds them again;
the answers are the same, and a load after a killed one puts back what is missing."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from safeguard.feed import indexes
from safeguard.feed.loader import Loader
from safeguard.records.models import PersonVersion

from .test_batches import LINES

pytestmark = pytest.mark.django_db


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "records_eventversion")
    return {name for name, about in constraints.items() if about["index"]}


def _load(expected_lines: int | None):
    loader = Loader(origin="b.jsonl", actor_label="test", expected_lines=expected_lines)
    summary = loader.load_lines([("b.jsonl", n, json.dumps(r)) for n, r in enumerate(LINES, start=1)])
    loader.finish()
    return summary


def test_a_large_load_defers_the_indexes_and_gives_the_same_answers():
    before = _index_names()
    assert {"eventv_type_at", "eventv_current", "eventv_recorded"} <= before
    assert indexes.worth_deferring(10**6) and not indexes.worth_deferring(1_000) and not indexes.worth_deferring(None)
    summary = _load(expected_lines=10**6)
    assert summary.counts() == {"lines_read": 10, "created": 5, "updated": 1, "unchanged": 1, "late": 1,
                                "deleted": 1, "rejected": 1, "conflicts": 1, "unresolved": 0}
    assert _index_names() == before
    chain = list(PersonVersion.objects.filter(record__ext_id="P1").order_by("recorded_at")
                 .values_list("recorded_at__hour", "valid_to__hour", "deleted"))
    assert chain == [(1, 2, False), (2, 3, False), (3, 4, False), (4, None, True)]


def test_a_load_puts_back_indexes_a_killed_load_left_out():
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "eventv_type_at"')
        cursor.execute('DROP INDEX "personv_current"')
    assert "eventv_type_at" not in _index_names()
    assert indexes.restore_missing() == ["personv_current", "eventv_type_at"]
    assert "eventv_type_at" in _index_names()
    with connection.cursor() as cursor:
        assert "personv_current" in connection.introspection.get_constraints(cursor, "records_personversion")
    assert indexes.restore_missing() == []
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "eventv_type_at"')
    _load(expected_lines=None)
    assert "eventv_type_at" in _index_names()


def _foreign_keys() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "records_eventsubject")
    return {name for name, about in constraints.items() if about["foreign_key"]}


def test_a_large_load_puts_the_foreign_keys_back_and_they_are_enforced():
    """PostgreSQL sets the foreign keys aside with the indexes (feed/indexes.py); afterwards they
    are all there again, validated, and refuse a row that points nowhere."""
    from django.db import IntegrityError, transaction

    before = _foreign_keys()
    assert len(before) == 2
    _load(expected_lines=10**6)
    assert _foreign_keys() == before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated "
                           "AND conrelid::regclass::text LIKE 'records_%%'")
            assert cursor.fetchone()[0] == 0
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO records_eventsubject (version_id, person_id, role) "
                           "VALUES (987654321, 987654321, 'x')")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL sets foreign keys aside")
def test_a_load_puts_back_foreign_keys_a_killed_load_left_out():
    name = next(iter(_foreign_keys()))
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE records_eventsubject DROP CONSTRAINT "{name}"')
    assert name not in _foreign_keys()
    assert name in indexes.restore_missing()
    assert name in _foreign_keys()
    assert indexes.restore_missing() == []
