"""Force-scale benchmark: generate a synthetic force, then time ingest, linkage and full rule
evaluation on SQLite (WAL) and PostgreSQL, with the peak memory of each step, and write the
figures into benchmarks/RESULTS.md ("## Force scale").

Force scale (shared/design/architecture.md): 1,000,000 source person records (about 600,000
people) with 3,000,000 events: `--people 600000` (the default). Smaller runs (`--people 20000`)
check the script and show how time grows with size.

    .venv/bin/python benchmarks/force_scale.py [--people N] [--db sqlite|postgres|both] [--seed S]
        [--pg-name safeguard_force --keep --ready /work/notes/safeguard_force.ready]

With --keep the loaded, linked and evaluated databases stay for other benchmarks to read; --ready
names a file written (with the timings) once the PostgreSQL database is complete.

Each step is a real `safeguard` subprocess against a fresh database, as an operator would run it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SAFEGUARD = [sys.executable, "-m", "safeguard.manage"]
# The code measured: other work lands while a force-scale run takes its hours.
COMMIT = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h"], capture_output=True, text=True,
                        check=False).stdout.strip()


def run_step(env: dict, *args: str) -> tuple[float, float, str, float]:
    """(seconds, peak resident MiB of the step's own process, its stdout, its CPU seconds)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen([*SAFEGUARD, *args], env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not all children's
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode not in (0, 1):
        raise SystemExit(f"safeguard {' '.join(args)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime


def count_lines(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with path.open("rb") as handle:
        for line in handle:
            match = re.search(rb'"kind": ?"([a-z_]+)"', line)
            if match:
                kind = match.group(1).decode()
                counts[kind] = counts.get(kind, 0) + 1
    return counts


def database(kind: str, tag: str, pg_name: str | None = None) -> tuple[str, callable]:
    if kind == "sqlite":
        path = OUT / f"force-{tag}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: None
    name = pg_name or f"sg_force_{tag}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}",
                    "-c", f"CREATE DATABASE {name}"], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}", lambda: subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=600_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--pg-name", help="PostgreSQL database to (re)create (default sg_force_<people>)")
    parser.add_argument("--ready", type=Path, help="file to write with the timings once PostgreSQL is complete")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    feed_dir = OUT / f"force-{args.people}-{args.seed}"
    env = dict(os.environ)
    generated = None
    if not (feed_dir / "feed.jsonl").exists():
        seconds, peak, _, _cpu_s = run_step(env, "generate", "--people", str(args.people), "--seed", str(args.seed), "--out", str(feed_dir))
        generated = (seconds, peak)
        print(f"generate: {seconds:.0f} s, peak {peak:.0f} MiB", flush=True)
    feed = feed_dir / "feed.jsonl"
    kinds = count_lines(feed)
    rows = []
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        url, drop = database(kind, f"{args.people}", args.pg_name)
        step_env = dict(env, DATABASE_URL=url)
        figures = {"database": kind}
        for name, command in (("migrate", ["migrate", "--noinput", "-v0"]), ("ingest", ["ingest", "--no-evaluate", str(feed)]),
                              ("link", ["link"]), ("evaluate", ["evaluate"])):
            seconds, peak, out, cpu = run_step(step_env, *command)
            figures[name] = (seconds, peak, cpu)
            print(f"{kind} {name}: {seconds:.1f} s, CPU {cpu:.1f} s, peak {peak:.0f} MiB {out.strip()[-300:]}", flush=True)
        rows.append(figures)
        if kind == "postgres" and args.ready:
            args.ready.write_text(f"{url} loaded, linked and evaluated at commit {COMMIT}\n"
                                  + json.dumps(figures, default=str) + "\n")
        if not args.keep:
            drop()
        write_results(args, kinds, rows, generated)  # after each database, so a later failure keeps these


def write_results(args, kinds: dict[str, int], rows: list[dict], generated: tuple[float, float] | None) -> None:
    lines = [
        "## Force scale",
        "",
        f"Run {dt.date.today().isoformat()} by `benchmarks/force_scale.py --people {args.people} --seed {args.seed}`, "
        f"at commit {COMMIT} (plus uncommitted work in the tree), on {platform.node()}: {os.cpu_count()} cores, {_memory()}, {_cpu()}; Python {platform.python_version()}.",
        f"Data: {sum(kinds.values()):,} feed lines ({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}).",
        "Each step is a fresh `safeguard` process (cold start) on a fresh database; SQLite in WAL mode. "
        + (f"Generating the feed took {generated[0]:.0f} s (main process peak {generated[1]:.0f} MiB)."
           if generated else "The feed was generated by an earlier run."),
        "",
        "Each cell: wall seconds (CPU seconds of the step's own process; a PostgreSQL server's work is"
        " in its own processes and not counted) and peak resident memory.",
        "",
        "| database | migrate | ingest | ingest rate | link | full evaluation |",
        "|---|---|---|---|---|---|",
    ]
    total = sum(kinds.values())
    measured = {r["database"] for r in rows}
    for r in rows:
        ingest = r["ingest"][0]
        cell = {step: f"{r[step][0]:.0f} s (CPU {r[step][2]:.0f} s), {r[step][1]:,.0f} MiB"
                for step in ("migrate", "ingest", "link", "evaluate")}
        lines.append(f"| {r['database']} ({dt.date.today().isoformat()}, {COMMIT}) | {cell['migrate']} | {cell['ingest']} | "
                     f"{total / ingest:,.0f} lines/s | {cell['link']} | {cell['evaluate']} |")
    results = ROOT / "benchmarks" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    # A run of one database keeps the other's row from an earlier run of the same size and seed.
    lines.extend(_earlier_rows(text, args, measured))
    section = "\n".join(lines) + "\n"
    if "## Force scale" in text:
        before, _, after = text.partition("## Force scale")
        body, *rest = after.split("\n## ", 1)
        # Earlier runs' notes (### subsections) stay below the new table as history.
        history = "\n### " + body.split("\n### ", 1)[1] if "\n### " in body else ""
        text = before + section + history + ("\n## " + rest[0] if rest else "")
    else:
        text = text.rstrip() + "\n\n" + section
    results.write_text(text)
    print(json.dumps(rows, default=str))


def _earlier_rows(text: str, args, measured: set[str]) -> list[str]:
    """The table rows of the current "## Force scale" section for databases this run did not
    measure, when that section is of the same --people and --seed."""
    if "## Force scale" not in text:
        return []
    body = text.partition("## Force scale")[2].split("\n## ", 1)[0].split("\n### ", 1)[0]
    if f"--people {args.people} --seed {args.seed}`" not in body:
        return []
    return [line for line in body.splitlines()
            if line.startswith("| ") and line.split()[1] in {"sqlite", "postgres"} - measured]


def _memory() -> str:
    with open("/proc/meminfo") as handle:
        kib = int(handle.readline().split()[1])
    return f"{kib / 1024 / 1024:.0f} GiB memory"


def _cpu() -> str:
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


if __name__ == "__main__":
    main()
