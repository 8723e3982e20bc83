"""Person matching on Splink's Spark backend, for national-scale batch runs (`link --engine spark`).

The same model as `persons` (the shipped one or a retrained one), the same prepared columns, the
same blocking rules, comparisons, hard rules (`persons.conflict_sql`) and review band: only the
SQL engine differs. pyspark is an optional extra (`uv sync --extra spark`); nothing here imports
it until a Spark run starts, and `require_pyspark` says how to install it when it is missing.

Spark runs in local mode with no network: the driver binds to 127.0.0.1, the web UI is off, the
only jar is the similarity jar shipped inside the Splink wheel, and every file Spark writes (local
dirs, checkpoints, the JVM's temp files) goes under one folder of the run, removed when it stops.

The model's comparisons are written in DuckDB's SQL. Each DuckDB-only function has a Spark
equivalent (`SPARK_FUNCTIONS`), checked when the settings are built: a model naming any other
function is refused rather than silently scored differently.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from .model import load_model, settings_creator
from .persons import _LIST_COLUMNS as persons_list_columns
from .persons import (
    PREPARED_SCHEMA,
    SLIM_COLUMNS,
    SMALL_JOB_PAIRS,
    Model,
    Scored,
    _rows,
    conflict_sql,
    prepare,
    with_blocking_places,
)

__all__ = ["SparkConfig", "SparkMissing", "SparkScorer", "require_pyspark", "spark_settings", "INSTALL_HINT"]

INSTALL_HINT = "install the spark extra: uv sync --extra spark"

# DuckDB function -> its Spark equivalent. Spark's own levenshtein, left, least, length and abs
# behave as DuckDB's on the values compared here (ASCII names, digits, identifiers).
# damerau_levenshtein is the Splink jar's: it is only ever asked whether two strings of the same
# length, two edits apart, are one swap apart, where every variant of the distance agrees.
# jaro_winkler_similarity is DuckDB's own algorithm written in Spark SQL (JARO_WINKLER_SQL): the
# Splink jar's jaro_winkler counts half a transposition where DuckDB rounds it down, and so
# scores about one name pair in thirty differently (Carl and Claire: 0.7875, DuckDB 0.825).
SPARK_FUNCTIONS = {
    "list_has_any": "arrays_overlap",  # both: true when the lists share an element; [] shares none
    "jaro_winkler_similarity": "safeguard_jaro_winkler",
    "damerau_levenshtein": "damerau_levenshtein",
    "levenshtein": "levenshtein",
    "left": "left",
    "least": "least",
    "length": "length",
    "abs": "abs",
}
# DuckDB's jaro_winkler_similarity(a, b) (rapidfuzz's algorithm) as a Spark SQL function: the
# characters of `a` in turn take the first unmatched equal character of `b` within the window
# (half the longer length, less one); transpositions are the matched characters out of order,
# halved and rounded down; the prefix bonus (0.1 a shared letter, up to 4) applies above 0.7.
# Empty strings score 0, nulls give null. Equal to DuckDB's to the last bit on every pair tested.
JARO_WINKLER_SQL = """
CASE WHEN a IS NULL OR b IS NULL THEN NULL
WHEN length(a) = 0 OR length(b) = 0 THEN 0.0D
ELSE transform(array(aggregate(
  sequence(1, length(a)),
  named_struct('fa', array_repeat(false, length(a)), 'fb', array_repeat(false, length(b))),
  (acc, i) -> transform(array(coalesce(array_position(transform(sequence(1, length(b)),
      jj -> abs(jj - i) <= greatest(greatest(length(a), length(b)) DIV 2 - 1, 0)
            AND NOT acc.fb[jj - 1] AND substr(b, jj, 1) = substr(a, i, 1)), true), 0)),
    j -> named_struct('fa', IF(j > 0, transform(acc.fa, (f, k) -> f OR k + 1 = i), acc.fa),
                      'fb', IF(j > 0, transform(acc.fb, (f, k) -> f OR k + 1 = j), acc.fb)))[0])),
  st -> transform(array(named_struct(
      'ca', filter(transform(sequence(1, length(a)), i -> IF(st.fa[i - 1], substr(a, i, 1), NULL)), c -> c IS NOT NULL),
      'cb', filter(transform(sequence(1, length(b)), i -> IF(st.fb[i - 1], substr(b, i, 1), NULL)), c -> c IS NOT NULL))),
    w -> transform(array(named_struct('m', size(w.ca),
        'tr', IF(size(w.ca) = 0, 0, size(filter(sequence(1, size(w.ca)), k -> w.ca[k - 1] <> w.cb[k - 1]))))),
      r -> transform(array(IF(r.m = 0, 0.0D,
          (r.m / length(a) + r.m / length(b) + (r.m - FLOOR(r.tr / 2)) / r.m) / 3.0D)),
        jv -> IF(jv > 0.7D, {winkler}, jv))[0])[0])[0])[0]
