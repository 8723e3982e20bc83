"""`safeguard casework_clock`: escalate partner referrals whose answer is overdue. Safe to run
as often as you like (each referral is escalated once); meant to run with `safeguard clock`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from safeguard.core.clock import now, parse_moment

from ...services import escalate_overdue_referrals


class Command(BaseCommand):
    help = "Escalate referrals to partners whose response is overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="Run as of this ISO 8601 moment (with an offset); default now.")

    def handle(self, *args, **options) -> None:
        moment = parse_moment(options["at"]) if options["at"] else now()
        count = escalate_overdue_referrals(now=moment)
        self.stdout.write(f"{count} overdue referral{'s' if count != 1 else ''} escalated")
