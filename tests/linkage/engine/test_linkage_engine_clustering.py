"""Clustering scored pairs: thresholds, hard rules, weak bridges and ambiguous records."""

from __future__ import annotations

import pyarrow as pa

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.clustering import cluster
from safeguard.linkage.engine.evaluation import pair_scores
from safeguard.linkage.engine.feedfile import RECORD_SCHEMA


def pairs(*rows: tuple[int, int, float, str | None]) -> pa.Table:
    left, right, weight, conflict = zip(*rows, strict=True)
    return pa.table({"record_id_l": left, "record_id_r": right, "match_weight": weight, "conflict": conflict})


def groups(mapping: dict[int, int]) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for rid, key in mapping.items():
        out.setdefault(key, set()).add(rid)
    return {frozenset(g) for g in out.values()}


def test_links_at_or_above_the_join_threshold_join() -> None:
    result = cluster([1, 2, 3, 4], pairs((1, 2, 6.0, None), (3, 4, 5.9, None)), 6, 12)
    assert groups(result) == {frozenset({1, 2}), frozenset({3}), frozenset({4})}
    assert result[2] == 1  # the key is the smallest record id


def test_a_pair_that_breaks_a_hard_rule_never_joins() -> None:
    assert groups(cluster([1, 2], pairs((1, 2, 30.0, "twins")), 6, 12)) == {frozenset({1}), frozenset({2})}


def test_a_chain_through_a_hard_rule_is_split_at_its_weakest_link() -> None:
    # 1-2 strong, 2-3 weaker, but 1 and 3 must not link (twins): 3 goes alone.
    result = cluster([1, 2, 3], pairs((1, 2, 20.0, None), (2, 3, 9.0, None), (1, 3, 15.0, "twins")), 6, 12)
    assert groups(result) == {frozenset({1, 2}), frozenset({3})}


def test_a_weak_bridge_needs_support_across_it() -> None:
    # 1-2 and 3-4 are strong pairs; 2-3 is a weak link and 1-3, 1-4, 2-4 say otherwise.
    scored = pairs(
        (1, 2, 20.0, None), (3, 4, 20.0, None), (2, 3, 7.0, None),
        (1, 3, -8.0, None), (1, 4, -9.0, None), (2, 4, -2.0, None),
    )  # fmt: skip
    assert groups(cluster([1, 2, 3, 4], scored, 6, 12)) == {frozenset({1, 2}), frozenset({3, 4})}


def test_a_weak_bridge_without_evidence_against_holds() -> None:
    scored = pairs((1, 2, 20.0, None), (2, 3, 7.0, None))
    assert groups(cluster([1, 2, 3], scored, 6, 12)) == {frozenset({1, 2, 3})}


def test_a_record_as_close_to_two_rivals_joins_neither() -> None:
    scored = pairs((1, 3, 9.0, None), (2, 3, 9.5, None), (1, 2, 10.0, "generations"))
    assert groups(cluster([1, 2, 3], scored, 6, 12)) == {frozenset({1}), frozenset({2}), frozenset({3})}


def test_a_record_much_closer_to_one_rival_joins_it() -> None:
    scored = pairs((1, 3, 25.0, None), (2, 3, 9.0, None), (1, 2, 10.0, "generations"))
    assert groups(cluster([1, 2, 3], scored, 6, 12)) == {frozenset({1, 3}), frozenset({2})}


def test_one_garbled_record_does_not_split_a_person_held_many_times() -> None:
    # five records of one person; one pair among them breaks a rule, every other pair is strong
    rows = [(a, b, 20.0, None) for a in range(1, 6) for b in range(a + 1, 6) if (a, b) != (1, 5)]
    scored = pairs(*rows, (1, 5, 12.0, "twins"))
    assert groups(cluster(range(1, 6), scored, 6, 12)) == {frozenset(range(1, 6))}


def test_records_without_pairs_are_their_own_clusters() -> None:
    assert cluster([7, 8], pairs((7, 9, 1.0, None)), 6, 12) == {7: 7, 8: 8, 9: 9}


def test_pair_scores() -> None:
    scores = pair_scores({1: 1, 2: 1, 3: 3, 4: 3}, {1: "a", 2: "a", 3: "a", 4: "b"})
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (1, 1, 2)
    assert scores.precision == 0.5 and round(scores.recall, 3) == 0.333


# Two brothers of the same name at one address, born five years apart (as the synthetic force
# has them): strong links of name and place must not outvote the dates of birth.
WILLIAMS_HOME = {"postcodes": ["NN16 8AB"], "uprns": ["100031234567"], "sex": "male"}
WILLIAMS_BROTHERS = {
    "health/H1": {"given_names": "Alexander David", "family_name": "Williams", "dob": "2007-07-19",
                  "nhs": "9434765919", **WILLIAMS_HOME},
    "education/E1": {"given_names": "Alexander", "family_name": "Williams", "dob": "2007-07-19", **WILLIAMS_HOME},
    "police/P1": {"given_names": "Alexander D", "family_name": "Williams", "dob": "2007-07-19", **WILLIAMS_HOME},
    "health/H2": {"given_names": "Alexander Lee", "family_name": "Williams", "dob": "2012-04-06",
                  "nhs": "9434765870", **WILLIAMS_HOME},
    "education/E2": {"given_names": "Alexander", "family_name": "Williams", "dob": "2012-04-06", **WILLIAMS_HOME},
    "csc/C2": {"given_names": "Alexander Lee", "family_name": "WILLIAMS", "dob": "2012-04", **WILLIAMS_HOME},
}  # fmt: skip


def engine_people(records: dict[str, dict]) -> set[frozenset[str]]:
    rows = []
    for i, (name, fields) in enumerate(records.items(), start=1):
        empty = {f.name: [] if pa.types.is_list(f.type) else None for f in RECORD_SCHEMA}
        rows.append({**empty, "record_id": i, "source": name.split("/")[0], **fields})
    names = dict(enumerate(records, start=1))
    clusters = persons.cluster(names, persons.predict(pa.Table.from_pylist(rows, schema=RECORD_SCHEMA)), 0.0, 8.0)
    return {frozenset(names[r] for r in g) for g in groups(clusters)}


def test_brothers_of_the_same_name_born_years_apart_stay_apart() -> None:
    assert engine_people(WILLIAMS_BROTHERS) == {
        frozenset({"health/H1", "education/E1", "police/P1"}),
        frozenset({"health/H2", "education/E2", "csc/C2"}),
    }


def test_a_record_of_one_brother_with_a_digit_wrong_in_the_year_still_joins_him() -> None:
    slip = {**WILLIAMS_BROTHERS, "police/P1": {**WILLIAMS_BROTHERS["police/P1"], "dob": "2017-07-19"}}
    assert engine_people(slip) == {
        frozenset({"health/H1", "education/E1", "police/P1"}),
        frozenset({"health/H2", "education/E2", "csc/C2"}),
    }