END"""
# The Winkler step, jaro + prefix * 0.1 * (1 - jaro): DuckDB's build may fuse its multiply and add
# into one rounding (an FMA instruction, as the x86-64 wheel does) or not; `jaro_winkler_sql` asks
# DuckDB which. Spark SQL has no fused multiply-add (and `reflect` to Java's Math.fma cannot run
# inside a lambda), so the fused one is emulated with doubles alone: the product split exactly
# into two doubles (Dekker's product, Veltkamp's split), the sum's error recovered (Knuth's
# two-sum), one rounding at the end. It equals the exact fused result on every jaro score two
# strings of up to 15 letters can have and on 200,000 random ones.
_PREFIX = "size(filter(sequence(1, least(4, length(a), length(b))), k -> left(a, k) = left(b, k))) * 0.1D"
_UNFUSED = f"jv + {_PREFIX} * (1.0D - jv)"
_FUSED = f"""transform(array(named_struct('x', {_PREFIX}, 'y', 1.0D - jv)), xy ->
  transform(array(named_struct('p', xy.x * xy.y,
      'xh', 134217729.0D * xy.x - (134217729.0D * xy.x - xy.x),
      'yh', 134217729.0D * xy.y - (134217729.0D * xy.y - xy.y))), d ->
    transform(array(named_struct('p', d.p, 's', jv + d.p,
        'pl', ((d.xh * d.yh - d.p) + d.xh * (xy.y - d.yh) + (xy.x - d.xh) * d.yh) + (xy.x - d.xh) * (xy.y - d.yh))),
      e -> e.s + (((jv - (e.s - (e.s - jv))) + (e.p - (e.s - jv))) + e.pl))[0])[0])[0]"""


@cache
def jaro_winkler_sql() -> str:
    """JARO_WINKLER_SQL with the Winkler step rounded as DuckDB rounds it on this machine."""
    import duckdb

    jaro, prefix_weight = 0.746031746031746, 3 * 0.1  # Barnes and Barrett
    fused = float(Fraction(prefix_weight) * Fraction(1.0 - jaro) + Fraction(jaro))
    plain = jaro + prefix_weight * (1.0 - jaro)
    with duckdb.connect() as con:
        duck = con.execute("SELECT jaro_winkler_similarity('barnes', 'barrett')").fetchone()[0]
    if duck not in (fused, plain):
        raise RuntimeError(f"DuckDB's jaro_winkler_similarity is not the algorithm JARO_WINKLER_SQL copies ({duck!r})")
    return JARO_WINKLER_SQL.format(winkler=_FUSED if duck == fused else _UNFUSED)


_SQL_WORDS = frozenset({"and", "or", "not", "in", "then", "else", "when", "case", "is", "null", "end"})
_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")

# The columns `persons` leaves out of the scored pairs (lists of names and places).
_LIST_COLUMNS = frozenset(persons_list_columns.split(", "))


class SparkMissing(RuntimeError):
    """pyspark (or the Java it needs) is not installed."""


def require_pyspark() -> None:
    """Raise `SparkMissing` with the install command when a Spark run cannot start."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkMissing(f"The Spark engine needs pyspark, which is not installed: {INSTALL_HINT}") from exc
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise SparkMissing("The Spark engine needs Java 17 or newer (`java` on PATH, or JAVA_HOME)")


