"""safeguard demo: the one-command tour.

A fresh SQLite database in the data folder, the demo organisations and users, a synthetic force
(generate -> ingest -> link -> casework and inspection -> evaluate), then the site. The force is
generated while the database is made. The empty migrated database is kept beside it as a
template (named by a fingerprint of the code and the installed packages), so later demos copy it
instead of migrating again (`--prepare` makes it ahead, for an installer). The web server starts
as soon as the users exist, so the sign-in page is up while the force loads; the rule clock
starts once the force is complete. Each step is its own `safeguard` process (a clean start on the demo
database, and its memory is given back when it ends), started while the step before it runs so
that Django's start-up is out of the way when its turn comes, and reports its wall and CPU time.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# The default force: about 33,600 source person records of 20,000 people with six years of
# history (232,500 feed lines): households, histories and alerts on every page, and ready to sign
# in to within two minutes on a 2-core machine: about 65 s of CPU, ready in 50-70 s with the
# machine shared (load average 1-5), migrating included (benchmarks/RESULTS.md, "Demo").
DEMO_PEOPLE = 20_000
MANAGE = [sys.executable, "-m", "safeguard.manage"]
STEP = [sys.executable, "-m", "safeguard.demo.step"]
MIGRATE = ["migrate", "--noinput", "-v0"]


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
        parser.add_argument("--prepare", action="store_true",
                            help="only migrate the empty database that fresh demos copy (if there is none for "
                                 "this code yet), for an installer to run, so that the first demo does not migrate")

    def handle(self, *args, people, seed, keep, port, no_serve, prepare, **options):
        if people < 1:
            raise CommandError("--people must be at least 1")
        database = Path(settings.DATA_DIR) / "demo.sqlite3"
        if prepare:
            self._prepare(database)
            return
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
        # Each step's process is started while the step before it runs (safeguard.demo.step), so
        # its start-up is done by the time its turn comes.
        ahead: dict[int, subprocess.Popen] = {}

        def own_process(index: int) -> bool:
            command = steps[index][1]
            return command[0] != "generate" and not (command[0] == "migrate" and fresh)

        # Stopped by a signal (Ctrl-C, or SIGTERM from a script or a service manager; SIGINT too
        # when a shell started the demo in the background, which ignores it), the demo ends the
        # web server, the clock and any step still running, instead of leaving them behind.
        previous_term = signal.signal(signal.SIGTERM, _interrupt)
        previous_int = signal.signal(signal.SIGINT, _interrupt)
        try:
            for number, (label, command) in enumerate(steps, start=1):
                following = next((i for i in range(number, len(steps)) if own_process(i)), None)
                if following is not None and following not in ahead:
                    ahead[following] = self._start(steps[following][1], env,
                                                   capture=steps[following][1][0] == "demo_setup")
                self.stdout.write(f"[{number}/{len(steps)}] {label}...")
                self.stdout.flush()
                if command[0] == "generate":
                    self._wait_generator(generator, command)
                    continue
                if command[0] == "migrate" and fresh:
                    self._create_database(database, command, env)
                    continue
                output = self._run(command, env, capture=command[0] == "demo_setup",
                                   process=ahead.pop(number - 1, None))
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
                clock.wait(timeout=30)
        except KeyboardInterrupt:
            self.stdout.write("Stopping the demo.")
        finally:
            children = [p for p in (server, generator[0] if generator else None, *ahead.values(),
                                    getattr(self, "_current", None)) if p is not None]
            for process in children:
                if process.poll() is None:
                    process.terminate()
            for process in children:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            signal.signal(signal.SIGTERM, previous_term)
            signal.signal(signal.SIGINT, previous_int)

    @staticmethod
    def _steps(*, people: int, seed: int, feed: Path, fresh: bool) -> list[tuple[str, list[str]]]:
        steps = [("Creating the database", MIGRATE),
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

    def _prepare(self, database: Path) -> None:
        if _template(database).exists():
            self.stdout.write(f"The demo's empty database is ready: {_template(database)}")
            return
        scratch = database.with_name(f"demo-prepare-{os.getpid()}.sqlite3")
        try:
            self._create_database(scratch, MIGRATE, dict(os.environ, DATABASE_URL=f"sqlite:///{scratch}"))
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        self.stdout.write(f"The demo's empty database is ready: {_template(database)}")

    def _create_database(self, database: Path, command: list[str], env: dict[str, str]) -> None:
        """Copy the template made by an earlier demo on the same code, or migrate and keep a template."""
        wall = time.monotonic()
        template = _template(database)
        if template.exists():
            shutil.copyfile(template, database)
            self.stdout.write(f"      done in {time.monotonic() - wall:.1f} s (a copy of the empty database "
                              f"migrated by an earlier demo: {template.name})")
            return
        self._run(command, env, capture=False)
        # A consistent, compact copy of the empty database, renamed into place only when complete;
        # templates for other code are removed (the fingerprint changes with any code change).
        partial = template.with_name(f"{template.name}.{os.getpid()}.partial")
        partial.unlink(missing_ok=True)
        connection = sqlite3.connect(database)
        try:
            connection.execute("VACUUM INTO ?", (str(partial),))
        finally:
            connection.close()
        for old in database.parent.glob("demo-template-*.sqlite3"):
            old.unlink(missing_ok=True)
        partial.replace(template)

    @staticmethod
    def _start(command: list[str], env: dict[str, str], *, capture: bool) -> subprocess.Popen:
        """A step's process, started and waiting for its turn (see safeguard.demo.step). The
        system checks are skipped: `safeguard demo` ran them on the same code as it started."""
        # Our own interpreter and fixed arguments: no untrusted input reaches the command.
        return subprocess.Popen([*STEP, *command, "--skip-checks"], env=env, text=True,  # noqa: S603
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE if capture else None)

    def _run(self, command: list[str], env: dict[str, str], *, capture: bool,
             process: subprocess.Popen | None = None) -> str:
        """Run one step (its process started ahead, or now), print its wall time from its turn and
        its process's CPU time (start-up included); the step's output if `capture`."""
        process = process or self._start(command, env, capture=capture)
        self._current = process  # ended with the demo if it is stopped during this step
        wall = time.monotonic()
        cpu = _children_cpu()
        output, _ = process.communicate("run\n")
        if process.returncode != 0:
            raise CommandError(f"step failed: safeguard {' '.join(command)} (exit {process.returncode})")
        self.stdout.write(f"      done in {time.monotonic() - wall:.1f} s (CPU {_children_cpu() - cpu:.1f} s)")
        return output or ""

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


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _template(database: Path) -> Path:
    """The empty migrated database kept beside the demo's for the code as it is now."""
    return database.with_name(f"demo-template-{_schema_fingerprint()}.sqlite3")


def _schema_fingerprint() -> str:
    """What an empty migrated database depends on: the application's code (its migrations, models
    and what runs after migrating), the installed packages (theirs) and the SQLite library."""
    digest = hashlib.sha256()
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join([sys.version, sqlite3.sqlite_version, *packages]).encode())
    root = Path(__file__).resolve().parents[3]  # the safeguard package
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _children_cpu() -> float:
    """CPU seconds of every finished child process and its own children (generate's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
