"""What a small load costs after it is stored (issues 8 and 9, the incremental targets): store N
new feed lines into a database that already holds a force, then bring linkage and alerts up to
date for them exactly as `safeguard ingest` does (its after-load hooks), timing each step.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_force \\
        .venv/bin/python benchmarks/after_load.py benchmarks/out/force-600000-1/feed.jsonl --lines 1000

The new lines are copies of lines drawn at random (seeded) from the force's own feed, with fresh
ids (`<id>-N<tag>`) and recorded after the feed's end: a person copied is another agency's record
of a held person, a copied link or event names the copy where its person was copied too and the
held person otherwise (new facts about people already known). The database is changed: each run
adds its lines (use a new `--tag` per run, or a copy of the database).

Targets: linkage of 1,000 new records within 10 s (issue 8), the incremental rule update within
2 s (issue 9). Prints one JSON object; nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402

from safeguard.alerts.services import evaluate_after_load  # noqa: E402
from safeguard.feed.loader import read_lines  # noqa: E402
from safeguard.feed.services import feed_load  # noqa: E402
from safeguard.linkage.services import link_after_load  # noqa: E402


def sample(feed: Path, count: int, seed: int) -> list[dict]:
    """`count` lines drawn uniformly from the feed in one pass (reservoir sampling)."""
    rng = random.Random(seed)
    chosen: list[str] = []
    with feed.open() as handle:
        for number, line in enumerate(handle):
            if number < count:
                chosen.append(line)
            else:
                slot = rng.randrange(number + 1)
                if slot < count:
                    chosen[slot] = line
    return [json.loads(line) for line in chosen]


def renamed(lines: list[dict], tag: str, recorded_from: dt.datetime) -> list[dict]:
    copied = {(line["source"], line["id"]) for line in lines}

    def ref(source: str, rid):
        """A reference: an id in the line's own source, or {"source": ..., "id": ...} in another."""
        if isinstance(rid, dict):
            return dict(rid, id=ref(rid["source"], rid["id"]))
        return f"{rid}-N{tag}" if (source, rid) in copied else rid

    out = []
    for number, line in enumerate(lines):
        line = dict(line, id=f"{line['id']}-N{tag}",
                    recorded_at=(recorded_from + dt.timedelta(seconds=number)).isoformat())
        source = line["source"]
        if line["kind"] == "person_location":
            line["person"] = ref(source, line["person"])
            line["location"] = ref(source, line["location"])
        elif line["kind"] == "relationship":
            line["person"] = ref(source, line["person"])
            line["other"] = ref(source, line["other"])
        elif line["kind"] == "event":
            line["subjects"] = [dict(s, person=ref(source, s["person"])) for s in line.get("subjects", [])]
        out.append(line)
    return out


class Step:
    def __init__(self, figures: dict, name: str):
        self.figures, self.name = figures, name

    def __enter__(self):
        reset_queries()
        self.wall = time.monotonic()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = usage.ru_utime + usage.ru_stime
        return self

    def __exit__(self, *exc):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.figures[self.name] = {"wall_s": round(time.monotonic() - self.wall, 3),
                                   "cpu_s": round(usage.ru_utime + usage.ru_stime - self.cpu, 3),
                                   "queries": len(connection.queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("feed", type=Path, help="the force's feed.jsonl (lines are drawn from it)")
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tag", default=dt.datetime.now(dt.UTC).strftime("%H%M%S"),
                        help="suffix of the new ids (default: the time of day)")
    parser.add_argument("--recorded", default="2026-11-20T09:00:00+00:00",
                        help="when the first new line was recorded")
    args = parser.parse_args()
    lines = renamed(sample(args.feed, args.lines, args.seed), args.tag, dt.datetime.fromisoformat(args.recorded))
    kinds: dict[str, int] = {}
    for line in lines:
        kinds[line["kind"]] = kinds.get(line["kind"], 0) + 1
    payload = "\n".join(json.dumps(line) for line in lines).encode()
    figures: dict = {"database": connection.vendor, "lines": len(lines), "kinds": kinds, "tag": args.tag}
    connection.force_debug_cursor = True  # count queries (connection.queries) without DEBUG
    with Step(figures, "store"):
        summary = feed_load(actor=None, actor_label="benchmark", origin="after_load",
                            lines=read_lines("after_load", io.BytesIO(payload)))
    figures["rejected"] = summary.counts().get("rejected", 0)
    with Step(figures, "link"):
        figures["link_message"] = link_after_load(summary)
    with Step(figures, "alerts"):
        figures["alerts_message"] = evaluate_after_load(summary)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
