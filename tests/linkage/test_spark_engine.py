"""`link --engine spark`: Splink's Spark backend (local mode, real Spark and Splink, no mocks)
gives the same people and the same review queue as the DuckDB engine, written back the same way;
without pyspark the command says how to install it. One Spark session serves the whole module."""

from __future__ import annotations

import json
import os
import sys
from io import StringIO

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from safeguard.linkage.engine import persons
from safeguard.linkage.engine.training_data import generate

from .conftest import feed_lines, load, people

LINKAGE_KINDS = {"person", "location", "person_location"}
# scripts/test.sh installs the spark extra and says so: there a missing pyspark fails, not skips.
REQUIRED = "spark" in os.environ.get("SAFEGUARD_EXTRAS", "").replace(",", " ").split()
# pytest-django runs database tests before the others: marking every test that uses the Spark
# session keeps them together, so the module starts Spark once.
SAME_GROUP = pytest.mark.django_db


@pytest.fixture(scope="module")
def scorer(tmp_path_factory):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if REQUIRED:
            pytest.fail("pyspark is missing although SAFEGUARD_EXTRAS asks for the spark extra")
        pytest.skip("pyspark is not installed (uv sync --extra spark)")
    from safeguard.linkage.engine.spark import SparkConfig, SparkScorer

    config = SparkConfig(work_dir=tmp_path_factory.mktemp("spark"), driver_memory="1g", partitions=2)
    with SparkScorer(config) as started:
        started.session()
        yield started
    assert not list(config.work_dir.iterdir()), "the run's files are removed when Spark stops"


@SAME_GROUP
def test_spark_starts_in_local_mode_with_no_network_and_its_files_in_the_work_folder(scorer) -> None:
    conf = dict(scorer.session().sparkContext.getConf().getAll())
    assert conf["spark.master"] == "local[*]"
    assert conf["spark.driver.host"] == conf["spark.driver.bindAddress"] == "127.0.0.1"
    assert conf["spark.ui.enabled"] == "false"
    assert conf["spark.jars"].endswith("_spark4.x.jar") and "/splink/" in conf["spark.jars"]
    for key in ("spark.local.dir", "spark.sql.warehouse.dir"):
        assert conf[key].removeprefix("file:").startswith(str(scorer.run_dir)), key
    assert f"-Djava.io.tmpdir={scorer.run_dir}" in conf["spark.driver.extraJavaOptions"]


@SAME_GROUP
def test_jaro_winkler_on_spark_is_duckdbs_to_the_last_bit(scorer) -> None:
    import duckdb

    from safeguard.linkage.engine.training_data import FEMALE, MALE, SURNAMES

    names = sorted({*MALE[::3], *FEMALE[::3], *(s.replace("'", "") for s in SURNAMES[::4])})
    names += ["carl", "claire", "keri", "kieran", "simmons", "simpson", "a", "ab", "ba", "aa", "abab", "baba"]
    pairs = [(a, b) for a in names for b in names]
    duck = duckdb.connect()
    duck.execute("CREATE TABLE p (a VARCHAR, b VARCHAR)")
    duck.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    expected = {(a, b): v for a, b, v in duck.execute("SELECT a, b, jaro_winkler_similarity(a, b) FROM p").fetchall()}
    session = scorer.session()
    scorer._engine(None)  # registers the function
    session.createDataFrame(pa.table({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]})).createOrReplaceTempView("p")
    got = {(r.a, r.b): r.v for r in session.sql("SELECT a, b, safeguard_jaro_winkler(a, b) AS v FROM p").collect()}
    assert len(pairs) > 10_000
    assert {p: v for p, v in got.items() if v != expected[p]} == {}
    assert got["carl", "claire"] == pytest.approx(0.825)  # the Splink jar's jaro_winkler gives 0.7875
    assert session.sql("SELECT safeguard_jaro_winkler(NULL, 'a') AS v").first().v is None


def _by_pair(pairs) -> dict[tuple[int, int], dict]:
    return {(row["record_id_l"], row["record_id_r"]): row for row in pairs.to_pylist()}


