"""The English-left-on-screen scan used by the browser tests in other languages, on a tiny catalog."""

from tests.i18n_scan import english_on_screen, english_phrases, parse_po

CATALOG = r"""
# Translators' header.
msgid ""
msgstr ""
"Language: ru\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : 1);\n"

#: templates/base.html:20
msgid "Log out"
msgstr "Выйти"

msgctxt "assignment state"
msgid "Closed"
msgstr "Закрыто"

#, fuzzy
msgid "Brief library"
msgstr "Библиотека"

msgid ""
"Type the join code your teacher "
"gave you."
msgstr ""

msgid "Agora"
msgstr "Agora"

msgid "OK"
msgstr "Хорошо"

msgid "<strong>%(posted)s</strong> of %(members)s student answered"
msgid_plural "<strong>%(posted)s</strong> of %(members)s students answered"
msgstr[0] "<strong>%(posted)s</strong> из %(members)s ответил"
msgstr[1] "<strong>%(posted)s</strong> из %(members)s ответили"
msgstr[2] ""

msgid "Source"
msgstr "Источник"

#~ msgid "Gone"
#~ msgstr "Нет"
"""


def test_the_catalog_is_read_with_contexts_continuations_and_plurals():
    entries = {entry.msgid: entry for entry in parse_po(CATALOG)}

    assert set(entries) == {
        "Log out",
        "Closed",
        "Brief library",
        "Type the join code your teacher gave you.",
        "Agora",
        "OK",
        "<strong>%(posted)s</strong> of %(members)s student answered",
        "Source",
    }
    plural = entries["<strong>%(posted)s</strong> of %(members)s student answered"]
    assert plural.msgid_plural.endswith("students answered")
    assert len(plural.msgstrs) == 3


def test_words_kept_as_they_are_short_ones_and_the_class_s_own_words_are_not_looked_for():
    phrases = english_phrases(parse_po(CATALOG), content=["Where the Source of the leak lies"])

    assert "Agora" not in phrases  # translated as itself
    assert "OK" not in phrases  # too short to tell
    assert "Source" not in phrases  # also a word of the brief
    assert "Log out" in phrases
    assert "Brief library" in phrases  # fuzzy: the English shows
    assert "Type the join code your teacher gave you." in phrases  # untranslated
    assert "%(posted)s of %(members)s students answered" in phrases


def test_a_fully_translated_screen_passes():
    phrases = english_phrases(parse_po(CATALOG))
    screen = "Agora  Библиотека  Выйти\nЗакрыто · 3 из 12 ответили\nИсточник OK"

    assert english_on_screen(screen, phrases) == []


def test_english_phrases_are_found_whole_with_numbers_in_their_placeholders():
    phrases = english_phrases(parse_po(CATALOG))
    screen = "Agora  Log out\n3 of 12 students answered\nType the join code your\n teacher gave you."

    assert english_on_screen(screen, phrases) == [
        "%(posted)s of %(members)s students answered",
        "Log out",
        "Type the join code your teacher gave you.",
    ]


def test_a_phrase_inside_a_longer_word_or_inside_the_class_s_own_words_is_not_english_left_over():
    phrases = english_phrases(parse_po(CATALOG))
    screen = "Closedown · Выйти · Brief libraryish"

    assert english_on_screen(screen, phrases) == []
    assert (
        english_on_screen("The brief: Log out of the talks", phrases, content=["Log out of the talks"]) == []
    )
