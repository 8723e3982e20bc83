"""Person matching with the shipped model: the maple-road example and the known traps."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.feedfile import RECORD_SCHEMA, person_records, read_lines

EXAMPLE = Path(__file__).resolve().parents[4] / "shared" / "examples" / "maple-road.jsonl"
JOIN, KEEP = 0.0, 8.0

MAPLE_14 = {"postcodes": ["NN16 8AB"], "uprns": ["100031234567"]}
MAPLE_14_HEALTH = {"postcodes": ["nn168ab"]}
MAPLE_16 = {"postcodes": ["NN16 8AB"], "uprns": ["100031234569"]}

# The 14 person records of maple-road.jsonl with the postcodes and UPRNs of the places each one
# resides at or has notified (the nursery a child attends is not a home).
MAPLE_ROAD: dict[str, dict[str, Any]] = {
    "csc/C1": {"given_names": "Lily", "family_name": "HARPER", "dob": "2023-06-14", "sex": "female",
               "nhs": "9434765919", **MAPLE_14},
    "csc/C2": {"given_names": "Jade", "family_name": "HARPER", "dob": "1998-02-20", "sex": "female", **MAPLE_14},
    "csc/C3": {"given_names": "Tyler", "family_name": "Brooks", "dob": "2011-04-09", "sex": "male",
               "postcodes": ["NN15 7CD"]},
    "csc/C4": {"given_names": "Noah", "family_name": "PATEL", "dob": "2019-02-02", "sex": "male", **MAPLE_16},
    "health/H1": {"given_names": "Lilly", "family_name": "Harper", "dob": "2023-06-14", "sex": "female",
                  "nhs": "9434765919", **MAPLE_14_HEALTH},
    "health/H2": {"given_names": "Jade", "family_name": "Harper", "dob": "1998-02-20", "sex": "female"},
    "health/H3": {"given_names": "Dan", "family_name": "Price", "dob": "1990-03-11", "sex": "male", **MAPLE_14_HEALTH},
    "education/E1": {"given_names": "Lily", "family_name": "Harper", "dob": "2023-06-14", "sex": "female"},
    "police/P1": {"given_names": "Daniel James", "family_name": "PRICE", "dob": "1990-03-11", "sex": "male",
                  "pnc": "2009/0123456X", "postcodes": ["NN16 0BB"]},
    "police/P2": {"given_names": "Tyler", "family_name": "BROOKS", "dob": "2011-04-09", "sex": "male"},
    "police/P3": {"given_names": "Mark", "family_name": "ELLIS", "dob": "1975-08-21", "sex": "male"},
    "police/P4": {"given_names": "Jade", "family_name": "HARPER", "dob": "1998-02-20", "sex": "female"},
    "police/P6": {"given_names": "Sanjay", "family_name": "PATEL", "dob": "1985-07-30", "sex": "male", **MAPLE_16},
    "visor/V1": {"given_names": "Mark", "family_name": "Ellis", "dob": "1975-08-21", "sex": "male",
                 "visor": "VS-0042", "postcodes": ["NN17 2QT"], "uprns": ["100031999888"]},
}  # fmt: skip

MAPLE_ROAD_PEOPLE = {
    frozenset({"csc/C1", "health/H1", "education/E1"}),
    frozenset({"csc/C2", "health/H2", "police/P4"}),
    frozenset({"csc/C3", "police/P2"}),
    frozenset({"csc/C4"}),
    frozenset({"health/H3", "police/P1"}),
    frozenset({"police/P3", "visor/V1"}),
    frozenset({"police/P6"}),
}


def table(records: dict[str, dict[str, Any]], first_id: int = 1) -> tuple[pa.Table, dict[int, str]]:
    """Person records named `source/id`, with every column of the input schema."""
    rows, names = [], {}
    for i, (name, fields) in enumerate(records.items(), start=first_id):
        empty = {f.name: [] if pa.types.is_list(f.type) else None for f in RECORD_SCHEMA}
        rows.append({**empty, "record_id": i, "source": name.split("/")[0], "sex": "unknown", **fields})
        names[i] = name
    return pa.Table.from_pylist(rows, schema=RECORD_SCHEMA), names


def people(records: dict[str, dict[str, Any]]) -> set[frozenset[str]]:
    t, names = table(records)
    clusters = persons.cluster(names, persons.predict(t), JOIN, KEEP)
    groups: dict[int, set[str]] = defaultdict(set)
    for rid, key in clusters.items():
        groups[key].add(names[rid])
    return {frozenset(g) for g in groups.values()}


def pair(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    t, _ = table({"x/A": a, "y/B": b})
    rows = persons.predict(t).to_pylist()
    assert len(rows) == 1
    return rows[0]


def linked(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return len(people({"x/A": a, "y/B": b})) == 1


def test_maple_road_resolves_into_its_seven_people() -> None:
    assert people(MAPLE_ROAD) == MAPLE_ROAD_PEOPLE


def test_maple_road_from_the_feed_file_gives_the_same_people() -> None:
    records, ids = person_records(read_lines(EXAMPLE))
    names = {rid: f"{source}/{ident}" for (source, ident), rid in ids.items()}
    clusters = persons.cluster(names, persons.predict(records), JOIN, KEEP)
    groups: dict[int, set[str]] = defaultdict(set)
    for rid, key in clusters.items():
        groups[key].add(names[rid])
    assert {frozenset(g) for g in groups.values()} == MAPLE_ROAD_PEOPLE


def test_the_order_of_records_does_not_change_the_people() -> None:
    reordered = dict(reversed(list(MAPLE_ROAD.items())))
    assert people(reordered) == MAPLE_ROAD_PEOPLE


DAN = {"given_names": "Dan", "family_name": "Price", "dob": "1990-03-11", "sex": "male", **MAPLE_14}
DANIEL = {"given_names": "Daniel James", "family_name": "PRICE", "dob": "1990-03-11", "sex": "male"}


def test_nickname_links_and_is_explained() -> None:
    scored = pair(DAN, DANIEL)
    assert scored["match_weight"] >= JOIN + 4
    assert "For: forename Dan is a nickname of Daniel" in persons.explain(scored)
    assert linked(DAN, DANIEL)


SARAH = {"given_names": "Sarah", "family_name": "Jones", "dob": "1985-04-07", "sex": "female",
         "postcodes": ["NN16 9AA"]}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"dob": "1985-07-04"}, "date of birth day and month swapped"),
        ({"dob": "1985-04"}, "dates of birth agree on year and month"),
        ({"dob": "1985"}, "dates of birth agree on the year"),
        ({"family_name": "Jnoes"}, "surnames Jones and Jnoes differ by one letter"),
        ({"given_names": "Sara"}, "forename"),
        ({"family_name": "Jones-Baker"}, "share a part"),
        ({"dob": "1985-04-08"}, "dates of birth one digit apart"),
    ],
)
def test_usual_errors_still_link(change: dict[str, Any], phrase: str) -> None:
    other = {**SARAH, **change}
    scored = pair(SARAH, other)
    assert scored["conflict"] is None
    assert any(phrase in line for line in persons.explain(scored)), persons.explain(scored)
    assert linked(SARAH, other)


def test_an_alias_links_a_changed_surname() -> None:
    married = {**SARAH, "family_name": "Baker", "aliases": [{"given_names": "Sarah", "family_name": "Jones"}]}
    assert linked(SARAH, married)


def test_twins_do_not_link() -> None:
    oliver = {"given_names": "Oliver", "family_name": "Smith", "dob": "2015-05-01", "sex": "male", **MAPLE_14}
    harry = {**oliver, "given_names": "Harry"}
    scored = pair(oliver, harry)
    assert scored["conflict"] == "twins"
    assert persons.explain(scored)[0].startswith("Must not link: likely twins")
    assert not linked(oliver, harry)


def test_twins_with_similar_real_names_do_not_link() -> None:
    jack = {"given_names": "Jack", "family_name": "Smith", "dob": "2015-05-01", "sex": "male", **MAPLE_14}
    assert not linked(jack, {**jack, "given_names": "Jake"})


def test_a_father_and_son_of_the_same_name_do_not_link() -> None:
    father = {"given_names": "John", "family_name": "Bell", "dob": "1970-01-05", "sex": "male", **MAPLE_14}
    son = {**father, "dob": "1995-06-10"}
    assert pair(father, son)["conflict"] == "generations"
    assert not linked(father, son)


def test_a_record_between_father_and_son_joins_neither() -> None:
    father = {"given_names": "John", "family_name": "Bell", "dob": "1970-01-05", "sex": "male", **MAPLE_14}
    son = {**father, "dob": "1995-06-10"}
    unknown = {"given_names": "John", "family_name": "BELL", "sex": "male", **MAPLE_14}
    assert people({"a/F": father, "b/S": son, "c/U": unknown}) == {
        frozenset({"a/F"}),
        frozenset({"b/S"}),
        frozenset({"c/U"}),
    }


def test_two_different_nhs_numbers_do_not_link() -> None:
    amy = {"given_names": "Amy", "family_name": "Clarke", "dob": "2001-02-03", "sex": "female",
           "nhs": "9434765919", **MAPLE_14}  # fmt: skip
    other = {**amy, "nhs": "9434765870"}
    scored = pair(amy, other)
    assert scored["conflict"] == "different_nhs"
    assert "Must not link: two different NHS numbers" in persons.explain(scored)
    assert not linked(amy, other)


def test_the_same_nhs_number_links_despite_other_differences() -> None:
    a = {"given_names": "Chloe", "family_name": "Wright", "dob": "2010-01-01", "nhs": "9434765919"}
    b = {"given_names": "Chloe", "family_name": "Hughes", "dob": "2010-01-10", "nhs": "943 476 5919"}
    assert linked(a, b)


def test_a_mothers_nhs_number_on_her_babys_record_does_not_link_them() -> None:
    mother = {"given_names": "Jade", "family_name": "Harper", "dob": "1998-02-20", "sex": "female",
              "nhs": "9434765919", **MAPLE_14}  # fmt: skip
    baby = {**mother, "given_names": "Lily", "dob": "2023-06-14"}
    assert pair(mother, baby)["conflict"] == "generations"
    assert not linked(mother, baby)


def test_predict_between_scores_new_records_against_held_ones_only() -> None:
    held, names = table(MAPLE_ROAD)
    new, _ = table({"police/P9": {"given_names": "Danny", "family_name": "Price", "dob": "1990-03-11", "sex": "male"}},
                   first_id=100)  # fmt: skip
    pairs = persons.predict_between(held, new)
    assert set(pairs["record_id_r"].to_pylist()) == {100}
    best = max(pairs.to_pylist(), key=lambda p: p["match_weight"])
    assert names[best["record_id_l"]] in {"health/H3", "police/P1"}
    assert best["match_weight"] >= JOIN
    assert persons.predict_within(new).num_rows == 0


def test_small_and_large_jobs_score_a_pair_the_same() -> None:
    t, _ = table(MAPLE_ROAD)
    small = {(p["record_id_l"], p["record_id_r"]): p["match_weight"] for p in persons.predict(t).to_pylist()}
    padding, _ = table(
        {
            f"pad/{i}": {"given_names": f"Person{i}", "family_name": "Nobody", "dob": "1950-01-01"}
            for i in range(300)
        },
        first_id=1000,
    )
    large = persons.predict(pa.concat_tables([t, padding]))
    for p in large.to_pylist():
        key = (p["record_id_l"], p["record_id_r"])
        if key in small:
            assert p["match_weight"] == pytest.approx(small[key])


def test_prepare_derives_matching_columns() -> None:
    t, _ = table({"police/P1": {**MAPLE_ROAD["police/P1"], "family_name": "Price-Jones",
                                "aliases": [{"given_names": "Danny", "family_name": "Smith"}]}})  # fmt: skip
    row = persons.prepare(t).to_pylist()[0]
    assert (row["fn1"], row["fn1_canon"], row["mid"]) == ("daniel", "daniel", "james")
    assert (row["sn"], set(row["sn_all"])) == ("pricejones", {"pricejones", "price", "jones", "smith"})
    assert (row["dob_y"], row["dob_m"], row["dob_d"], row["dob_s"]) == (1990, 3, 11, "19900311")
    assert row["pnc"] == "20090123456X"
    assert "danny" in row["fn_all"]


def test_the_shipped_model_is_valid_json_with_every_comparison() -> None:
    model = json.loads((Path(persons.__file__).parent.parent / "data" / "person_model.json").read_text())
    names = {c["output_column_name"] for c in model["comparisons"]}
    assert {"fn", "mid", "sn", "dob", "sex", "nhs", "pnc", "loc"} <= names
    assert 0 < model["probability_two_random_records_match"] < 1
