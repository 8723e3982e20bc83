"""safeguard generate: write a synthetic force's feed and its ground truth."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f'--end "{text}" is not a date: write it as YYYY-MM-DD') from exc


class Command(BaseCommand):
    help = (
        "Generate a synthetic force: DIR/feed.jsonl (feed format version 1) from police, children's social care, "
        "health, education, probation and the sex-offender register, with the ground truth in DIR/truth/ "
        "(records.csv, situations.jsonl, summary.json). The same options always give the same bytes."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--people", type=int, default=20000, help="true people in the force area (default 20000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--out", required=True, help="output folder (created if missing; files in it are replaced)"
        )
        parser.add_argument(
            "--end",
            type=_date,
            default=None,
            help="last day of the history, YYYY-MM-DD (default 2026-10-31, fixed so that output does not depend on the day it runs)",
        )
        parser.add_argument("--years", type=int, default=6, help="years of history before --end (default 6)")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default: one per CPU); the output does not depend on it",
        )

    def handle(self, *args, **opts):
        from safeguard.synth.generator import generate

        people = opts["people"]
        if people < 1:
            raise CommandError("--people must be at least 1")
        if opts["years"] < 1:
            raise CommandError("--years must be at least 1")
        out = Path(opts["out"])
        tty = sys.stderr.isatty()
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if opts["verbosity"] == 0:
                return
            msg = f"generated {done:,} of {total:,} people ({time.perf_counter() - started:.0f}s)"
            if tty:
                sys.stderr.write("\r" + msg + ("\n" if done >= total else ""))
                sys.stderr.flush()
            elif done >= total or done % 50000 < 2500:
                sys.stderr.write(msg + "\n")

        s = generate(
            people,
            opts["seed"],
            out,
            end=opts["end"],
            progress=progress,
            years=opts["years"],
            workers=opts["workers"],
        )
        if opts["verbosity"] == 0:
            return
        sits = sum(v["total"] for v in s.situations.values())
        self.stdout.write(
            f"{out / 'feed.jsonl'}: {sum(s.lines.values()):,} lines, {s.feed_bytes / 1e6:.1f} MB\n"
            f"  {s.true_people:,} people -> {s.person_records:,} person records "
            f"({s.person_records / max(1, s.true_people):.2f} each), {s.records.get('location', 0):,} locations, "
            f"{s.records.get('event', 0):,} events ({s.lines.get('event', 0):,} event lines)\n"
            f"{out / 'truth'}: records.csv, situations.jsonl ({sits:,} planted situations), summary.json\n"
            f"  history {s.years} years to {s.end}, seed {s.seed}, {s.seconds:.1f}s"
        )
