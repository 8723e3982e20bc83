"""Scoring arrivals against a held index finds the pairs a batch run scores, with the same weights."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.incremental import HeldIndex
from safeguard.linkage.engine.training_data import generate


def _weights(pairs: pa.Table, new: set[int]) -> dict[tuple[int, int], float]:
    out = {}
    for a, b, w in zip(*(pairs[c].to_pylist() for c in ("record_id_l", "record_id_r", "match_weight")), strict=True):
        if a in new or b in new:
            out[(min(a, b), max(a, b))] = round(w, 6)
    return out


@pytest.mark.parametrize("arrivals", [1, 40, 200])  # 200: more keys and ids than POINT_LOOKUPS
def test_arrivals_scored_against_the_held_index_match_the_batch_pairs(arrivals) -> None:
    records = generate(people=1500, seed=5).drop_columns(["person_id"])
    ids = records["record_id"].to_pylist()
    new_ids = set(random.Random(arrivals).sample(ids, arrivals))
    is_new = pc.is_in(records["record_id"], pa.array(sorted(new_ids), pa.int64()))
    held, new = records.filter(pc.invert(is_new)), records.filter(is_new)

    index = HeldIndex(held)
    try:
        scored = index.score(new)
    finally:
        index.close()
    assert set(scored.column_names) >= {"record_id_l", "record_id_r", "match_weight", "conflict", "gamma_dob"}
    assert _weights(scored, new_ids) == _weights(persons.predict(records), new_ids)
