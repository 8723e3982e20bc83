"""Drawing the sample: random, stratified by case type and risk level, reproducible from a seed.

Each stratum gets a share of the sample in proportion to its size (largest remainders, ties to
the stratum that sorts first), then that many cases are drawn from it at random. Strata and the
cases in them are put in a fixed order before drawing, so the same seed over the same cases
always gives the same sample, on any database.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

from safeguard.core.errors import SafeguardError


def stratum_of(category: str, risk_level: str) -> str:
    return f"{category}|{risk_level}"


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """How many to draw from each stratum: proportional, summing to n."""
    total = sum(sizes.values())
    if n > total:
        raise SafeguardError(f"The sample size ({n}) is larger than the number of cases in scope ({total}). "
                             "Choose a smaller sample or widen the scope.")
    if total == 0:
        return dict.fromkeys(sizes, 0)
    exact = {key: n * size / total for key, size in sizes.items()}
    shares = {key: int(value) for key, value in exact.items()}
    left = n - sum(shares.values())
    by_remainder = sorted(sizes, key=lambda key: (-(exact[key] - shares[key]), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


def draw(population: Iterable[tuple[int, str]], n: int, seed: int) -> list[tuple[int, str]]:
    """(case id, stratum) pairs drawn from the population, in drawing order."""
    strata: dict[str, list[int]] = defaultdict(list)
    for case_id, stratum in population:
        strata[stratum].append(case_id)
    shares = allocate({key: len(ids) for key, ids in strata.items()}, n)
    rng = random.Random(seed)  # noqa: S311 (reproducible on purpose, not secret)
    drawn = []
    for key in sorted(strata):
        drawn.extend((case_id, key) for case_id in rng.sample(sorted(strata[key]), shares[key]))
    return drawn
