"""The blocking keys kept in the database for incremental linkage: made as the engine's blocking
rules make them, written by every run, and rebuilt when missing or made by other rules."""

from __future__ import annotations

import json
import random

import duckdb
import pyarrow as pa
import pytest

from safeguard.linkage.candidates import keys_are_current, make_keys, person_scope, recipes
from safeguard.linkage.engine.incremental import KEY_HASH_SQL, key_hash, recipe_keys
from safeguard.linkage.engine.persons import BLOCKING_PLACES, prepare
from safeguard.linkage.engine.training_data import generate
from safeguard.linkage.inputs import person_table
from safeguard.linkage.models import BlockingKey, BlockingKeyIndex
from safeguard.linkage.services import link_after_load, link_all
from safeguard.records.models import PersonVersion
from safeguard.records.selectors import as_of

from .conftest import feed_lines, load, people, record_id


def _stored() -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for key, rid in BlockingKey.objects.values_list("key", "record_id"):
        out.setdefault(rid, set()).add(key)
    return out


def _made(persons: pa.Table) -> dict[int, set[int]]:
    keys = make_keys(persons, held_form=True)
    out: dict[int, set[int]] = {}
    for key, rid in zip(keys["key"].to_pylist(), keys["record_id"].to_pylist(), strict=True):
        out.setdefault(rid, set()).add(key)
    return out


def _current_person_ids() -> set[int]:
    return set(PersonVersion.objects.filter(as_of(None)).values_list("record_id", flat=True))


def test_the_key_hash_in_python_equals_the_one_in_duckdb() -> None:
    texts = ["7|abc", "dob_s,sn_sdx|1990-03-11|P620", "fn1_canon,sn|Zoë|O'Brien", "", "b_uprns,fn_init|100031234567|d"]
    con = duckdb.connect()
    hashed = [con.execute(f"SELECT {KEY_HASH_SQL.format('?')}", [t]).fetchone()[0] for t in texts]
    assert hashed == [key_hash(t) for t in texts]
    assert all(0 <= h < 2 ** 60 for h in hashed) and len(set(hashed)) == len(texts)


@pytest.mark.parametrize("held_form", [True, False])
def test_keys_made_in_duckdb_are_the_recipes_of_each_record(held_form) -> None:
    records = generate(people=300, seed=7).drop_columns(["person_id"])
    made = make_keys(records, held_form=held_form)
    rows = prepare(records).to_pylist()
    for row in rows:  # the stored keys hold every place, busy or not
        row.update({blocking: row[column] for blocking, column in BLOCKING_PLACES.items()})
    expected = {(key_hash(text), row["record_id"]) for row in rows for text in recipe_keys(row, recipes(), held_form)}
    assert set(zip(made["key"].to_pylist(), made["record_id"].to_pylist(), strict=True)) == expected
    assert made.num_rows == len(expected) > 3 * len(rows)  # no key twice, and several per record


def test_an_asymmetric_rule_and_its_mirror_give_two_recipes_once() -> None:
    tags = [tag for tag, *_ in recipes()]
    assert len(tags) == len(set(tags))
    assert {"nodob_key>name_key", "name_key>nodob_key"} <= set(tags)


@pytest.mark.django_db
def test_a_batch_run_writes_the_keys_of_every_current_person_record() -> None:
    load(feed_lines())
    link_all()
    assert set(_stored()) == _current_person_ids()
    assert _stored() == _made(person_table())
    assert keys_are_current()
    assert BlockingKeyIndex.objects.get().records == len(_current_person_ids())


@pytest.mark.django_db
def test_an_incremental_load_replaces_the_keys_of_the_records_it_touched() -> None:
    load(feed_lines())
    link_all()
    before = _stored()
    dan, jade = record_id("police/P1"), record_id("csc/C2")
    later = [
        # P1 gets a new date of birth; a new record arrives; C2 is deleted.
        json.dumps({"kind": "person", "source": "police", "id": "P1", "recorded_at": "2026-11-01T09:00:00Z",
                    "given_names": "Daniel James", "family_name": "PRICE", "dob": "1990-11-03", "sex": "male",
                    "identifiers": {"pnc": "2009/0123456X"}}),
        json.dumps({"kind": "person", "source": "health", "id": "H9", "recorded_at": "2026-11-01T09:00:00Z",
                    "given_names": "Daniel", "family_name": "Price", "dob": "1990-03-11", "sex": "male"}),
        json.dumps({"kind": "person", "source": "csc", "id": "C2", "recorded_at": "2026-11-01T09:00:00Z",
                    "op": "delete"}),
    ]
    link_after_load(load(later, origin="later.jsonl"))
    after = _stored()
    new = record_id("health/H9")
    assert after[dan] == _made(person_table({dan}))[dan] != before[dan]
    assert after[new] == _made(person_table({new}))[new]
    assert jade not in after
    assert {rid: keys for rid, keys in after.items() if rid not in (dan, new)} == {
        rid: keys for rid, keys in before.items() if rid not in (dan, jade)}
    assert set(after) == _current_person_ids()


def _place_lines(source: str, person: str, given: str, family: str, dob: str, address: str, postcode: str) -> list[str]:
    at = "2026-10-01T09:00:00Z"
    return [json.dumps(line) for line in (
        {"kind": "location", "source": source, "id": f"{person}L", "recorded_at": at, "address": address,
         "postcode": postcode, "uprn": "100099999991"},
        {"kind": "person", "source": source, "id": person, "recorded_at": at, "given_names": given,
         "family_name": family, "dob": dob, "sex": "female"},
        {"kind": "person_location", "source": source, "id": f"{person}PL", "recorded_at": at, "person": person,
         "location": f"{person}L", "role": "resides", "from": "2026-01-01"},
    )]


@pytest.mark.django_db
def test_a_record_sharing_only_a_place_key_is_a_candidate() -> None:
    load(_place_lines("csc", "A", "Zara", "Quill", "1980-01-01", "1 Test Street, Townsville", "AB1 2CD"))
    link_all()
    load(_place_lines("health", "B", "Zoe", "Yarrow", "1995-07-07", "Flat A, One Test St, Townsville", "ZZ9 9ZZ"),
         origin="later.jsonl")
    held, arriving = record_id("csc/A"), record_id("health/B")
    new = person_table({arriving})
    assert held in person_scope(new)  # the same UPRN and the same first initial
    assert held not in person_scope(new.set_column(new.schema.get_field_index("uprns"), "uprns",
                                                   pa.array([[]], pa.list_(pa.string()))))


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["missing", "other_rules", "emptied_and_other_rules"])
def test_missing_or_stale_keys_are_rebuilt_and_give_the_batch_answer(damage) -> None:
    lines = feed_lines()
    random.Random(5).shuffle(lines)
    half = len(lines) // 2
    link_after_load(load(lines[:half], origin="first.jsonl"))
    if damage == "missing":
        BlockingKeyIndex.objects.all().delete()
    else:
        BlockingKeyIndex.objects.update(digest="made-by-other-rules")
        if damage.startswith("emptied"):
            BlockingKey.objects.all().delete()
    assert not keys_are_current()
    link_after_load(load(lines[half:], origin="second.jsonl"))
    assert keys_are_current()
    assert _stored() == _made(person_table())
    incremental = people()
    link_all()
    assert people() == incremental