@dataclass
class SparkConfig:
    """How to start Spark. `work_dir`: where the run's files go (a fresh folder inside it per run,
    removed when the session stops); `driver_memory`: the JVM's heap, which in local mode holds
    everything (Spark's `spark.driver.memory`, e.g. `8g`); `partitions`: shuffle partitions
    (`spark.sql.shuffle.partitions`), a few per core; `lineage`: how Splink cuts the lineage of
    its intermediate tables (`parquet`: written to the checkpoint folder, its default and the
    one for big runs; `persist`: cached, spilling to the local dirs)."""

    work_dir: Path
    driver_memory: str = "4g"
    master: str = "local[*]"
    partitions: int = 8
    lineage: str = "parquet"
    extra: dict[str, str] = field(default_factory=dict)


_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
# Spark announces the level it gives an interactive session (PySpark counts as one) unless the
# logger it starts from has a level of its own.
logger.submit.name = org.apache.spark.deploy.SparkSubmit
logger.submit.level = error
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
logger.context.name = org.apache.spark.SparkContext
logger.context.level = error
# The comparisons (with JARO_WINKLER_SQL five times) make a method too big for Janino: Spark logs
# the failed compilation, stack and all, then runs the same plan interpreted, as it is meant to.
logger.codegen.name = org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator
logger.codegen.level = off
"""


def to_spark_sql(sql: str) -> str:
    """A comparison level's DuckDB SQL in Spark's; `ValueError` naming a function with no equivalent."""
    unknown = sorted({name for name in _CALL.findall(sql) if name.lower() not in SPARK_FUNCTIONS
                      and name.lower() not in _SQL_WORDS})
    if unknown:
        raise ValueError(f"no Spark equivalent for {', '.join(unknown)} in the model's comparison {sql!r}")
    return _CALL.sub(lambda m: f"{SPARK_FUNCTIONS.get(m.group(1).lower(), m.group(1))}(", sql)


def spark_settings(model: dict[str, Any]) -> dict[str, Any]:
    """Splink settings for Spark: this code's blocking rules and output columns (as
    `model.with_current_rules` gives DuckDB) with the model's trained comparisons in Spark SQL."""
    current = settings_creator().get_settings("spark").as_dict()
    comparisons = copy.deepcopy(model["comparisons"])
    for comparison in comparisons:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = to_spark_sql(level["sql_condition"])
    return {**current, "comparisons": comparisons,
            "probability_two_random_records_match": model["probability_two_random_records_match"]}


class SparkScorer:
    """`persons.score` and `persons.predict` on Spark. One Spark session, started at first use
    and stopped by `close` (or leaving a `with` block); one Splink linker per model."""

    def __init__(self, config: SparkConfig):
        require_pyspark()
        self.config = config
        self.spark = None
        self.owned = False  # False: a session that was already running, used as it is and left running
        self.run_dir: Path | None = None
        self._engines: dict[str, _SparkEngine] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> SparkScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the session

    def session(self):
        if self.spark is None:
            self.spark = self._start()
        return self.spark

    def _start(self):
        from pyspark import SparkConf, SparkContext
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location

        if SparkContext._active_spark_context is not None:
            return SparkSession.builder.getOrCreate()
        self.owned = True
        config = self.config
        config.work_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir = run_dir = Path(tempfile.mkdtemp(prefix="spark-", dir=config.work_dir))
        for sub in ("local", "checkpoints", "warehouse", "tmp"):
            (run_dir / sub).mkdir()
        (run_dir / "log4j2.properties").write_text(_LOG4J, encoding="utf-8")
        # -XX:-UsePerfData: no hsperfdata folder in /tmp, the one place java.io.tmpdir does not move
        java = (f"-XX:-UsePerfData -Djava.io.tmpdir={run_dir / 'tmp'} "
                f"-Dlog4j2.configurationFile=file:{run_dir / 'log4j2.properties'}")
        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # no look-up of the machine's name
        conf = SparkConf().setMaster(config.master).setAppName("safeguard-linkage").setAll([
            ("spark.driver.memory", config.driver_memory),
            ("spark.driver.host", "127.0.0.1"),
            ("spark.driver.bindAddress", "127.0.0.1"),
            ("spark.ui.enabled", "false"),
            ("spark.ui.showConsoleProgress", "false"),
            ("spark.jars", similarity_jar_location()),
            ("spark.local.dir", str(run_dir / "local")),
            ("spark.sql.warehouse.dir", str(run_dir / "warehouse")),
            ("spark.driver.extraJavaOptions", java),
            ("spark.sql.shuffle.partitions", str(config.partitions)),
            ("spark.default.parallelism", str(config.partitions)),
            *config.extra.items(),
        ])
        spark = SparkSession.builder.config(conf=conf).getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.setCheckpointDir(str(run_dir / "checkpoints"))
        return spark

    def close(self) -> None:
        with self._lock:
            self._engines.clear()
            if self.spark is not None and self.owned:
                self.spark.stop()
                _stop_jvm()
            self.spark, self.owned = None, False
            if self.run_dir is not None:
                shutil.rmtree(self.run_dir, ignore_errors=True)
                self.run_dir = None

    def _engine(self, model: Model) -> _SparkEngine:
        from .persons import model_version

        loaded = load_model(model)
        key = model_version(loaded)
        if key not in self._engines:
            self._engines[key] = _SparkEngine(self.session(), loaded, self.config.lineage)
        return self._engines[key]

    # ---- what `persons` offers

    def score(self, table: Any, model: Model = None, *, review: tuple[float, float]) -> Scored:
        """`persons.score` on Spark: every candidate pair slim, the review band in full."""
        with self._lock:
            return self._engine(model).within(table, review)

    def predict(self, table: Any, model: Model = None) -> pa.Table:
        """`persons.predict` on Spark: every candidate pair with every column."""
        with self._lock:
            return self._engine(model).within(table, None)


