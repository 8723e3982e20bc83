"""safeguard ingest FILE... | -"""

from __future__ import annotations

import getpass
import os
import socket
import sys
import time
from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError

from safeguard.feed.loader import Rejection, read_lines
from safeguard.feed.services import feed_load

# A feed line is about 250 bytes (a person ~200, an event with subjects and attributes ~300):
# enough to tell a large load from a small one by the file's size.
BYTES_PER_LINE = 250


class Progress:
    """A one-line progress bar on standard error, only when it is a terminal."""

    def __init__(self, stream, total_bytes: int | None):
        self.stream, self.total, self.enabled = stream, total_bytes, stream.isatty()
        self.started = self.last = time.monotonic()
        self.position = lambda: 0

    def __call__(self, lines: int) -> None:
        if not self.enabled or time.monotonic() - self.last < 0.2:
            return
        self.last = time.monotonic()
        rate = lines / max(self.last - self.started, 1e-6)
        if self.total:
            share = min(self.position() / self.total, 1.0)
            bar = "#" * int(share * 30)
            text = f"\r[{bar:<30}] {share:4.0%}  {lines:,} lines  {rate:,.0f}/s"
        else:
            text = f"\r{lines:,} lines  {rate:,.0f}/s"
        self.stream.write(text)
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Load feed files (shared/spec/feed.md). '-' reads standard input. Exits 1 if any line was rejected."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--no-evaluate", action="store_true",
                            help="only store the records: do not bring linkage and alerts up to date")

    def handle(self, *args, files, no_evaluate, **options):
        for name in files:
            if name != "-" and not os.path.isfile(name):
                raise CommandError(f"{name}: no such file")
        actor_label = f"command line ({getpass.getuser()}@{socket.gethostname()})"

        def report(rejection: Rejection) -> None:
            self.stderr.write(str(rejection))

        total_rejected = 0
        with ExitStack() as stack:
            for name in files:
                if name == "-":
                    stream, size = sys.stdin.buffer, None
                else:
                    stream = stack.enter_context(open(name, "rb"))  # noqa: SIM115 - closed by the stack
                    size = os.path.getsize(name)
                progress = Progress(sys.stderr, size)
                progress.position = stream.tell if size else (lambda: 0)
                summary = feed_load(actor=None, actor_label=actor_label, origin=name,
                                    lines=read_lines(os.path.basename(name) if name != "-" else "-", stream),
                                    on_error=report, progress=progress,
                                    expected_lines=size // BYTES_PER_LINE if size else None)
                progress.done()
                total_rejected += summary.rejected
                self.stdout.write(f"{name}: {summary.text()}")
                if not no_evaluate:
                    from safeguard.feed.hooks import after_load

                    after_load(summary, stdout=self.stdout)
        if total_rejected:
            sys.exit(1)
