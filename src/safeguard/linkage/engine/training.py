"""Training the person model on a force's own records (unsupervised: no labels needed).

Splink cannot train on tiny data (the match prior comes out 0 and predict fails), so a model
trained on synthetic records ships in `linkage/data/person_model.json`; `train` is for volume
(tens of thousands of records and up).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from splink import DuckDBAPI, Linker, block_on

from .model import IDENTIFIERS, MODEL_PATH, settings_creator
from .persons import configure_duckdb, prepare, with_blocking_places
from .training_data import generate

# No probability below one in a million: a level trained on too few pairs can come out at zero,
# and then one comparison would decide every pair on its own.
_MIN_PROBABILITY = 1e-6


def train(table: Any, *, seed: int = 1, u_max_pairs: float = 5e6) -> dict[str, Any]:
    """Estimate the model's parameters from `table` (person records as for `persons.prepare`).

    u probabilities by random sampling; the match prior from near-certain rules; m probabilities
    by expectation maximisation over pairs blocked on date of birth, then on name.
    """
    prepared = prepare(table)
    db_api = DuckDBAPI()
    configure_duckdb(db_api.duckdb_con)
    linker = Linker(
        db_api.register(with_blocking_places(prepared)), settings_creator(), log_level=logging.ERROR
    )
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("fn1", "sn", "dob_s"), *(block_on(c) for c in IDENTIFIERS)], recall=0.8
    )
    training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    training.estimate_parameters_using_expectation_maximisation(block_on("dob_s"))
    training.estimate_parameters_using_expectation_maximisation(block_on("fn1", "sn"))
    model = linker.misc.save_model_to_json()
    _complete(model)
    return model


def _complete(model: dict[str, Any]) -> None:
    """Fill what training could not estimate, so Splink never falls back to its generic defaults.

    A level never seen among the randomly sampled pairs is rarer than one in millions: u gets the
    floor. A level never seen in the blocked pairs used for EM says nothing either way: m = u.
    """
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            u = level.get("u_probability")
            level["u_probability"] = (
                max(float(u), _MIN_PROBABILITY) if isinstance(u, float | int) else _MIN_PROBABILITY
            )
            m = level.get("m_probability")
            level["m_probability"] = (
                max(float(m), _MIN_PROBABILITY) if isinstance(m, float | int) else level["u_probability"]
            )


def train_shipped_model(people: int = 30000, seed: int = 1, out: Path = MODEL_PATH) -> dict[str, Any]:
    """Retrain the model that ships with the package on synthetic records, and write it."""

    records = generate(people=people, seed=seed).drop_columns(["person_id"])
    model = train(records, seed=seed)
    out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    return model
