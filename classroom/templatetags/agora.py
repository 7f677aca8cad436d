"""Template filters of Agora."""

from decimal import Decimal

from django import template
from django.urls import reverse

from classroom.models import Group
from classroom.reports import format_score

register = template.Library()


@register.filter
def score(value: Decimal | None) -> str:
    """A score as a teacher writes it: 8, 7.5, 7.25 (no trailing zeros)."""
    return format_score(value)


@register.simple_tag(takes_context=True)
def join_url(context: template.Context, group: Group) -> str:
    """The group's join link, whole (with this site's address), to hand to students."""
    return context["request"].build_absolute_uri(reverse("classroom:join_group", args=[group.join_code]))
