"""Session clocks start at the password step (see core.middleware for the limits)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from safeguard.core.middleware import LAST_SEEN_AT_KEY, SIGNED_IN_AT_KEY


@receiver(user_logged_in, dispatch_uid="safeguard-session-start")
def _start_clock(sender, request, user, **kwargs) -> None:
    # The absolute limit runs from the password step, not from the first page after it.
    moment = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = moment
    request.session[LAST_SEEN_AT_KEY] = moment
