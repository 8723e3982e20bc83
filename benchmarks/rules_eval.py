"""Rule evaluation speed (issue 9, "Speed"): full evaluation, split into loading the World and
running each rule, and the incremental alert update after a 1,000-record ingest.

    .venv/bin/python benchmarks/rules_eval.py --people 20000 --db sqlite
    .venv/bin/python benchmarks/rules_eval.py --people 20000 --db postgres

Steps: a `safeguard generate --people N` feed (made once, kept in benchmarks/out/rules-N/); its
last 1,000 lines held back; the rest loaded into a fresh database (`ingest --no-evaluate`, then
`link`), as an operator would. Then, in a child process against that database:

1. full evaluation as `evaluate` does it: World load, each rule, writing the alerts (timed apart);
2. the held-back 1,000 records loaded with the feed service, linked incrementally
   (`link_records`, the linkage session's), then the incremental alert update
   (`evaluate(records=..., persons=..., locations=...)`), timed apart from loading and linkage;
3. a full evaluation again, for comparison with (2).

Prints one JSON object; the figures go by hand into benchmarks/RESULTS.md, "Rule evaluation".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SAFEGUARD = [sys.executable, "-m", "safeguard.manage"]
HELD_BACK = 1000


def step(env: dict, *args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([*SAFEGUARD, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"safeguard {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return round(time.monotonic() - started, 1)


def prepare(people: int, seed: int, db: str) -> tuple[dict, dict]:
    """A fresh database holding the feed less its last 1,000 lines, linked. Returns (env, timings)."""
    folder = OUT / (f"rules-{people}" if seed == 1 else f"rules-{people}-seed{seed}")
    feed = folder / "feed.jsonl"
    timings: dict = {}
    if not feed.exists():
        timings["generate_s"] = step(dict(os.environ), "generate", "--people", str(people), "--seed", str(seed),
                                     "--out", str(folder), "--workers", "1")
    main, tail = folder / "feed-main.jsonl", folder / "feed-last-1000.jsonl"
    lines = feed.read_text(encoding="utf-8").splitlines(keepends=True)
    main.write_text("".join(lines[:-HELD_BACK]), encoding="utf-8")
    tail.write_text("".join(lines[-HELD_BACK:]), encoding="utf-8")
    timings["feed_lines"] = len(lines)
    env = dict(os.environ)
    if db == "sqlite":
        path = folder / f"bench-{os.getpid()}.sqlite3"  # runs side by side do not share a copy
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        name = f"sg_rules_bench_{people}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    timings["migrate_s"] = step(env, "migrate", "--no-input")
    timings["ingest_s"] = step(env, "ingest", "--no-evaluate", str(main))
    timings["link_s"] = step(env, "link")
    env["RULES_EVAL_TAIL"] = str(tail)
    return env, timings


class Clock:
    """Wall and CPU seconds of this process since the last lap: the machine is shared, and the
    CPU seconds depend less on the neighbours than the wall time does."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> dict:
        wall, cpu = time.perf_counter(), time.process_time()
        out = {"wall_s": round(wall - self.wall, 2), "cpu_s": round(cpu - self.cpu, 2)}
        self.wall, self.cpu = wall, cpu
        return out


def _alert_rows(alerts) -> list[list]:
    """The full alert set as comparable rows (RULES_EVAL_DUMP): keys, times, severities, text."""
    return sorted([a.rule, a.key, a.raised_at.isoformat(), a.due_at.isoformat() if a.due_at else None,
                   a.closed_at.isoformat() if a.closed_at else None, a.close_reason, a.severity,
                   [[m.isoformat(), sev] for m, sev in a.severities], a.summary,
                   sorted([p, r] for p, r in a.subjects), sorted(a.evidence)] for a in alerts)


