from __future__ import annotations

import json

from safeguard.feed.services import feed_load


def load(*records: dict | str, origin: str = "test.jsonl", allowed_sources=None):
    lines = [(origin, n, r if isinstance(r, str) else json.dumps(r)) for n, r in enumerate(records, start=1)]
    return feed_load(actor=None, actor_label="test", origin=origin, lines=lines, allowed_sources=allowed_sources)


def person(pid: str = "P1", at: str = "2026-01-01T09:00:00+00:00", source: str = "police", **fields) -> dict:
    return {"kind": "person", "source": source, "id": pid, "recorded_at": at,
            "given_names": "Ryan", "family_name": "COLEMAN", "dob": "1995-03-02", **fields}
