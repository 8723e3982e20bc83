import json

from django.core.management.base import BaseCommand

from safeguard.linkage.services import link_all


class Command(BaseCommand):
    help = "Run person and location linkage over everything held."

    def handle(self, *args, **options):
        summary = link_all(actor=None, actor_label="command line")
        self.stdout.write(json.dumps(summary))
