"""safeguard totp_code USERNAME: the code a demo user's authenticator shows now, so the demo can
be used on a shared machine without a phone. Refused unless the demo mode is on."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguard.accounts import otp
from safeguard.accounts.models import User


class Command(BaseCommand):
    help = "Print a user's current second-factor code (demo and development only: SAFEGUARD_DEMO=1 or DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEMO_MODE:
            raise CommandError("totp_code works only in the demo (SAFEGUARD_DEMO=1) or with SAFEGUARD_DEBUG=1, "
                               "never in production: it would let anyone at the server pass the second factor.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'No user "{username}". The demo users are listed by: safeguard demo_setup')
        device = otp.confirmed_device(user) or otp.pending_device(user)
        self.stdout.write(otp.current_code(device))
