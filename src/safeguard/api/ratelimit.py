"""A per-token rate limit: settings.API_RATE_LIMIT_PER_MINUTE requests in each clock minute.

The counter is a database row per token and minute, incremented with one UPDATE (atomic on both
databases), so several server processes share one limit. Old minutes are deleted as new ones
begin, so the table holds about one row per active token.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.db.models import F

from safeguard.core.clock import now

from .models import PartnerToken, RequestCount


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Rate limit reached; retry after {retry_after} seconds.")
        self.retry_after = retry_after


def count_request(token: PartnerToken) -> None:
    """Count one request; raise RateLimited once the token has used up this minute."""
    moment = now()
    minute = moment.replace(second=0, microsecond=0)
    with transaction.atomic():
        rows = RequestCount.objects.filter(token=token, minute=minute)
        if not rows.update(count=F("count") + 1):
            RequestCount.objects.filter(token=token, minute__lt=minute).delete()
            # Two processes may both find no row: the loser's insert is ignored and it counts by UPDATE.
            RequestCount.objects.bulk_create([RequestCount(token=token, minute=minute, count=0)], ignore_conflicts=True)
            rows.update(count=F("count") + 1)
        used = rows.values_list("count", flat=True).get()
    if used > settings.API_RATE_LIMIT_PER_MINUTE:
        raise RateLimited(max(1, math.ceil((minute + dt.timedelta(minutes=1) - moment).total_seconds())))