def measure() -> dict:
    """Run in the child process, against DATABASE_URL."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    django.setup()
    from django.db import connection

    try:
        from safeguard.alerts.services import evaluate, partnership_settings
    except ImportError:  # the code before it (a baseline run)
        from safeguard.alerts.services import _settings as partnership_settings
        from safeguard.alerts.services import evaluate
    from safeguard.core.clock import now
    from safeguard.feed.services import feed_load
    from safeguard.linkage.services import link_records
    from safeguard.records.models import EventVersion, PersonVersion
    from safeguard.rules.engine import rules, run_rule

    try:
        from safeguard.rules.engine import gc_paused
    except ImportError:  # the code before it (a baseline run)
        from contextlib import nullcontext as gc_paused
    from safeguard.rules.scope import scope_of
    from safeguard.rules.world import World

    out: dict = {"database": connection.vendor, "person_versions": PersonVersion.objects.count(),
                 "event_versions": EventVersion.objects.count()}
    horizon, s = now(), partnership_settings()
    if os.environ.get("RULES_EVAL_HORIZON"):  # the same horizon run after run (RULES_EVAL_DUMP)
        from safeguard.core.clock import parse_moment

        horizon = parse_moment(os.environ["RULES_EVAL_HORIZON"])
    out["horizon"] = horizon.isoformat()
    profile = None
    if os.environ.get("RULES_EVAL_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    clock = Clock()
    with gc_paused():  # as engine.compute runs them
        world = World(horizon)
        out["world_load"] = clock.lap()
        per_rule = {}
        everything = []
        for code, rule in rules().items():
            alerts = run_rule(rule, world, s)
            per_rule[code] = {**clock.lap(), "alerts": len(alerts)}
            everything.extend(alerts)
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.environ["RULES_EVAL_PROFILE"])
    out["rules_cpu_s"] = round(sum(r["cpu_s"] for r in per_rule.values()), 2)
    out["world_and_rules_cpu_s"] = round(out["rules_cpu_s"] + out["world_load"]["cpu_s"], 2)
    out["alerts"] = len(everything)
    out["per_rule"] = dict(sorted(per_rule.items(), key=lambda kv: -kv[1]["cpu_s"]))
    if os.environ.get("RULES_EVAL_DUMP"):
        Path(os.environ["RULES_EVAL_DUMP"]).write_text(json.dumps(_alert_rows(everything)), encoding="utf-8")
    del world, everything
    if os.environ.get("RULES_EVAL_ONLY_FULL"):
        return out
    clock.lap()
    out["full_evaluate"] = evaluate(horizon=horizon, actor_label="benchmark")
    out["full_evaluate_time"] = clock.lap()

    tail = Path(os.environ["RULES_EVAL_TAIL"])
    lines = [(tail.name, n, line) for n, line in enumerate(tail.read_text(encoding="utf-8").splitlines(), start=1)]
    clock.lap()
    loaded = feed_load(actor=None, actor_label="benchmark", origin=tail.name, lines=lines)
    out["tail_load"] = clock.lap()
    out["tail_records_touched"] = len(loaded.touched_record_ids)
    import inspect

    extra = {"judge_alerts": False} if "judge_alerts" in inspect.signature(link_records).parameters else {}
    linked = link_records(record_ids=set(loaded.touched_record_ids), actor=None, actor_label="benchmark", **extra)
    out["tail_link"] = clock.lap()
    scope = scope_of(records=set(loaded.touched_record_ids), persons=set(linked.changed_persons),
                     locations=set(linked.changed_locations))
    out["scope_time"] = clock.lap()  # also done inside the incremental evaluation below
    out["scope"] = {"core_persons": len(scope.core), "person_records": len(scope.person_records),
                    "location_records": len(scope.location_records)}
    clock.lap()
    out["incremental_evaluate"] = evaluate(horizon=horizon, actor_label="benchmark", records=set(loaded.touched_record_ids),
                                           persons=set(linked.changed_persons), locations=set(linked.changed_locations))
    out["incremental_evaluate_time"] = clock.lap()
    out["incremental_queries"] = _queries_of(lambda: evaluate(
        horizon=horizon, actor_label="benchmark", records=set(loaded.touched_record_ids),
        persons=set(linked.changed_persons), locations=set(linked.changed_locations)))
    clock.lap()
    out["full_evaluate_after"] = evaluate(horizon=horizon, actor_label="benchmark")
    out["full_evaluate_after_time"] = clock.lap()
    return out


def _queries_of(fn) -> int:
    """How many SQL queries fn makes (run again, for the count alone)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database", help="a copy of this prepared SQLite file instead of preparing one "
                        "(made by an earlier run: benchmarks/out/rules-N/prepared.sqlite3)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure()))
        return
    if args.database:
        import shutil

        folder = OUT / f"rules-{args.people}"
        path = folder / f"bench-{os.getpid()}.sqlite3"  # runs side by side do not share a copy
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(args.database, path)
        env, timings = dict(os.environ), {"database_copy_of": args.database}
        env["DATABASE_URL"] = f"sqlite:///{path}"
        env["RULES_EVAL_TAIL"] = str(folder / "feed-last-1000.jsonl")
    else:
        env, timings = prepare(args.people, args.seed, args.db)
        if args.db == "sqlite":
            import shutil

            shutil.copyfile(env["DATABASE_URL"].removeprefix("sqlite:///"), OUT / f"rules-{args.people}" / "prepared.sqlite3")
    child = subprocess.run([sys.executable, __file__, "--measure"], env=env, capture_output=True, text=True, check=False)
    if args.database:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{env['DATABASE_URL'].removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
    if child.returncode:
        raise SystemExit(child.stderr[-3000:])
    result = {"people": args.people, "db": args.db, "machine": f"{os.cpu_count()} CPUs, {platform.python_version()}",
              "load_average": os.getloadavg(), **timings, **json.loads(child.stdout.strip().splitlines()[-1])}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
