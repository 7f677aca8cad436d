"""The Jinja2 environment of the response card (templates/jinja2/, docs/templates.md).

A long thread renders a card per response; Django's template language spends most of a cold
page there, Jinja2 compiles the same card to Python. Everything else stays a Django template.
The environment writes exactly what the Django card wrote: values escaped as Django escapes
them (`&#x27;`, `&quot;`), translations trusted as `{% translate %}` trusts them, and `format`
filling a translation as `{% blocktranslate %}` does (its values escaped, the words not).
"""

import html
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaks_filter, linebreaksbr, truncatechars
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from jinja2 import Environment, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Macro


def translate(message: str) -> SafeString:
    """`{{ _("...") }}`: the message in the reader's language. makemessages finds it there
    (it reads a `{{ _("...") }}` the way it reads Django's `_("...")`)."""
    return SafeString(gettext(message))


def fill(message: str, **values: Any) -> SafeString:
    """`{{ _("Edited %(when)s")|format(when=...) }}`: the values escaped, the message not."""
    return SafeString(message % {name: conditional_escape(value) for name, value in values.items()})


class DjangoEscape(CodeGenerator):
    """Compiles every autoescaped `{{ value }}` to `environment.escape_value(value)`, Django's
    escape in one call. Jinja's own `escape()` is markupsafe's, which differs from Django's in
    two characters (`&#39;` for `&#x27;`, `&#34;` for `&quot;`); with a `finalize` doing
    Django's first, every value was wrapped in a new Markup after it, a third of the card's
    time. `code_generator_class` is Jinja's documented way to change the compiled code; the
    method is Jinja 3.1's (pinned), and tests/unit/test_jinja_card.py fails if it stops being
    called (markupsafe's escape would then write `&#39;`)."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_value(")
        else:
            super()._output_child_pre(node, frame, finalize)


class CardEnvironment(Environment):
    code_generator_class = DjangoEscape

    @staticmethod
    def escape_value(value: Any) -> str:
        """A `{{ value }}` as a Django template writes it."""
        if hasattr(value, "__html__"):
            return value.__html__()
        return html.escape(str(value))  # django.utils.html.escape, without its lazy wrapper


def date(value: datetime | None, spec: str | None = None) -> str:
    """Django's `date` filter, in the reader's time zone as in a Django template."""
    return date_filter(template_localtime(value), spec)


def environment(**options: Any) -> Environment:
    options.pop("autoescape", None)  # Django's backend sets it on too
    env = CardEnvironment(autoescape=True, keep_trailing_newline=True, **options)
    env.globals["_"] = translate
    env.filters.update(
        date=date,
        format=fill,
        linebreaks=linebreaks_filter,
        linebreaksbr=linebreaksbr,
        truncatechars=truncatechars,
    )
    return env


class CsrfInput:
    """`{{ csrf_input }}` for the cards of one render: one token for all of them, as one Django
    template context has, and none asked for when no card has a form. In a Django template,
    the page's own token (its `csrf_token`), so that every form of the page carries the same."""

    def __init__(self, request: HttpRequest, token: object = None) -> None:
        self.request = request
        self.token = token
        self.html: SafeString | None = None

    def __html__(self) -> SafeString:
        if self.html is None:
            token = get_token(self.request) if self.token is None else self.token
            # What {% csrf_token %} writes.
            self.html = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        return self.html

    __str__ = __html__


def macro(template: str, name: str) -> Macro:
    """A macro of a Jinja template: a page of cards calls the card once per response rather than
    rendering a template (and building its context) for each."""
    return getattr(engines["jinja2"].env.get_template(template).module, name)
