import json

from django.core.management.base import BaseCommand, CommandError

from safeguard.alerts.services import evaluate
from safeguard.core.clock import parse_moment


class Command(BaseCommand):
    help = "Bring the stored alert history up to date as far as T (default: now)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="T", help="ISO 8601 date-time with offset")

    def handle(self, *args, as_of=None, **options):
        try:
            horizon = parse_moment(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from None
        self.stdout.write(json.dumps(evaluate(horizon=horizon, actor_label="command line")))
