import csv
import json
import os
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguard.core.errors import SafeguardError
from safeguard.linkage.services import link_all, train_model


def read_truth(path: Path) -> dict[tuple[str, str], str]:
    """(source, id) -> true person, from a CSV with columns source, id, truth_id (and optionally
    kind: rows of other kinds are skipped), as `safeguard generate` writes truth/records.csv."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from exc
    if not rows or not {"source", "id", "truth_id"} <= set(rows[0]):
        raise CommandError(f"{path}: a truth file needs the columns source, id and truth_id")
    return {(r["source"], r["id"]): r["truth_id"] for r in rows if r.get("kind", "person") == "person"}


class Command(BaseCommand):
    help = ("Run person and location linkage over everything held; with --train, train a new person model on "
            "the records held first (kept as a new version; the shipped model stays the default). "
            "--engine spark scores persons on Spark (local mode) for national-scale runs: the same model, "
            "rules and results as DuckDB; it needs the spark extra (uv sync --extra spark).")

    def add_arguments(self, parser):
        parser.add_argument("--train", action="store_true", help="train the person model on the records held")
        parser.add_argument("--truth", type=Path, help="with --train: a CSV (source,id,truth_id) of known people; "
                            "the new model becomes active only if it scores at least as well as the current one")
        parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                            help="where persons are scored: duckdb (default) or spark (local mode, the spark extra)")
        parser.add_argument("--spark-driver-memory", metavar="SIZE",
                            default=os.environ.get("SAFEGUARD_SPARK_DRIVER_MEMORY", "4g"),
                            help="with --engine spark: the JVM heap, which holds everything in local mode "
                            "(default: SAFEGUARD_SPARK_DRIVER_MEMORY, else 4g)")
        parser.add_argument("--spark-partitions", metavar="N", type=int,
                            default=int(os.environ.get("SAFEGUARD_SPARK_PARTITIONS", "8")),
                            help="with --engine spark: shuffle partitions (default: SAFEGUARD_SPARK_PARTITIONS, "
                            "else 8; a few per core, more for bigger runs)")

    def handle(self, *args, train, truth, engine, spark_driver_memory, spark_partitions, **options):
        if truth is not None and not train:
            raise CommandError("--truth goes with --train")
        scorer = self._spark(spark_driver_memory, spark_partitions) if engine == "spark" else nullcontext()
        if train:
            try:
                run = train_model(actor=None, actor_label="command line",
                                  truth=read_truth(truth) if truth is not None else None)
            except SafeguardError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps({"trained": run.model_version, **run.summary}))
        with scorer:
            summary = link_all(actor=None, actor_label="command line",
                               scorer=scorer.score if engine == "spark" else None)
        self.stdout.write(json.dumps(summary))

    def _spark(self, driver_memory: str, partitions: int):
        """A Spark scorer, its files under the data folder; checked before anything else runs."""
        from safeguard.linkage.engine.spark import SparkConfig, SparkMissing, SparkScorer

        try:
            return SparkScorer(SparkConfig(work_dir=Path(settings.DATA_DIR) / "spark", driver_memory=driver_memory,
                                           partitions=partitions))
        except SparkMissing as exc:
            raise CommandError(str(exc)) from exc
