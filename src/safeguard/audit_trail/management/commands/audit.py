"""`safeguard audit verify`: prove the audit trail is whole and unaltered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeguard.audit_trail.chain import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        verify = commands.add_parser(
            "verify",
            help="Recompute every entry's HMAC and check the chain links; exit 1 on any problem.",
        )
        verify.add_argument("--batch-size", type=int, default=1000, help="Entries read per query.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Only one subcommand so far; argparse has already refused anything else.
        self.verify(batch_size=options["batch_size"])

    def verify(self, *, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        check = verify_chain(batch_size=batch_size, report=lambda seq, message: self.stderr.write(message))
        if not check.ok:
            raise CommandError(
                f"audit chain BROKEN: {check.problems} problem(s) in {check.entries} entries; "
                f"first bad entry seq {check.first_bad_seq}"
            )
        self.stdout.write(f"audit chain OK: {check.entries} entries")
