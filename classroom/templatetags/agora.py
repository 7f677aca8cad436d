"""Template filters and tags of Agora."""

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from classroom import jinja
from classroom.models import Group, Response
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


@register.simple_tag(takes_context=True)
def response_card(
    context: template.Context, response: Response, oob: bool = False, announce: str = "", error: str = ""
) -> SafeString:
    """The response card (templates/jinja2/includes/_response.html) in a Django template."""
    card = jinja.macro("includes/_response.html", "card")
    return card(
        response,
        context["viewer"],
        jinja.CsrfInput(context["request"], context.get("csrf_token")),
        oob,
        announce,
        error,
    )


@register.simple_tag(takes_context=True)
def thread_item(context: template.Context, answer: Response) -> SafeString:
    """An answer with its replies (templates/jinja2/includes/_thread_item.html) in a Django template."""
    item = jinja.macro("includes/_thread_item.html", "thread_item")
    return item(answer, context["viewer"], jinja.CsrfInput(context["request"], context.get("csrf_token")))
