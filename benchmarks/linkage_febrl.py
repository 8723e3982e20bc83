"""Person-linkage accuracy on FEBRL4 (two sources, 5,000 x 5,000) and FEBRL3 (deduplication, 5,000).

Compares, by precision, recall and F1 over record pairs:
  (a) this engine (`safeguard.linkage.engine`): predict + cluster, with the shipped model and
      with a model trained on the data itself by `training.train` (as `safeguard link --train`);
  (b) raw Splink 5 with its standard comparisons, trained on the data the usual way (u by random
      sampling, EM blocked on date of birth and on names) and clustered by connected components.

FEBRL's own ids give the answer away, so records get fresh ids in shuffled order.

    .venv/bin/python benchmarks/linkage_febrl.py
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.evaluation import PairScores, pair_scores
from safeguard.linkage.engine.febrl import febrl3, febrl4
from safeguard.linkage.engine.training import train

JOIN, KEEP = 0.0, 8.0  # the engine's recommended thresholds (match weight)
RAW_THRESHOLD = 0.9  # raw Splink: the usual match probability threshold


def engine(table: pa.Table, truth: dict[int, str], model: Any) -> PairScores:
    pairs = persons.predict(table, model)
    return pair_scores(persons.cluster(truth.keys(), pairs, JOIN, KEEP), truth)


def raw_splink(table: pa.Table, truth: dict[int, str], link_only: bool, threshold: float) -> PairScores:
    frame = pa.table(
        {
            "unique_id": table["record_id"],
            "source_dataset": table["source"],
            "given_name": table["given_names"],
            "surname": table["family_name"],
            "dob": table["dob"],
            "soc_sec_id": table["ni"],
            "postcode": [p[0] if p else None for p in table["postcodes"].to_pylist()],
            "address": [a[0].split("|")[0] if a else None for a in table["addresses"].to_pylist()],
        }
    ).to_pandas()
    settings = SettingsCreator(
        link_type="link_only" if link_only else "dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "dob"),
            block_on("given_name", "dob"),
            block_on("soc_sec_id"),
            block_on("postcode", "address"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    if link_only:
        inputs = [db_api.register(frame[frame.source_dataset == s].copy()) for s in ("a", "b")]
        linker = Linker(inputs, settings, log_level=logging.ERROR)
    else:
        linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "dob"), block_on("soc_sec_id")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    ids = clusters["unique_id"].astype(int).tolist()
    predicted = dict(zip(ids, clusters["cluster_id"].astype(str).tolist(), strict=True))
    return pair_scores(predicted, truth)


def trained_engine(table: pa.Table, truth: dict[int, str]) -> PairScores:
    return engine(table, truth, train(table, u_max_pairs=2e6))


def main() -> None:
    logging.getLogger("splink").setLevel(logging.ERROR)
    print(f"{'data':8} {'method':44} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8}")
    for name, load, link_only in (("FEBRL4", febrl4, True), ("FEBRL3", febrl3, False)):
        table, truth = load()
        runs: list[tuple[str, Callable[[], PairScores]]] = [
            (f"engine, shipped model (join {JOIN:g}, keep {KEEP:g})", partial(engine, table, truth, None)),
            ("engine, trained on the data (incl. training)", partial(trained_engine, table, truth)),
            (
                f"raw Splink 5, p >= {RAW_THRESHOLD}",
                partial(raw_splink, table, truth, link_only, RAW_THRESHOLD),
            ),
            ("raw Splink 5, p >= 0.5", partial(raw_splink, table, truth, link_only, 0.5)),
        ]
        for label, run in runs:
            start = time.perf_counter()
            scores = run()
            seconds = time.perf_counter() - start
            print(
                f"{name:8} {label:44} {scores.precision:9.4f} {scores.recall:7.4f} {scores.f1:7.4f} {seconds:8.1f}"
            )


if __name__ == "__main__":
    main()
