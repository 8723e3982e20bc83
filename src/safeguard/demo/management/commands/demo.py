"""safeguard demo: the one-command tour.

A fresh SQLite database in the data folder, the demo organisations and users, a synthetic force
(generate -> ingest -> link -> casework and inspection -> evaluate), then the site. The force is
generated while the database is made. The web server starts as soon as the
users exist, so the sign-in page is up while the force loads; the rule clock starts once the
force is complete. Each step is its own `safeguard` process (a clean start on the demo
database, and its memory is given back when it ends) and reports its wall and CPU time.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# The default force: about 8,500 source person records of 5,000 people with six years of
# history: enough households, histories and alerts to look real on every page, small enough to
# be ready to sign in to within two minutes on a 2-core machine (benchmarks/RESULTS.md, "Demo").
DEMO_PEOPLE = 5_000
MANAGE = [sys.executable, "-m", "safeguard.manage"]


class Command(BaseCommand):
    help = ("Fresh demo database (SQLite in the data folder), synthetic force data, linkage, alerts, "
            "demo users printed, and the site on http://127.0.0.1:8000.")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=DEMO_PEOPLE,
                            help=f"size of the synthetic force in people (default {DEMO_PEOPLE:,})")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep", action="store_true", help="reuse the existing demo database")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare the database and stop")

    def handle(self, *args, people, seed, keep, port, no_serve, **options):
        if people < 1:
            raise CommandError("--people must be at least 1")
        database = Path(settings.DATA_DIR) / "demo.sqlite3"
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}")
        fresh = not (keep and database.exists())
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        feed = Path(settings.DATA_DIR) / "demo-feed"
        steps = self._steps(people=people, seed=seed, feed=feed, fresh=fresh)
        url = f"http://127.0.0.1:{port}/"
        started = time.monotonic()
        server = None
        users_text = ""
        # Generating needs no database: it runs alongside creating the database and the users,
        # using the second core, and its step only waits for it.
        generator = self._start_generator(steps, env)
        try:
            for number, (label, command) in enumerate(steps, start=1):
                self.stdout.write(f"[{number}/{len(steps)}] {label}...")
                self.stdout.flush()
                if command[0] == "generate":
                    self._wait_generator(generator, command)
                    continue
                output = self._run(command, env, capture=command[0] == "demo_setup")
                if command[0] == "demo_setup":
                    users_text = output
                    self.stdout.write(users_text.rstrip())
                    if not no_serve:
                        server = self._serve(env, port)
                        self.stdout.write(f"      The site is starting at {url}: you can sign in while the force loads.")
            self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.monotonic() - started:.0f} s."))
            if no_serve:
                return
            self.stdout.write(users_text.rstrip())
            self.stdout.write(f"Sign in at {url} (Ctrl-C to stop); the rule clock ticks every minute.")
            # Our own interpreter and fixed arguments: no untrusted input reaches the command.
            clock = subprocess.Popen([*MANAGE, "clock"], env=env, stdout=subprocess.DEVNULL)  # noqa: S603
            try:
                server.wait()
            finally:
                clock.terminate()
        except KeyboardInterrupt:
            pass
        finally:
            for process in (server, generator[0] if generator else None):
                if process is not None and process.poll() is None:
                    process.terminate()

    @staticmethod
    def _steps(*, people: int, seed: int, feed: Path, fresh: bool) -> list[tuple[str, list[str]]]:
        steps = [("Creating the database", ["migrate", "--noinput", "-v0"]),
                 ("Setting up organisations and demo users", ["demo_setup"])]
        if fresh:
            steps += [
                (f"Generating a synthetic force of {people:,} people",
                 ["generate", "--people", str(people), "--seed", str(seed), "--out", str(feed)]),
                ("Loading the feed", ["ingest", "--no-evaluate", str(feed / "feed.jsonl")]),
                ("Linking people and places across agencies", ["link"]),
                # After linkage (cases are about resolved people), before the rules (some read cases).
                ("Seeding casework and inspection demo data", ["demo_seed", "--seed", str(seed)]),
                ("Running the rules", ["evaluate"]),
            ]
        return steps

    def _run(self, command: list[str], env: dict[str, str], *, capture: bool) -> str:
        """Run one step, print its wall and CPU time; the step's output if `capture`."""
        wall = time.monotonic()
        cpu = _children_cpu()
        # Our own interpreter and fixed arguments: no untrusted input reaches the command.
        result = subprocess.run([*MANAGE, *command], env=env, text=True,  # noqa: S603
                                stdout=subprocess.PIPE if capture else None)
        if result.returncode != 0:
            raise CommandError(f"step failed: safeguard {' '.join(command)} (exit {result.returncode})")
        self.stdout.write(f"      done in {time.monotonic() - wall:.1f} s (CPU {_children_cpu() - cpu:.1f} s)")
        return result.stdout or ""

    @staticmethod
    def _start_generator(steps: list[tuple[str, list[str]]], env: dict[str, str]
                         ) -> tuple[subprocess.Popen, IO[bytes], float] | None:
        for _, command in steps:
            if command[0] == "generate":
                output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _wait_generator
                # Our own interpreter and fixed arguments: no untrusted input reaches the command.
                process = subprocess.Popen([*MANAGE, *command], env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
                return process, output, time.monotonic()
        return None

    def _wait_generator(self, generator: tuple[subprocess.Popen, IO[bytes], float], command: list[str]) -> None:
        process, output, started = generator
        cpu = _children_cpu()
        status = process.wait()
        with output:
            output.seek(0)
            text = output.read().decode(errors="replace")
        lines = [line for line in text.splitlines() if not line.startswith("generated ")]  # its progress lines
        self.stdout.write("\n".join(lines))
        if status != 0:
            raise CommandError(f"step failed: safeguard {' '.join(command)} (exit {status})")
        self.stdout.write(f"      done {time.monotonic() - started:.1f} s after it started, alongside the steps "
                          f"before (CPU {_children_cpu() - cpu:.1f} s)")

    @staticmethod
    def _serve(env: dict[str, str], port: int) -> subprocess.Popen:
        # Our own interpreter and fixed arguments: no untrusted input reaches the command.
        return subprocess.Popen([*MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],  # noqa: S603
                                env=env)


def _children_cpu() -> float:
    """CPU seconds of every finished child process and its own children (generate's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
