"""Person-linkage speed at force scale (issue 8 "Speed"), on the engine directly.

The person records come from a `safeguard generate` feed (e.g. `--people 600000`, about a million
person records), read straight from the file with `engine.feedfile` rather than through the
database: this measures linkage, not loading. Steps, each timed, with peak memory:

1. batch: prepare + Splink predict (DuckDB, memory limit and a temp folder to spill to) + cluster
   over every record, and accuracy against the generator's truth;
2. raw Splink: `predict` alone with the same model on the same prepared records (no clustering,
   no hard rules, result left in DuckDB), for the ratio;
3. incremental: 1,000 records held back, the rest held in a `HeldIndex`; the 1,000 scored against
   it, and the affected components re-clustered; then single records, one at a time.

    .venv/bin/python benchmarks/linkage_scale.py --feed benchmarks/out/force-600000-1/feed.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from splink import Linker

from safeguard.linkage.engine import model as model_module
from safeguard.linkage.engine import persons
from safeguard.linkage.engine.evaluation import pair_scores
from safeguard.linkage.engine.feedfile import person_records
from safeguard.linkage.engine.incremental import HeldIndex

JOIN, KEEP, REVIEW = 0.0, 8.0, -6.0
KINDS = ('"kind": "person"', '"kind": "location"', '"kind": "person_location"')


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lines(feed: Path) -> Iterator[dict]:
    with feed.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(KINDS, 1):  # skip events without parsing them
                yield json.loads(line)


def write_input(feed: Path, out: Path) -> None:
    """Person records and their truth as Parquet (run in a child process: the feed's Python
    objects would otherwise count in the benchmark's peak memory)."""
    table, ids = person_records(_lines(feed))
    truth_file = feed.parent / "truth" / "records.csv"
    with truth_file.open(encoding="utf-8") as handle:
        truth = {(r["source"], r["id"]): r["truth_id"] for r in csv.DictReader(handle) if r["kind"] == "person"}
    by_id = {rid: truth.get(key) for key, rid in ids.items()}
    table = table.append_column("truth", pa.array([by_id[r] for r in table["record_id"].to_pylist()], pa.string()))
    pq.write_table(table, out)


def timed(label: str, results: dict, fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    results[label] = round(time.perf_counter() - start, 3)
    print(f"{label}: {results[label]:.2f} s (peak {peak_mib():,.0f} MiB)", flush=True)
    return value


def configure(spill: str, memory_limit: str) -> None:
    con = persons.engine().db_api.duckdb_con
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = false")


def raw_predict(prepared: pa.Table) -> int:
    """Splink's own predict with the same model and prepared records; the result stays in DuckDB."""
    eng = persons.engine()
    sdf = eng.db_api.register(persons.with_blocking_places(prepared))
    linker = Linker(sdf, eng.settings, log_level=logging.WARNING)
    predictions = linker.inference.predict()
    count = eng.db_api.duckdb_con.sql(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0]  # noqa: S608
    predictions.drop_table_from_database_and_remove_from_cache()
    eng.db_api.duckdb_con.unregister(sdf.physical_name)
    return count


class Components:
    """The held clusters and the scored pairs inside each, sorted by cluster, so that the pairs
    of a few components are found by binary search (the batch run's pairs stand for what the
    held records' components were built from)."""

    def __init__(self, clusters: dict[int, int], pairs: pa.Table):
        self.clusters = clusters
        self.members: dict[int, list[int]] = {}
        for r, k in clusters.items():
            self.members.setdefault(k, []).append(r)
        keys_l = np.array([clusters.get(r, -1) for r in pairs["record_id_l"].to_pylist()])
        keys_r = np.array([clusters.get(r, -2) for r in pairs["record_id_r"].to_pylist()])
        inside = pairs.filter(pa.array(keys_l == keys_r))
        keys = keys_l[keys_l == keys_r]
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.pairs = inside.take(pa.array(order)).select(["record_id_l", "record_id_r", "match_weight", "conflict"])

    def pairs_of(self, keys: set[int]) -> pa.Table:
        slices = [self.pairs.slice(int(lo), int(hi - lo)) for k in sorted(keys)
                  for lo, hi in [(np.searchsorted(self.keys, k, "left"), np.searchsorted(self.keys, k, "right"))]]
        return pa.concat_tables([self.pairs.slice(0, 0), *slices])


def recluster(index: HeldIndex, new: pa.Table, held: Components) -> int:
    """Score arrivals and re-cluster only the components they touch."""
    scored = index.score(new)
    touched = {held.clusters[r] for r in scored["record_id_l"].to_pylist() if r in held.clusters}
    records = {r for key in touched for r in held.members[key]} | set(new["record_id"].to_pylist())
    columns = ["record_id_l", "record_id_r", "match_weight", "conflict"]
    combined = pa.concat_tables([held.pairs_of(touched), scored.select(columns).cast(held.pairs.schema)])
    return len(set(persons.cluster(records, combined, JOIN, KEEP).values()))


def timed_cpu(fn, *args) -> tuple[float, float]:
    """(wall, CPU) milliseconds: the machine is shared, and CPU time is what this process needed."""
    start, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feed", type=Path, required=True)
    parser.add_argument("--memory-limit", default="5GB", help="DuckDB's memory limit (default 5GB)")
    parser.add_argument("--arrivals", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=20)
    parser.add_argument("--model", type=Path, help="a model JSON file to use instead of the shipped one")
    parser.add_argument("--accuracy-only", action="store_true", help="the batch and its accuracy only (step 1)")
    parser.add_argument("--records", type=Path, help="the person records and truth as a --save run wrote them")
    parser.add_argument("--save", type=Path, help="a folder to write the batch's records, pairs and clusters to")
    parser.add_argument("--write-input", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.write_input:
        write_input(options.feed, options.write_input)
        return
    if options.model:
        model_module.MODEL_PATH = options.model
        model_module._shipped_model.cache_clear()
    logging.getLogger("splink").setLevel(logging.WARNING)
    results: dict = {"machine": f"{os.cpu_count()} cores", "feed": str(options.feed)}
    with tempfile.TemporaryDirectory(prefix="linkage-scale-") as tmp:
        parquet = Path(tmp) / "persons.parquet"
        start = time.perf_counter()
        if options.records:
            parquet = options.records
        else:
            subprocess.run([sys.executable, __file__, "--feed", str(options.feed), "--write-input", str(parquet)],
                           check=True)
        results["read_feed_s"] = round(time.perf_counter() - start, 1)
        table = pq.read_table(parquet)
        truth = dict(zip(table["record_id"].to_pylist(), table["truth"].to_pylist(), strict=True))
        if options.save:
            options.save.mkdir(parents=True, exist_ok=True)
            if not options.records:
                pq.write_table(table, options.save / "records.parquet")
        table = table.drop_columns(["truth"])
        results["person_records"] = table.num_rows
        print(f"{table.num_rows:,} person records read in {results['read_feed_s']} s", flush=True)
        configure(str(Path(tmp) / "spill"), options.memory_limit)

        # 1. batch
        prepared = timed("batch_prepare_s", results, persons.prepare, table)
        # Every pair with the columns clustering needs; the review band (weights -6 to 0, the
        # application's defaults) with every column, as `link` fetches them.
        scored = timed("batch_predict_s", results, lambda t: persons.score(t, review=(REVIEW, JOIN)), prepared)
        pairs = scored.pairs
        results["review_band_pairs"] = scored.review.num_rows
        del scored
        clusters = timed("batch_cluster_s", results, persons.cluster, table["record_id"].to_pylist(), pairs, JOIN, KEEP)
        results["batch_total_s"] = round(results["batch_prepare_s"] + results["batch_predict_s"]
                                         + results["batch_cluster_s"], 1)
        results["scored_pairs"] = pairs.num_rows
        results["batch_peak_mib"] = round(peak_mib())
        scores = pair_scores(clusters, truth)
        results.update(precision=round(scores.precision, 4), recall=round(scores.recall, 4), f1=round(scores.f1, 4))
        if options.save:
            pq.write_table(pairs, options.save / "pairs.parquet")
            pq.write_table(pa.table({"record_id": pa.array(list(clusters), pa.int64()),
                                     "cluster": pa.array(list(clusters.values()), pa.int64())}),
                           options.save / "clusters.parquet")
        print(json.dumps(results), flush=True)
        if options.accuracy_only:
            return

        # 2. raw Splink predict
        raw_pairs = timed("raw_splink_predict_s", results, raw_predict, prepared)
        results["raw_splink_pairs"] = raw_pairs
        results["ratio_batch_to_raw_predict"] = round(results["batch_total_s"] / results["raw_splink_predict_s"], 2)

        # 3. incremental
        pairs = pairs.select(["record_id_l", "record_id_r", "match_weight", "conflict"])
        rng = random.Random(1)
        arrivals = rng.sample(table["record_id"].to_pylist(), options.arrivals + options.singles)
        arriving = pa.array(sorted(arrivals), pa.int64())
        index = timed("held_index_build_s", results, HeldIndex, prepared.filter(
            pc.invert(pc.is_in(prepared["record_id"], arriving))))
        held_pairs = pairs.filter(pc.invert(pc.or_(pc.is_in(pairs["record_id_l"], arriving),
                                                   pc.is_in(pairs["record_id_r"], arriving))))
        gone = set(arrivals)
        held = timed("held_components_s", results, Components,
                     {r: k for r, k in clusters.items() if r not in gone}, held_pairs)
        new = prepared.filter(pc.is_in(prepared["record_id"], pa.array(arrivals[:options.arrivals], pa.int64())))
        singles = [prepared.filter(pc.equal(prepared["record_id"], rid)) for rid in arrivals[options.arrivals:]]
        recluster(index, singles[0], held)  # the first call generates and caches the scoring SQL
        wall, cpu = timed_cpu(recluster, index, new, held)
        results[f"incremental_{options.arrivals}_wall_s"] = round(wall / 1000, 2)
        results[f"incremental_{options.arrivals}_cpu_s"] = round(cpu / 1000, 2)
        print(f"{options.arrivals} arrivals: {wall / 1000:.2f} s wall, {cpu / 1000:.2f} s CPU", flush=True)
        timings = [timed_cpu(recluster, index, one, held) for one in singles[1:]]
        for name, column in (("wall", 0), ("cpu", 1)):
            values = [t[column] for t in timings]
            results[f"single_record_{name}_ms_median"] = round(statistics.median(values), 1)
            results[f"single_record_{name}_ms_max"] = round(max(values), 1)
        results["load_average_at_end"] = os.getloadavg()
        results["peak_mib"] = round(peak_mib())
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
