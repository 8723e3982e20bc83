import json

from django.core.management.base import BaseCommand, CommandError

from safeguard.access.system import system_reader
from safeguard.linkage.selectors import persons_export


class Command(BaseCommand):
    help = "Print every resolved person with its source records."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", required=True, help="JSON output (the only format)")

    def handle(self, *args, **options):
        if not options["json"]:
            raise CommandError("use --json")
        self.stdout.write(json.dumps(persons_export(user=system_reader()), indent=1))
