"""Training on synthetic records: the model it writes scores pairs and separates people."""

from __future__ import annotations

from collections import Counter

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.evaluation import pair_scores
from safeguard.linkage.engine.model import level_keys
from safeguard.linkage.engine.training import train
from safeguard.linkage.engine.training_data import generate


def test_generated_records_hold_the_traps() -> None:
    records = generate(people=3000, seed=5)
    per_person = Counter(records["person_id"].to_pylist())
    assert records.num_rows > 3000 and max(per_person.values()) >= 3
    assert len(set(records["record_id"].to_pylist())) == records.num_rows


def test_train_gives_a_model_that_links_held_out_records() -> None:
    model = train(generate(people=4000, seed=11).drop_columns(["person_id"]), u_max_pairs=2e5)
    assert 0 < model["probability_two_random_records_match"] < 1
    keys = level_keys(model)
    assert keys["dob"][-1] == "null" and "swap" in keys["dob"].values()
    weights = {
        c["output_column_name"]: {
            lv["label_for_charts"]: lv.get("m_probability") for lv in c["comparison_levels"]
        }
        for c in model["comparisons"]
    }
    assert weights["nhs"]["exact"] > 0.9  # identifiers are near-certain by design

    held_out = generate(people=1500, seed=12, first_record_id=100_000)
    truth = dict(zip(held_out["record_id"].to_pylist(), held_out["person_id"].to_pylist(), strict=True))
    pairs = persons.predict(held_out.drop_columns(["person_id"]), model)
    scores = pair_scores(persons.cluster(truth.keys(), pairs, 0.0, 8.0), truth)
    assert scores.precision >= 0.97 and scores.recall >= 0.85, scores
