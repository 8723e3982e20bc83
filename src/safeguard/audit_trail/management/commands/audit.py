"""`safeguard audit verify` and `safeguard audit checkpoint`: prove the audit trail is whole and
unaltered, and anchor its head outside the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguard.audit_trail.chain import verify_chain
from safeguard.audit_trail.checkpoints import verify_against_checkpoints, write_checkpoint


class Command(BaseCommand):
    help = "Audit trail tools."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,checkpoint}")
        verify = commands.add_parser(
            "verify",
            help="Recompute every entry's HMAC, check the chain links and the signed checkpoints; exit 1 on any problem.",
        )
        verify.add_argument("--batch-size", type=int, default=1000, help="Entries read per query.")
        commands.add_parser(
            "checkpoint",
            help="Sign the chain head and append it to AUDIT_CHECKPOINT_PATH. Run it at least hourly (the clock does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "checkpoint":
            point = write_checkpoint()
            self.stdout.write(f"checkpoint written: seq {point.seq}, key {point.key_id}")
            return
        self.verify(batch_size=options["batch_size"])

    def verify(self, *, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        check = verify_chain(batch_size=batch_size, report=lambda seq, message: self.stderr.write(message))
        anchored = verify_against_checkpoints(report=lambda seq, message: self.stderr.write(message))
        problems = check.problems + anchored.problems
        if problems:
            bad = [s for s in (check.first_bad_seq, anchored.first_bad_seq) if s is not None]
            first = f"first bad entry seq {min(bad)}" if bad else "the checkpoint file is damaged"
            raise CommandError(f"audit chain BROKEN: {problems} problem(s) in {check.entries} entries; {first}")
        self.stdout.write(f"audit chain OK: {check.entries} entries, {anchored.checkpoints} checkpoint(s)")
