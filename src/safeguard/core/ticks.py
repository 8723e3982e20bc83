"""Periodic work the running system's clock (`safeguard clock`) does besides evaluating rules.

Domains register what must happen on a schedule (casework escalates overdue referrals; the audit
trail writes a signed checkpoint of its chain head every hour), so the clock, which lives in a
lower layer, never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Tick:
    name: str
    run: Callable[[], object]
    every: dt.timedelta
    last: dt.datetime | None = None

    def due(self, now: dt.datetime) -> bool:
        return self.last is None or now - self.last >= self.every


_TICKS: dict[str, Tick] = {}


def register_tick(name: str, run: Callable[[], object], *, every: dt.timedelta) -> None:
    _TICKS[name] = Tick(name, run, every)


def run_due(now: dt.datetime) -> dict[str, object]:
    """Run every registered task whose interval has passed; returns what each returned."""
    done = {}
    for tick in _TICKS.values():
        if tick.due(now):
            done[tick.name] = tick.run()
            tick.last = now
    return done
