"""Grade labels and tag colours for the inspection pages."""

from __future__ import annotations

from django import template

from ..models import Grade

register = template.Library()

_LABELS = dict(Grade.choices)
_TAGS = {"good": "govuk-tag--green", "requires_improvement": "govuk-tag--orange", "inadequate": "govuk-tag--red"}


@register.filter
def grade_label(value: str) -> str:
    return _LABELS.get(value, "")


@register.filter
def grade_tag(value: str) -> str:
    return _TAGS.get(value, "govuk-tag--grey")


@register.filter
def get(mapping: dict, key):
    return mapping.get(key) if mapping else None
