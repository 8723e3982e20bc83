"""Template helpers other apps' pages use to offer casework (e.g. the alert page's "Open an investigation")."""

from __future__ import annotations

from django import template

from safeguard.casework.access import works_cases as _works_cases

register = template.Library()


@register.filter
def works_cases(user) -> bool:
    return _works_cases(user)
