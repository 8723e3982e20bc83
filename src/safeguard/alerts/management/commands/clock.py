"""The running system's clock: re-evaluates the rules at least every minute, so an alert whose
clock passes appears with nothing new fed in, sends critical-alert notices, and runs the
periodic work other domains register (core/ticks.py): escalating overdue partner referrals,
signing an audit checkpoint every hour."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand

from safeguard.alerts.notify import notify_critical
from safeguard.alerts.services import evaluate, partnership_settings
from safeguard.core import clock, ticks


class Command(BaseCommand):
    help = "Re-evaluate alerts every --interval seconds (default 60) and send critical-alert notices."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=60)
        parser.add_argument("--once", action="store_true", help="one tick, then stop")

    def handle(self, *args, interval, once, **options):
        while True:
            started = time.monotonic()
            summary = evaluate(actor_label="clock")
            sent = notify_critical(dt.timedelta(minutes=partnership_settings().escalation_minutes))
            done = ticks.run_due(clock.now())
            self.stdout.write(f"{time.strftime('%H:%M:%S')} alerts {summary} notices {sent} {done or ''}".rstrip())
            if once:
                return
            time.sleep(max(1.0, interval - (time.monotonic() - started)))
