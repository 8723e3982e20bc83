"""safeguard demo: the one-command tour."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Fresh demo database (SQLite in the data folder), synthetic force data, linkage, alerts, "
            "demo users printed, and the site on http://127.0.0.1:8000.")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20_000, help="size of the synthetic force (default 20,000)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep", action="store_true", help="reuse the existing demo database")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and stop")

    def handle(self, *args, people, seed, keep, port, no_serve, **options):
        database = Path(settings.DATA_DIR) / "demo.sqlite3"
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}")
        started = time.monotonic()
        fresh = not (keep and database.exists())
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        steps = [("Creating the database", ["migrate", "--noinput", "-v0"])]
        steps.append(("Setting up organisations and demo users", ["demo_setup"]))
        if fresh and self._has_generator():
            out = Path(settings.DATA_DIR) / "demo-feed"
            steps += [
                (f"Generating a synthetic force of {people:,} people", ["generate", "--people", str(people),
                                                                         "--seed", str(seed), "--out", str(out)]),
                ("Loading the feed", ["ingest", "--no-evaluate", str(out / "feed.jsonl")]),
            ]
            steps += [(label, cmd) for label, cmd in self._later_steps()]
        total = len(steps)
        for number, (label, command) in enumerate(steps, start=1):
            self.stdout.write(f"[{number}/{total}] {label}...")
            self.stdout.flush()
            step_started = time.monotonic()
            # Our own interpreter and fixed arguments: no untrusted input reaches the command.
            result = subprocess.run([sys.executable, "-m", "safeguard.manage", *command], env=env)  # noqa: S603
            if result.returncode not in (0, 1) or (result.returncode == 1 and command[0] != "ingest"):
                self.stderr.write(f"Step failed: safeguard {' '.join(command)} (exit {result.returncode})")
                sys.exit(result.returncode)
            self.stdout.write(f"      done in {time.monotonic() - step_started:.1f} s")
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.monotonic() - started:.0f} s."))
        if no_serve:
            return
        self.stdout.write(f"Serving on http://127.0.0.1:{port}/ (Ctrl-C to stop); the rule clock ticks every minute")
        manage = [sys.executable, "-m", "safeguard.manage"]
        clock = subprocess.Popen([*manage, "clock"], env=env, stdout=subprocess.DEVNULL)  # noqa: S603
        try:
            subprocess.run([*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"], env=env)  # noqa: S603
        except KeyboardInterrupt:
            pass
        finally:
            clock.terminate()

    @staticmethod
    def _has_generator() -> bool:
        from django.core.management import get_commands

        return "generate" in get_commands()

    @staticmethod
    def _later_steps() -> list[tuple[str, list[str]]]:
        from django.core.management import get_commands

        commands = get_commands()
        steps = []
        if "link" in commands:
            steps.append(("Linking people and places across agencies", ["link"]))
        if "evaluate" in commands:
            steps.append(("Running the rules", ["evaluate"]))
        return steps
