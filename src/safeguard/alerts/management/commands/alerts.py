import json

from django.core.management.base import BaseCommand, CommandError

from safeguard.access.system import system_reader
from safeguard.alerts.selectors import alerts_export
from safeguard.core.clock import now, parse_moment


class Command(BaseCommand):
    help = "Print the alerts open as of T (with --all: every alert raised by T) as a JSON array."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="JSON output (the only format)")
        parser.add_argument("--as-of", metavar="T", help="ISO 8601 date-time with offset (default: now)")
        parser.add_argument("--all", action="store_true", help="every alert raised by T, any status as of T")

    def handle(self, *args, as_of=None, **options):
        if not options["json"]:
            raise CommandError("use --json")
        try:
            moment = parse_moment(as_of) if as_of else now()
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        self.stdout.write(json.dumps(alerts_export(user=system_reader(), moment=moment, include_closed=options["all"]), indent=1))
