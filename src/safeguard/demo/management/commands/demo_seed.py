"""safeguard demo_seed: the demo's casework and inspection, over a loaded and linked force."""

from django.core.management.base import BaseCommand

from safeguard.casework.demo import seed_demo_cases
from safeguard.inspections.demo import seed_demo_inspection


class Command(BaseCommand):
    help = ("Seed the demo's casework (investigations, bail, referrals) and a published inspection. "
            "Run after demo_setup, ingest and link; running it again adds nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args, seed, **options):
        cases = seed_demo_cases(rng_seed=seed)
        seed_demo_inspection(rng_seed=seed)
        self.stdout.write(f"{cases:,} demo investigations; the demo inspection")
