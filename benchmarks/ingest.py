"""Ingest benchmark (issue 3, "Speed"): how fast `safeguard ingest` loads a large mixed feed, and
how close that is to the limit of the database itself.

    .venv/bin/python benchmarks/ingest.py --records 1000000 --db both

1. Generates (deterministically, streaming) a feed of N records of mixed kinds in roughly the
   proportions a force's systems send them: per person record 0.3 locations, 0.8 person-location
   links, 0.3 relationships and 3 events of several types with subjects and references; some
   records arrive in two versions (a later one, and a few late ones recorded earlier). The file
   goes to benchmarks/out/ (git-ignored) and is reused while N and the generator are the same.
2. Times `safeguard ingest --no-evaluate FILE` as a real subprocess against a fresh, migrated
   database: SQLite in WAL mode (a file under benchmarks/out/) and/or PostgreSQL (a database
   created for the run and dropped after). Records per second are lines over the wall time of
   the whole command, Django start-up included; peak memory is the child's ru_maxrss.
3. Measures the limit: the very rows the ingest wrote (exported from the loaded database) are
   inserted again into a fresh database with the same tables and indexes by a bare `executemany`
   (SQLite) or `COPY ... FROM STDIN` with psycopg 3 (PostgreSQL), and the ratio is reported.

Nothing here is a test: it prints figures to copy into benchmarks/RESULTS.md ("## Ingest").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SAFEGUARD = ROOT / ".venv" / "bin" / "safeguard"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "sg_ingest_bench"
PG_LIMIT_DB = "sg_ingest_bench_limit"
SQLITE_CACHE_KIB = 256 * 1024  # the page cache safeguard.feed.loader sets while loading
GENERATOR_VERSION = 1  # bump when the generated feed changes, so that cached files are remade
SEED = 20261103

# The tables an ingest writes, in an order that satisfies foreign keys.
TABLES = [
    "records_source", "records_feedload", "records_sourcerecord", "records_personversion",
    "records_locationversion", "records_personlocationversion", "records_relationshipversion",
    "records_eventversion", "records_eventsubject", "records_eventreference",
]


# ---- the feed ------------------------------------------------------------------------------

# Kinds per person record (issue 3 / the brief): 1 : 0.3 : 0.8 : 0.3 : 3.
KIND_WEIGHTS = {"person": 1.0, "location": 0.3, "person_location": 0.8, "relationship": 0.3, "event": 3.0}
SOURCE_WEIGHTS = {"police": 0.35, "csc": 0.25, "health": 0.2, "education": 0.1, "probation": 0.05, "visor": 0.05}
EVENT_WEIGHTS = {
    "offence": 0.16, "arrest": 0.08, "bail": 0.04, "domestic_abuse_incident": 0.1, "referral": 0.12,
    "missing_episode": 0.06, "return_home_interview": 0.03, "risk_assessment": 0.06, "statutory_visit": 0.12,
    "strategy_discussion": 0.03, "rso_notification": 0.04, "rso_visit": 0.04, "order": 0.04, "breach": 0.02,
    "marac_referral": 0.02, "encompass_notification": 0.04,
}
GIVEN = ["Lily", "Jade", "Tyler", "Noah", "Ryan James", "Amelia", "Olivia", "Harry", "Oscar", "Mia", "Leo",
         "Ava", "Isla", "George", "Freya", "Jack", "Evie", "Charlie", "Sophie", "Alfie", "Grace", "Mohammed"]
FAMILY = ["HARPER", "Brooks", "PATEL", "Price", "Coleman", "Smith", "Jones", "Taylor", "Brown", "Williams",
          "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "Khan", "Ali"]
STREETS = ["Maple Road", "Elm Grove", "Station Road", "Orchard Close", "Park Lane", "High Street", "Church Lane",
           "Victoria Road", "Mill Lane", "School Lane"]
TOWNS = [("Kettering", "NN16"), ("Corby", "NN17"), ("Wellingborough", "NN8"), ("Northampton", "NN1")]
EPOCH = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
SPAN = 11 * 365 * 86400


def _iso(seconds: int) -> str:
    return (EPOCH + dt.timedelta(seconds=seconds)).isoformat()


class FeedGenerator:
    """Streams feed records. Everything comes from one seeded Random, so a given N always gives
    the same file. Memory is bounded: counters per (source, kind) and a short queue of second
    versions waiting to be sent."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.count: dict[tuple[str, str], int] = {}
        self.pending: list[tuple[int, dict]] = []  # (line at which to send, second version)
        kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
        self.kinds, self.kind_cum = kinds, _cumulative(weights)
        sources, weights = zip(*SOURCE_WEIGHTS.items(), strict=True)
        self.sources, self.source_cum = sources, _cumulative(weights)
        types, weights = zip(*EVENT_WEIGHTS.items(), strict=True)
        self.types, self.type_cum = types, _cumulative(weights)

    def records(self, n: int):
        for line in range(n):
            if self.pending and self.pending[0][0] <= line:
                yield self.pending.pop(0)[1]
                continue
            kind = self.rng.choices(self.kinds, cum_weights=self.kind_cum)[0]
            source = self.rng.choices(self.sources, cum_weights=self.source_cum)[0]
            record = getattr(self, f"_{kind}")(source)
            self._maybe_resend(line, record)
            yield record

    # -- identities and references --

    def _new_id(self, source: str, kind: str) -> str:
        n = self.count.get((source, kind), 0)
        self.count[(source, kind)] = n + 1
        return f"{kind[0].upper()}{kind[-1].upper()}{n}"

    def _ref(self, source: str, kind: str) -> str | dict:
        """Mostly a record of the same source sent before; sometimes one of another source; now
        and then one not sent yet (resolved when it arrives, or left unresolved)."""
        rng = self.rng
        target = source
        if rng.random() < 0.05:
            target = rng.choices(self.sources, cum_weights=self.source_cum)[0]
        n = self.count.get((target, kind), 0)
        index = rng.randrange(n + 20) if rng.random() < 0.01 else (rng.randrange(n) if n else 0)
        ext_id = f"{kind[0].upper()}{kind[-1].upper()}{index}"
        return ext_id if target == source else {"source": target, "id": ext_id}

    def _base(self, kind: str, source: str) -> dict:
        return {"kind": kind, "source": source, "id": self._new_id(source, kind),
                "recorded_at": _iso(self.rng.randrange(SPAN))}

    def _maybe_resend(self, line: int, record: dict) -> None:
        """About 6% of people and 85% of missing episodes get a second version a little later in
        the file: mostly recorded later (an update, a found child), sometimes earlier (late)."""
        rng = self.rng
        if record["kind"] == "person" and rng.random() < 0.06:
            second = {**record, "family_name": rng.choice(FAMILY)}
        elif record["kind"] == "event" and record["type"] == "missing_episode" and rng.random() < 0.85:
            at = dt.datetime.fromisoformat(record["at"])
            second = {**record, "ends_at": (at + dt.timedelta(hours=rng.randrange(2, 96))).isoformat()}
        else:
            return
        recorded = dt.datetime.fromisoformat(record["recorded_at"])
        shift = dt.timedelta(days=rng.randrange(1, 400))
        second["recorded_at"] = (recorded - shift if rng.random() < 0.1 else recorded + shift).isoformat()
        self.pending.append((line + rng.randrange(50, 5000), second))
        self.pending.sort(key=lambda item: item[0])

    # -- kinds --

    def _person(self, source: str) -> dict:
        rng = self.rng
        rec = self._base("person", source)
        rec.update(given_names=rng.choice(GIVEN), family_name=rng.choice(FAMILY))
        year = rng.randrange(1950, 2026)
        roll = rng.random()
        rec["dob"] = (f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" if roll < 0.85
                      else f"{year}-{rng.randrange(1, 13):02d}" if roll < 0.92 else str(year) if roll < 0.96 else None)
        rec["sex"] = rng.choice(("male", "female", "female", "male", "unknown"))
        if rng.random() < 0.5:
            rec["identifiers"] = {"nhs": str(rng.randrange(10**9, 10**10))}
            if source in ("police", "visor") and rng.random() < 0.5:
                rec["identifiers"]["pnc"] = f"{rng.randrange(1990, 2026)}/{rng.randrange(10**6, 10**7)}X"
        if rng.random() < 0.03:
            rec["aliases"] = [{"given_names": rng.choice(GIVEN), "family_name": rng.choice(FAMILY)}]
        return rec

    def _location(self, source: str) -> dict:
        rng = self.rng
        rec = self._base("location", source)
        town, district = rng.choice(TOWNS)
        if rng.random() < 0.05:
            rec["address"] = f"{town} area"
            return rec
        rec["address"] = f"{rng.randrange(1, 200)} {rng.choice(STREETS)}, {town}"
        rec["postcode"] = f"{district} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
        if rng.random() < 0.4:
            rec["uprn"] = str(rng.randrange(10**11, 10**12))
        if rng.random() < 0.05:
            rec["location_type"] = rng.choice(("school", "care_home", "hostel", "business"))
        return rec

    def _person_location(self, source: str) -> dict:
        rng = self.rng
        rec = self._base("person_location", source)
        rec.update(person=self._ref(source, "person"), location=self._ref(source, "location"),
                   role=rng.choice(("resides", "resides", "resides", "stays", "visits", "attends", "works")))
        if rng.random() < 0.6:
            start = EPOCH.date() + dt.timedelta(days=rng.randrange(4000))
            rec["from"] = start.isoformat()
            if rng.random() < 0.3:
                rec["to"] = (start + dt.timedelta(days=rng.randrange(1, 900))).isoformat()
        return rec

    def _relationship(self, source: str) -> dict:
        rng = self.rng
        rec = self._base("relationship", source)
        rec.update(person=self._ref(source, "person"), other=self._ref(source, "person"),
                   type=rng.choice(("parent_of", "parent_of", "carer_of", "partner_of", "sibling_of",
                                    "household_member", "associate_of")))
        return rec

    def _event(self, source: str) -> dict:
        rng = self.rng
        etype = rng.choices(self.types, cum_weights=self.type_cum)[0]
        rec = self._base("event", source)
        rec["type"] = etype
        rec["at"] = _iso(rng.randrange(SPAN))
        person = lambda: self._ref(source, "person")  # noqa: E731
        event = lambda: self._ref(source, "event")  # noqa: E731
        subjects, attributes = [], {}
        if etype == "offence":
            subjects = [{"person": person(), "role": "suspect"}, {"person": person(), "role": "victim"}]
            attributes = {"category": rng.choice(("violence", "sexual", "domestic_abuse", "drugs_supply", "other")),
                          "outcome": rng.choice(("suspected", "charged", "convicted", "no_further_action")),
                          "victim_is_child": rng.random() < 0.3}
        elif etype == "arrest":
            subjects, attributes = [{"person": person(), "role": "arrested"}], {"offence": event()}
        elif etype == "bail":
            subjects = [{"person": person(), "role": "bailed"}]
            attributes = {"bail_kind": "pre_charge", "offence": event(), "expires_on": "2026-12-01",
                          "conditions": [{"condition": "residence", "location": self._ref(source, "location")},
                                         {"condition": "non_contact", "person": person()}]}
        elif etype == "domestic_abuse_incident":
            subjects = [{"person": person(), "role": "victim"}, {"person": person(), "role": "perpetrator"}]
            if rng.random() < 0.4:
                subjects.append({"person": person(), "role": "child_present"})
            attributes = {"dash_score": rng.randrange(28), "risk_level": rng.choice(("standard", "medium", "high"))}
        elif etype == "referral":
            subjects = [{"person": person(), "role": "child"}]
            attributes = {"from_agency": rng.choice(("police", "health", "education")), "to_agency": "csc",
                          "concern": rng.choice(("neglect", "physical", "emotional", "domestic_abuse")),
                          "decision": rng.choice(("none_yet", "no_further_action", "early_help", "assessment"))}
        elif etype == "missing_episode":
            subjects = [{"person": person(), "role": "missing"}]
            attributes = {"risk_level": rng.choice(("high", "medium", "low")), "from_care": rng.random() < 0.3}
            if rng.random() < 0.3:
                attributes["found_location"] = self._ref(source, "location")
        elif etype == "return_home_interview":
            subjects, attributes = [{"person": person(), "role": "child"}], {"episode": event(), "declined": False}
        elif etype == "risk_assessment":
            subjects = [{"person": person(), "role": "assessed"}]
            attributes = {"tool": "dash", "level": rng.choice(("standard", "medium", "high")),
                          "score": rng.randrange(28)}
        elif etype == "statutory_visit":
            subjects, attributes = [{"person": person(), "role": "child"}], {"seen_alone": rng.random() < 0.5}
        elif etype == "strategy_discussion":
            subjects, attributes = [{"person": person(), "role": "child"}], {"outcome": rng.choice(("s47", "no_s47"))}
        elif etype == "rso_notification":
            subjects, attributes = [{"person": person(), "role": "offender"}], {"notification_type": "annual"}
            rec["location"] = self._ref(source, "location")
        elif etype == "rso_visit":
            subjects = [{"person": person(), "role": "offender"}]
            attributes = {"outcome": rng.choice(("seen", "not_seen")), "announced": rng.random() < 0.5}
        elif etype == "order":
            subjects = [{"person": person(), "role": "subject"}]
            attributes = {"order_type": rng.choice(("community_order", "licence", "shpo")),
                          "starts_on": "2024-01-01", "ends_on": "2027-01-01", "requirements": ["curfew"]}
        elif etype == "breach":
            subjects, attributes = [{"person": person(), "role": "subject"}], {"order": event(), "outcome": "investigated"}
        elif etype == "marac_referral":
            subjects, attributes = [{"person": person(), "role": "victim"}], {"incident": event()}
        elif etype == "encompass_notification":
            subjects, attributes = [{"person": person(), "role": "child"}], {"incident": event()}
            rec["location"] = self._ref(source, "location")
        rec["subjects"] = subjects
        rec["attributes"] = attributes
        return rec


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def feed_file(n: int) -> Path:
    """The feed of n records, generated once (per generator version) and kept under out/."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ingest-feed-{n}-v{GENERATOR_VERSION}.jsonl"
    if path.exists():
        return path
    started = time.monotonic()
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record in FeedGenerator().records(n):
            out.write(json.dumps(record, separators=(", ", ": ")) + "\n")
    tmp.rename(path)
    print(f"generated {path.name} ({path.stat().st_size / 2**20:.0f} MiB) in {time.monotonic() - started:.0f} s")
    return path


# ---- databases -----------------------------------------------------------------------------

def sqlite_url(name: str) -> str:
    return f"sqlite:///{OUT / name}"


def fresh_sqlite(name: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        (OUT / f"{name}{suffix}").unlink(missing_ok=True)
    url = sqlite_url(name)
    migrate(url)
    return url


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def fresh_postgres(name: str) -> str:
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = f"{PG_SERVER}/{name}"
    migrate(url)
    return url


def drop_postgres(name: str) -> None:
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "safeguard.settings"}


def migrate(url: str) -> None:
    subprocess.run([str(SAFEGUARD), "migrate", "-v", "0", "--skip-checks"], env=_env(url), check=True)


# ---- the ingest ----------------------------------------------------------------------------

def run_ingest(url: str, path: Path, lines: int, profile: Path | None = None) -> dict:
    """`safeguard ingest --no-evaluate FILE` in a child process: wall time and its peak RSS
    (ru_maxrss of that child alone, from wait4)."""
    command = [str(SAFEGUARD), "ingest", "--no-evaluate", str(path)]
    if profile:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    out, err = OUT / "ingest-stdout.txt", OUT / "ingest-stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.monotonic()
        child = subprocess.Popen(command, env=_env(url), stdout=stdout, stderr=stderr)  # noqa: S603
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.stderr.write(err.read_text()[-3000:])
        raise SystemExit(f"ingest exited {child.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "records_per_second": lines / seconds, "peak_rss_mib": usage.ru_maxrss / 1024,
            "cpu_seconds": cpu, "load_average": os.getloadavg()[0], "summary": out.read_text().strip()}


# ---- the limit: the same rows, bare inserts --------------------------------------------------

def _columns_sqlite(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def export_rows(url: str, dump: Path) -> dict[str, int]:
    """Every row the ingest wrote, as tuples in pickled chunks (so that the timed part below only
    inserts). Values are what the database itself stores (text for dates and JSON)."""
    counts: dict[str, int] = {}
    with dump.open("wb") as out:
        if url.startswith("sqlite"):
            conn = sqlite3.connect(url.removeprefix("sqlite:///"))
            for table in TABLES:
                cols = _columns_sqlite(conn, table)
                cursor = conn.execute(f'SELECT {", ".join(cols)} FROM "{table}"')
                counts[table] = _dump_cursor(out, table, cols, cursor)
            conn.close()
        else:
            import psycopg

            with psycopg.connect(url) as conn:
                for table in TABLES:
                    cols = [r[0] for r in conn.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                        "ORDER BY ordinal_position", [table])]
                    with conn.cursor(name=f"export_{table}") as cursor:
                        cursor.itersize = 20000
                        cursor.execute(f'SELECT {", ".join(f"{c}::text" for c in cols)} FROM "{table}"')
                        counts[table] = _dump_cursor(out, table, cols, cursor)
    return counts


def _dump_cursor(out, table: str, cols: list[str], cursor) -> int:
    total = 0
    while True:
        rows = cursor.fetchmany(20000)
        if not rows:
            return total
        total += len(rows)
        pickle.dump((table, cols, [tuple(r) for r in rows]), out, protocol=pickle.HIGHEST_PROTOCOL)


def _chunks(dump: Path):
    with dump.open("rb") as source:
        while True:
            try:
                yield pickle.load(source)  # noqa: S301 - our own file, written just above
            except EOFError:
                return


def limit_sqlite(url: str, dump: Path) -> float:
    """Bare executemany into a fresh SQLite database (same schema, WAL, same pragmas as Django's
    settings), one transaction per chunk of 20,000 rows."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")  # as the loader sets it while loading
    conn.execute('DELETE FROM "records_source"')  # the migrations may create none; keep ids as exported
    started, cpu = time.monotonic(), time.process_time()
    for table, cols, rows in _chunks(dump):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})', rows)
        conn.execute("COMMIT")
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    conn.close()
    return seconds, cpu


