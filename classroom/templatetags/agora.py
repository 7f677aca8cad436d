"""Template filters of Agora."""

from decimal import Decimal

from django import template

from classroom.reports import format_score

register = template.Library()


@register.filter
def score(value: Decimal | None) -> str:
    """A score as a teacher writes it: 8, 7.5, 7.25 (no trailing zeros)."""
    return format_score(value)
