from django.core.management.base import BaseCommand, CommandError

from safeguard.access.system import system_reader
from safeguard.alerts.replay import replay
from safeguard.alerts.services import evaluate
from safeguard.core.calendar import LONDON
from safeguard.core.clock import parse_moment


class Command(BaseCommand):
    help = "Print when each alert about a person would have been raised and closed in a period, with what was recorded."

    def add_arguments(self, parser):
        parser.add_argument("--person", type=int, required=True, help="resolved person id (see `persons --json`)")
        parser.add_argument("--from", dest="start", required=True, metavar="T1")
        parser.add_argument("--to", dest="end", required=True, metavar="T2")

    def handle(self, *args, person, start, end, **options):
        try:
            t1, t2 = parse_moment(start), parse_moment(end)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if t2 < t1:
            raise CommandError("--to is before --from")
        evaluate(horizon=t2, actor_label="replay")
        for moment in replay(user=system_reader(), person_id=person, start=t1, end=t2):
            self.stdout.write(f"{moment.at.astimezone(LONDON):%Y-%m-%d %H:%M %Z}  {moment.what}")
