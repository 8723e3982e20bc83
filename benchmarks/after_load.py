"""What a small load costs after it is stored (issues 8 and 9, the incremental targets): store N
new feed lines into a loaded, linked and evaluated database, then bring linkage
(`linkage.services.link_records`) and alerts (`alerts.services.evaluate_after_load`) up to date for
what they touched, as `ingest` does after a load, timing each step.

The new lines are copies of lines of a feed file (a seeded sample), with fresh ids and recorded
after everything held: a copied person is a new record of a person already held, a copied link
or event refers to copied records where they were copied too, else to the records held.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_force .venv/bin/python benchmarks/after_load.py \\
        --feed benchmarks/out/force-600000-1/feed.jsonl [--lines 1000] [--seed 1] [--rounds 2] [--kind person]
        [--profile 25] [--no-alerts]

It writes to the database (the stored lines stay, each run with its own ids): use a copy or a
database made for benchmarks. Before timing, the stored blocking keys are brought up to date
(a database linked before they were kept has none: they are rebuilt once, timed separately).
Targets: linkage of 1,000 new records within 10 s (issue 8), the incremental rule update within
2 s (issue 9). Prints one JSON object: counts, seconds (wall and CPU of this process), the scope,
the runs' summaries, and the load average when it ran.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

REFERENCES = {"person": "person", "other": "person", "location": "location"}  # field -> kind referred to


def sample(feed: Path, n: int, seed: int, kind: str | None = None) -> list[dict]:
    """A seeded reservoir sample of `n` lines of `feed` (relationships left out: not linkage's),
    only of `kind` if given."""
    rng = random.Random(seed)
    chosen: list[str] = []
    seen = 0
    wanted = f'"kind": "{kind}"' if kind else None
    with feed.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or '"relationship"' in line[:40] or (wanted and wanted not in line[:40]):
                continue
            seen += 1
            if len(chosen) < n:
                chosen.append(line)
            else:
                j = rng.randrange(seen)
                if j < n:
                    chosen[j] = line
    return [json.loads(line) for line in chosen]


def fresh_copies(lines: list[dict], tag: str, recorded_at: str) -> list[str]:
    copied = {(line["source"], line["kind"], line["id"]) for line in lines}

    def renamed(source: str, kind: str, ref):
        """A reference (an id in the line's source, or {"source", "id"}) to the copy, if copied."""
        target, ext_id = (ref["source"], ref["id"]) if isinstance(ref, dict) else (source, ref)
        if (target, kind, ext_id) not in copied:
            return ref
        return dict(ref, id=f"{ext_id}-{tag}") if isinstance(ref, dict) else f"{ext_id}-{tag}"

    out = []
    for line in lines:
        line = dict(line, id=f"{line['id']}-{tag}", recorded_at=recorded_at)
        for field, kind in REFERENCES.items():
            if field in line and line["kind"] != kind:
                line[field] = renamed(line["source"], kind, line[field])
        if "subjects" in line:
            line["subjects"] = [dict(s, person=renamed(line["source"], "person", s["person"])) if "person" in s else s
                                for s in line["subjects"]]
        out.append(json.dumps(line))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feed", type=Path, required=True, help="the feed the database was loaded from")
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, help="loads and links, one after the other (seed + round)")
    parser.add_argument("--kind", help="copy only lines of this kind (e.g. person, for one arriving record)")
    parser.add_argument("--profile", type=int, default=0, help="print this many lines of a cProfile of the link")
    parser.add_argument("--no-alerts", action="store_true", help="time the linkage only")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the code to measure (e.g. an earlier commit's src from `git archive`)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src))

    import django

    django.setup()
    from django.db import connection, transaction

    from safeguard.linkage import candidates, services

    scope_sizes: list[int] = []
    person_scope = services.person_scope

    def measured_scope(*scope_args):
        found = person_scope(*scope_args)
        scope_sizes.append(len(found))
        return found

    services.person_scope = measured_scope
    from safeguard.alerts.services import evaluate_after_load
    from safeguard.feed.services import feed_load

    figures: dict = {"code": str(args.src), "database": connection.vendor, "rounds": []}
    if hasattr(candidates, "ensure_keys"):  # code from before the keys were kept has none
        wall, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            rebuilt = candidates.ensure_keys(model=services.active_model())
        figures["keys_ready"] = {"rebuilt": rebuilt, "wall_s": round(time.perf_counter() - wall, 2),
                                 "cpu_s": round(time.process_time() - cpu, 2)}
    profile = cProfile.Profile() if args.profile else None
    for number in range(args.rounds):
        # Each round its own sample and ids; the first pays for what a process makes once
        # (Splink's SQL), later ones show a long-running process (the web application).
        tag = f"x{int(time.time())}r{number}"
        lines = fresh_copies(sample(args.feed, args.lines, args.seed + number, args.kind), tag, "2026-11-20T09:00:00Z")
        kinds: dict[str, int] = {}
        for line in lines:
            kind = json.loads(line)["kind"]
            kinds[kind] = kinds.get(kind, 0) + 1
        figure: dict = {"lines": len(lines), "kinds": kinds}
        wall, cpu = time.perf_counter(), time.process_time()
        summary = feed_load(actor=None, actor_label="benchmark", origin=f"benchmark-{tag}.jsonl",
                            lines=[(f"benchmark-{tag}.jsonl", n, line) for n, line in enumerate(lines, start=1)])
        figure["store"] = {"wall_s": round(time.perf_counter() - wall, 2), "cpu_s": round(time.process_time() - cpu, 2),
                           "touched_records": len(summary.touched_record_ids)}
        scope_sizes.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        if profile and number == args.rounds - 1:
            profile.enable()
        result = services.link_records(record_ids=set(summary.touched_record_ids), actor=None,
                                       actor_label="benchmark", judge_alerts=False)
        if profile:
            profile.disable()
        figure["link"] = {"wall_s": round(time.perf_counter() - wall, 2), "cpu_s": round(time.process_time() - cpu, 2),
                          "person_scope": list(scope_sizes), "changed_persons": len(result.changed_persons),
                          "changed_locations": len(result.changed_locations), "summary": result.summary}
        if not args.no_alerts:
            summary.linkage = result  # as the linkage hook leaves it for the alerts' hook
            wall, cpu = time.perf_counter(), time.process_time()
            message = evaluate_after_load(summary)
            figure["alerts"] = {"wall_s": round(time.perf_counter() - wall, 2),
                                "cpu_s": round(time.process_time() - cpu, 2), "summary": message}
        figures["rounds"].append(figure)
    figures["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(figures, default=str))
    if profile:  # of the last round
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
