"""Accuracy of a clustering against the truth, counted over record pairs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PairScores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: Counter[Hashable]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def pair_scores(predicted: Mapping[int, Hashable], truth: Mapping[int, Hashable]) -> PairScores:
    """Record pairs put together by `predicted` (record -> cluster) against those `truth` puts together."""
    both = _pairs(Counter((predicted[r], truth[r]) for r in truth))
    found = _pairs(Counter(predicted[r] for r in truth))
    real = _pairs(Counter(truth.values()))
    return PairScores(both, found - both, real - both)
