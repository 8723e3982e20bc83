"""POST /api/v1/feed: the same validation and summary as `safeguard ingest`, as JSON."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest
from ninja import Schema
from ninja.responses import Status

from safeguard.feed.hooks import after_load
from safeguard.feed.services import feed_load

from .urls import api


class LoadSummaryOut(Schema):
    lines_read: int
    created: int
    updated: int
    unchanged: int
    late: int
    deleted: int
    rejected: int
    conflicts: int
    unresolved: int
    errors: list[str]
    errors_not_listed: int


class Problem(Schema):
    detail: str


def _lines(body: bytes) -> list[tuple[str, int, str]] | None:
    """JSON Lines, or one JSON array of records. None when the body cannot be read at all."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError:
            return None
        if not isinstance(items, list):
            return None
        return [("api", number, json.dumps(item)) for number, item in enumerate(items, start=1)]
    return [("api", number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


@api.post(
    "/feed",
    response={200: LoadSummaryOut, 400: Problem, 403: Problem, 413: Problem},
    summary="Send feed records",
    description=(
        "Body: JSON Lines (one record per line) or a JSON array of records, in the feed format. "
        "Answers 200 with the load summary even when some records were rejected (they are listed); "
        "400 only when the body cannot be read at all; 403 when the token may not write a source "
        "it names; 413 when the body is larger than the limit."
    ),
    openapi_extra={"requestBody": {"content": {"application/x-ndjson": {"schema": {"type": "string"}},
                                               "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
                                   "required": True}},
)
def post_feed(request: HttpRequest):
    token = request.partner_token
    limit = settings.FEED_API_MAX_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return Status(413, {"detail": f"The body is {declared:,} bytes; the limit is {limit:,} bytes. "
                               "Send smaller batches, or load large files with `safeguard ingest`."})
    body = request.body
    if len(body) > limit:
        return Status(413, {"detail": f"The body is larger than the limit of {limit:,} bytes."})
    lines = _lines(body)
    if lines is None:
        return Status(400, {"detail": "The body is neither JSON Lines nor a JSON array of records (UTF-8)."})
    foreign = sorted(_foreign_sources(lines, set(token.sources)))
    if foreign:
        return Status(403, {"detail": f"This token may write only source(s) {', '.join(sorted(token.sources)) or 'none'}; "
                               f"the body has records of {', '.join(foreign)}. Nothing was loaded."})
    summary = feed_load(actor=None, actor_label=token.actor_label, origin="api", lines=lines,
                        allowed_sources=set(token.sources))
    after_load(summary)
    return Status(200, summary.as_json())


def _foreign_sources(lines, allowed: set[str]) -> set[str]:
    found = set()
    for _, _, text in lines:
        try:
            record = json.loads(text)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("source"), str) and record["source"] not in allowed:
            found.add(record["source"])
    return found
