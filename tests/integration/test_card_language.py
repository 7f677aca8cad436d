"""Cards in the reader's language: a card rendered in one language is never served in another,
and the times the card writes in Python read exactly as Django's `date` filter writes them."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.template import engines
from django.utils import timezone, translation

from classroom import caching
from classroom.models import Response
from classroom.readmodel import CardWords, card_time_pattern
from tests.factories import make_response
from tests.helpers import set_rules, thread_url

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("language", ["en", "de", "es", "fr", "ru", "uk"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_card_times_read_as_the_date_filter_writes_them(language, zone):
    template = engines["django"].from_string('{{ moment|date:"c" }}|{{ moment|date:_("D j M, H:i T") }}')
    moments = [
        WEDNESDAY,
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 59, 1, 5, tzinfo=UTC),
    ]
    with translation.override(language), timezone.override(zone):
        for moment in moments:
            assert "|".join(CardWords.now().time(moment)) == template.render({"moment": moment})


def test_a_card_time_pattern_keeps_escaped_letters_and_gives_up_on_unknown_ones():
    assert card_time_pattern("D j \\d\\e M, H:i {T}") == "{D} {j} de {M}, {H}:{i} {{{T}}}"
    assert card_time_pattern("D j M à H:i") == "{D} {j} {M} à {H}:{i}"
    assert card_time_pattern("l j F") is None  # the full names: the filter's own code writes them


def test_a_card_key_names_the_language(thread):
    with translation.override("en"):
        english = caching.card_prefix(thread, True)
    with translation.override("de"):
        german = caching.card_prefix(thread, True)
    assert english != german


def test_a_reader_in_german_is_not_served_the_english_card(student_client, student, peer, thread):
    set_rules(thread, post_first=False)
    answer = make_response(thread, peer, body="An answer written on a Wednesday.")
    Response.objects.filter(pk=answer.pk).update(created_at=WEDNESDAY)  # the same version: the key stays
    english = student_client.get(thread_url(thread)).content.decode()
    assert "Wed 2 Dec" in english
    student_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    german = student_client.get(thread_url(thread)).content.decode()
    # German order and Django's German names of the weekday and month: the card was rendered anew.
    assert "Mi, 2. Dez, " in german
    assert "Wed 2 Dec" not in german