@SAME_GROUP
def test_every_pair_gets_the_same_levels_weights_and_rules_on_spark(scorer) -> None:
    records = generate(people=90, seed=11).drop_columns(["person_id"])
    assert records.num_rows ** 2 // 2 <= persons.SMALL_JOB_PAIRS  # every pair scored, no blocking

    duck, spark = _by_pair(persons.predict(records)), _by_pair(scorer.predict(records))

    assert spark.keys() == duck.keys()
    assert len(duck) == records.num_rows * (records.num_rows - 1) // 2
    columns = set(next(iter(spark.values())))
    # Splink's predict columns; DuckDB's pair-by-pair path also carries the blocking keys
    assert columns <= set(next(iter(duck.values())))
    gammas = sorted(c for c in columns if c.startswith("gamma_"))
    assert len(gammas) == 13 and {"match_weight", "conflict", "fn1_l", "mw_fn", "match_probability"} <= columns
    for pair, row in duck.items():
        other = spark[pair]
        for column in columns - {"match_key"}:  # which blocking rule found the pair: no rule here
            if isinstance(row[column], float):
                assert other[column] == pytest.approx(row[column], rel=1e-9, abs=1e-12), (pair, column)
            else:
                assert other[column] == row[column], (pair, column)
    # the SQL translated for Spark was exercised: nicknames, typos, similar names, shared places...
    levels = {(g, row[g]) for row in duck.values() for g in gammas}
    assert len(levels) >= 35, sorted(levels)


class _Rollback(Exception):
    pass


def _link(*args: str) -> tuple[dict, set[frozenset[str]], set[tuple]]:
    """`safeguard link ARGS` in a savepoint rolled back afterwards: (its summary, the people it
    made, the pairs it queued for review with their weight and evidence)."""
    from safeguard.linkage.models import PairReview

    out = StringIO()
    try:
        with transaction.atomic():
            call_command("link", *args, stdout=out)
            queued = {
                (f"{r.record_l.source.code}/{r.record_l.ext_id}", f"{r.record_r.source.code}/{r.record_r.ext_id}",
                 round(r.match_weight, 6), json.dumps(r.evidence, sort_keys=True))
                for r in PairReview.objects.select_related("record_l__source", "record_r__source")
            }
            result = (json.loads(out.getvalue()), people(), queued)
            raise _Rollback
    except _Rollback:
        return result


def _maple_road() -> list[str]:
    """The example feed's people and places, their ids prefixed so they meet no generated one."""
    out = []
    for line in feed_lines():
        item = json.loads(line)
        if item["kind"] in LINKAGE_KINDS:
            out.append(json.dumps({**item, **{k: f"MR{item[k]}" for k in ("id", "person", "location") if k in item}}))
    return out


@pytest.mark.django_db
def test_link_on_spark_gives_the_duckdb_people_and_review_queue(scorer, tmp_path, settings, maple_people) -> None:
    settings.DATA_DIR = tmp_path
    call_command("generate", "--people", "300", "--seed", "5", "--out", str(tmp_path), stdout=StringIO())
    lines = [line for line in feed_lines(tmp_path / "feed.jsonl") if json.loads(line)["kind"] in LINKAGE_KINDS]
    load(lines + _maple_road())

    duck_summary, duck_people, duck_queue = _link()
    spark_summary, spark_people, spark_queue = _link("--engine", "spark", "--spark-driver-memory", "1g")

    assert spark_people == duck_people  # the same partition of the source records
    assert spark_queue == duck_queue  # the same pairs for a person to decide, explained alike
    assert spark_summary == duck_summary
    assert {frozenset("/MR".join(ref.split("/")) for ref in group) for group in maple_people} <= duck_people
    assert len(duck_queue) >= 3 and sum(len(p) > 1 for p in duck_people) >= 100


@pytest.mark.django_db  # run_from_argv runs Django's system checks first, which may ask the database
def test_the_spark_engine_without_pyspark_says_how_to_install_it(monkeypatch, capsys) -> None:
    from safeguard.linkage.management.commands.link import Command

    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` raises ImportError
    with pytest.raises(CommandError, match=r"install the spark extra: uv sync --extra spark"):
        call_command("link", "--engine", "spark")

    with pytest.raises(SystemExit) as exited:  # as a person at the shell sees it
        Command().run_from_argv(["safeguard", "link", "--engine", "spark"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "uv sync --extra spark" in err
    assert "Traceback" not in err
