"""Loading feeds: the one service that command line and API both call."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from safeguard.audit_trail.services import Action, audit_log

from .loader import Line, Loader, LoadSummary, OnError


def feed_load(*, actor, actor_label: str, origin: str, lines: Iterable[Line],
              allowed_sources: set[str] | None = None, on_error: OnError | None = None,
              progress: Callable[[int], None] | None = None, expected_lines: int | None = None) -> LoadSummary:
    """Load feed lines and write one "collection" audit entry for the whole load.

    Each batch commits on its own (a failure later in a large file keeps what was good); the
    load's FeedLoad row is the provenance of every version written, so a load that dies part
    way is still traceable even though its audit entry is written at the end.
    """
    loader = Loader(origin=origin, actor_label=actor_label, allowed_sources=allowed_sources, on_error=on_error,
                    expected_lines=expected_lines)
    summary = loader.load_lines(lines, progress=progress)
    with transaction.atomic():
        load = loader.finish()
        audit_log(
            actor=actor, actor_label=actor_label, action=Action.COLLECTION, object_type="feed_load",
            object_ids=[str(load.pk)], details={"origin": origin, **summary.counts()},  # rejected lines are counted here
            outcome="success",
        )
    return summary
