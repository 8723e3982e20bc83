"""`persons.score`: every pair with only what clustering needs, the review band in full, and the
same pairs, weights and rules broken as `predict` gives."""

from __future__ import annotations

import pyarrow as pa
import pytest

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.training_data import generate

REVIEW = (-6.0, 0.0)


def _by_pair(pairs: pa.Table) -> dict[tuple[int, int], tuple[float, str | None]]:
    columns = ("record_id_l", "record_id_r", "match_weight", "conflict")
    return {(a, b): (round(w, 6), c) for a, b, w, c in zip(*(pairs[n].to_pylist() for n in columns), strict=True)}


@pytest.mark.parametrize("people", [60, 1500])  # a small job scored pair by pair, and a Splink predict
def test_score_gives_predicts_pairs_slim_and_the_review_band_in_full(people) -> None:
    records = generate(people=people, seed=3).drop_columns(["person_id"])
    full = persons.predict(records)
    scored = persons.score(records, review=REVIEW)

    assert scored.pairs.column_names == list(persons.SLIM_COLUMNS)
    assert _by_pair(scored.pairs) == _by_pair(full)
    in_band = {pair for pair, (w, c) in _by_pair(full).items() if REVIEW[0] <= w < REVIEW[1] and c is None}
    assert in_band, "the generated records should give pairs in the review band"
    assert set(_by_pair(scored.review)) == in_band
    assert set(scored.review.column_names) == set(full.column_names)
    row = scored.review.to_pylist()[0]
    assert persons.explain(row)  # the band has what the review queue puts into words
