"""Small filters the pages share: dates in London time, due times in words, tag colours."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import template
from django.utils import timezone

from safeguard.access.masking import MASK

from .. import words

register = template.Library()


@register.filter
def when(value: dt.datetime | dt.date | None) -> str:
    """`2 Oct 2026, 22:00` in London time; a date alone as `2 Oct 2026`."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y, %H:%M")
    return value.strftime("%-d %b %Y")


@register.filter
def day(value: dt.datetime | dt.date | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%-d %b %Y")


@register.filter
def iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    if days < 62:
        return f"{days} days"
    if days < 730:
        return f"{days // 30} months"
    return f"{days // 365} years"


@register.simple_tag
def due_phrase(due_at: dt.datetime | None, moment: dt.datetime, is_open: bool = True) -> str:
    if due_at is None:
        return "No due time"
    if not is_open:
        return f"Was due {when(due_at)}"
    if due_at < moment:
        return f"Overdue by {_span(moment - due_at)}"
    return f"Due in {_span(due_at - moment)}"


@register.filter
def severity_class(severity: str) -> str:
    return words.SEVERITY_TAGS.get(severity, "govuk-tag--grey")


@register.filter
def status_class(status: str) -> str:
    return words.STATUS_TAGS.get(status, "govuk-tag--grey")


@register.filter
def status_label(status: str) -> str:
    return words.STATUS_LABELS.get(status, status.capitalize())


@register.filter
def rule_title(code: str) -> str:
    return words.rule_title(code)


@register.filter
def source_label(code: str) -> str:
    return words.source_label(code)


@register.filter
def event_label(code: str) -> str:
    return words.event_label(code)


@register.filter
def role_label(code: str) -> str:
    return words.SUBJECT_ROLES.get(code, words.words(code))


@register.filter
def is_masked(value) -> bool:
    return value == MASK


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed (None or "" removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted((k, v) for k in params for v in params.getlist(k))) if params else "?"


@register.filter
def page_items(page) -> list[tuple[str, int]]:
    """GOV.UK pagination's items for a Django page, in order: ("current", n), ("link", n) or
    ("ellipsis", n) for the first and last pages, two either side of the current one, and an
    ellipsis where pages are left out. Only those pages are looked at, not every page number (a
    queue of 70,000 alerts has 2,900 pages: looping over them in the template cost more than
    the rest of the page)."""
    last, current = page.paginator.num_pages, page.number
    wanted = sorted({n for n in (1, 2, last - 1, last, *range(current - 2, current + 3)) if 1 <= n <= last})
    items = []
    for number in wanted:
        if number == current:
            items.append(("current", number))
        elif number in (1, last) or current - 2 <= number <= current + 2:
            items.append(("link", number))
        elif number in (2, last - 1):
            items.append(("ellipsis", number))
    return items