def _stop_jvm() -> None:
    """End the JVM pyspark started (else it lives as long as Python, holding its memory)."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None:
        return
    gateway.shutdown()
    proc = getattr(gateway, "proc", None)
    if proc is not None:  # the JVM ends when its standard input closes
        proc.stdin.close()
        proc.wait(timeout=60)
    SparkContext._gateway = SparkContext._jvm = None


class _SparkEngine:
    def __init__(self, spark, model: dict[str, Any], lineage: str):
        from splink import Linker
        from splink.backends.spark import SparkAPI

        self.spark = spark
        self.model = model
        self.db_api = SparkAPI(spark_session=spark, break_lineage_method=lineage)
        spark.sql("CREATE OR REPLACE TEMPORARY FUNCTION safeguard_jaro_winkler(a STRING, b STRING) "
                  f"RETURNS DOUBLE RETURN {jaro_winkler_sql()}")
        empty = self._register(PREPARED_SCHEMA.empty_table())
        self.linker = Linker(empty, spark_settings(model), log_level=logging.WARNING)
        self.conflict = conflict_sql(model)

    def _register(self, table: Any):
        return self.db_api.register(with_blocking_places(prepare(table)))

    def within(self, table: Any, review: tuple[float, float] | None) -> pa.Table | Scored:
        sdf = self._register(table)
        # A small job: every pair, as `persons` scores it (blocking would miss a few).
        every_pair = _rows(table) ** 2 // 2 <= SMALL_JOB_PAIRS
        rules = ["1=1"] if every_pair else None
        predictions = self.linker.inference.predict_within(
            sdf, blocking_rules_to_generate_predictions=rules, warning_mode="never")
        try:
            return self._collect(predictions.physical_name, review)
        finally:
            predictions.drop_table_from_database_and_remove_from_cache()
            self.spark.catalog.dropTempView(sdf.physical_name)
            if self.db_api.break_lineage_method == "persist":
                self.spark.catalog.clearCache()  # the intermediate tables of this job

    def _collect(self, name: str, review: tuple[float, float] | None) -> pa.Table | Scored:
        columns = [c for c in self.spark.table(name).columns if c not in _LIST_COLUMNS]
        every = f"SELECT {', '.join(f'`{c}`' for c in columns)}, {self.conflict} AS conflict FROM {name}"  # noqa: S608
        order = " ORDER BY record_id_l, record_id_r"
        if review is None:
            return self.spark.sql(every + order).toArrow()
        # Every pair, unordered (clustering does not depend on the order): a sort of a force's
        # pairs would cost a shuffle.
        slim = self.spark.sql(f"SELECT record_id_l, record_id_r, match_weight, {self.conflict} AS conflict "  # noqa: S608
                              f"FROM {name}").toArrow()
        low, high = (float(x) for x in review)
        band = self.spark.sql(f"SELECT * FROM ({every} WHERE match_weight >= {low!r} AND match_weight < {high!r}) "  # noqa: S608
                              f"WHERE conflict IS NULL{order}").toArrow()
        return Scored(slim.select(list(SLIM_COLUMNS)), band)
