from django import template

from safeguard.linkage.services import can_review as _can_review

register = template.Library()


@register.filter
def can_review(user) -> bool:
    """Whether the user decides linkage pairs and splits persons (analysts, supervisors, administrators)."""
    return _can_review(user)
