"""The Jinja2 environment of the response card writes what a Django template writes
(docs/templates.md): the same escape, translations trusted, `format` as blocktranslate."""

from django.template import engines
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import escape

NAME = '<b>O\'Neil & "Sons"</b>'


def jinja(source: str, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context)


def django(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load i18n %}" + source).render(context)


def test_a_value_is_escaped_as_django_escapes_it():
    assert jinja("{{ name }}", name=NAME) == django("{{ name }}", name=NAME) == escape(NAME)
    assert "&#x27;" in jinja("{{ name }}", name=NAME)


def test_a_translation_with_html_fills_in_escaped_values_as_blocktranslate_does():
    with translation.override("fr"):
        filled = jinja('{{ _("Replying to <bdi>%(name)s</bdi>")|format(name=name) }}', name=NAME)
        assert filled == django(
            "{% blocktranslate trimmed with name=name %}Replying to <bdi>{{ name }}</bdi>{% endblocktranslate %}",
            name=NAME,
        )
    assert filled.startswith("En réponse à <bdi>&lt;b&gt;O&#x27;Neil")


def test_a_translation_is_written_as_translate_writes_it():
    with translation.override("fr"):
        assert jinja('{{ _("This answer is not shown.") }}') == django(
            '{% translate "This answer is not shown." %}'
        )


def test_the_card_is_found_by_the_jinja2_engine_only():
    assert get_template("includes/_response.html").backend.name == "jinja2"
    assert get_template("includes/_thread_item.html").backend.name == "jinja2"
