from django.core.management.base import BaseCommand

from safeguard.demo.setup import demo_setup


class Command(BaseCommand):
    help = "Create or reset the demo organisations and one demo user per role, and print them."

    def handle(self, *args, **options):
        password, users = demo_setup()
        self.stdout.write("Demo users (all share this password): " + self.style.SUCCESS(password))
        for user in users:
            self.stdout.write(f"  {user.username:<32} {user.last_name} - {user.organisation}")
