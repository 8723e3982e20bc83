import os

from django.core.management.base import BaseCommand

from safeguard.accounts.otp import base32_key, confirmed_device
from safeguard.demo.setup import demo_setup


class Command(BaseCommand):
    help = "Create or reset the demo organisations and one demo user per role, and print them."

    def handle(self, *args, **options):
        password, users = demo_setup()
        self.stdout.write("Demo users (all share this password): " + self.style.SUCCESS(password))
        for user in users:
            self.stdout.write(f"  {user.username:<32} {user.last_name} - {user.organisation}")
        key = base32_key(confirmed_device(users[0]))
        self.stdout.write("Second factor: add this key to an authenticator app (time-based), shared by the demo users: "
                          + self.style.SUCCESS(key))
        self.stdout.write(f"  or: oathtool --totp -b {key}")
        database = f"DATABASE_URL={os.environ['DATABASE_URL']} " if os.environ.get("DATABASE_URL") else ""
        self.stdout.write(f"  or: {database}SAFEGUARD_DEMO=1 safeguard totp_code USERNAME")