def limit_postgres(url: str, dump: Path) -> float:
    """Bare COPY FROM STDIN (psycopg 3, text format, write_row) into a fresh PostgreSQL
    database, one transaction per chunk of 20,000 rows."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute('DELETE FROM "records_source"')
        conn.commit()
        started, cpu = time.monotonic(), time.process_time()
        for table, cols, rows in _chunks(dump):
            with conn.cursor() as cursor, cursor.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
        return time.monotonic() - started, time.process_time() - cpu  # CPU: this client only


# ---- driver --------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return {"nproc": str(os.cpu_count()), "memory": f"{mem_kib / 2**20:.1f} GiB", "cpu": cpu,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def bench(db: str, path: Path, n: int, *, limit: bool, profile: Path | None) -> dict:
    if db == "sqlite":
        url = fresh_sqlite("ingest-bench.sqlite3")
    else:
        url = fresh_postgres(PG_DB)
    try:
        result = run_ingest(url, path, n, profile)
        print(f"{db}: {n:,} records in {result['seconds']:.1f} s = {result['records_per_second']:,.0f} records/s, "
              f"peak RSS {result['peak_rss_mib']:.0f} MiB; ingest process CPU {result['cpu_seconds']:.1f} s; "
              f"load average {result['load_average']:.1f}\n  {result['summary']}", flush=True)
        if limit:
            dump = OUT / f"ingest-rows-{db}.pickle"
            counts = export_rows(url, dump)
            rows = sum(counts.values())
            if db == "sqlite":
                limit_url = fresh_sqlite("ingest-limit.sqlite3")
                seconds, cpu = limit_sqlite(limit_url, dump)
            else:
                limit_url = fresh_postgres(PG_LIMIT_DB)
                try:
                    seconds, cpu = limit_postgres(limit_url, dump)
                finally:
                    drop_postgres(PG_LIMIT_DB)
            dump.unlink()
            result.update(limit_seconds=seconds, limit_cpu_seconds=cpu, limit_rows=rows,
                          limit_records_per_second=n / seconds, ratio=result["seconds"] / seconds, table_rows=counts,
                          limit_load_average=os.getloadavg()[0])
            print(f"  limit ({'executemany' if db == 'sqlite' else 'COPY'}): the same {rows:,} rows in {seconds:.1f} s"
                  f" (CPU of the inserting process {cpu:.1f} s) = {n / seconds:,.0f} feed records/s;"
                  f" ingest takes {result['ratio']:.2f}x the limit; load average {os.getloadavg()[0]:.1f}\n"
                  f"  rows: {counts}", flush=True)
    finally:
        if db == "postgres":
            drop_postgres(PG_DB)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--no-limit", action="store_true", help="skip the bare executemany/COPY comparison")
    parser.add_argument("--profile", action="store_true", help="run the ingest under cProfile (out/ingest-DB.prof)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON at the end")
    parser.add_argument("--limit-only", action="store_true",
                        help="only the bare SQLite executemany, from the database the last SQLite run left")
    args = parser.parse_args()
    path = feed_file(args.records)
    info = machine()
    print(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}; Python {info['python']}; "
          f"SQLite {info['sqlite']}" + (f"; PostgreSQL {postgres_version()}" if args.db != "sqlite" else ""))
    results = {}
    if args.limit_only:
        dump = OUT / "ingest-rows-sqlite.pickle"
        counts = export_rows(sqlite_url("ingest-bench.sqlite3"), dump)
        seconds, cpu = limit_sqlite(fresh_sqlite("ingest-limit.sqlite3"), dump)
        dump.unlink()
        print(f"limit (executemany): {sum(counts.values()):,} rows in {seconds:.1f} s (CPU {cpu:.1f} s) = "
              f"{args.records / seconds:,.0f} feed records/s; load average {os.getloadavg()[0]:.1f}")
        return
    for db in (("sqlite", "postgres") if args.db == "both" else (args.db,)):
        profile = OUT / f"ingest-{db}.prof" if args.profile else None
        results[db] = bench(db, path, args.records, limit=not args.no_limit and not args.profile, profile=profile)
    if args.json:
        print(json.dumps({"machine": info, "records": args.records, "results": results}, indent=2))


if __name__ == "__main__":
    main()
