"""Briefs in other languages: the import format's language line and question marks, language
codes, and the folding that lets a search ignore accents and case."""

import pytest

from briefs.folding import fold
from briefs.importer import derive_title, parse_briefs
from briefs.languages import is_right_to_left, normalise_language, text_language

RUSSIAN = """Language: ru
Москва и Вашингтон договорились возобновить авиасообщение. Первые рейсы начнутся весной.
Что изменится для путешественников?
"""


def test_a_language_line_sets_the_language_of_the_briefs_after_it():
    text = "Talks resumed.\nWhat next?\n\n" + RUSSIAN + "\nLanguage:\nTalks ended.\nWhy?\n"
    result = parse_briefs(text)
    assert result.ok
    assert [brief.language for brief in result.briefs] == ["", "ru", ""]
    assert result.briefs[1].title == "Москва и Вашингтон договорились возобновить авиасообщение"


def test_a_file_without_a_language_line_reads_as_before():
    result = parse_briefs("Embassies Reopen\nBoth sides agreed.\nWhat next?\n")
    assert result.ok and result.briefs[0].title == "Embassies Reopen" and result.briefs[0].language == ""


@pytest.mark.parametrize(
    "code, stored", [("ES", "es"), ("zh-Hans", "zh-hans"), ("pt_BR", "pt-br"), ("es-MX", "es-mx")]
)
def test_language_codes_are_read_in_any_case(code, stored):
    assert parse_briefs(f"Language: {code}\nUna noticia.\n¿Qué opinas?\n").briefs[0].language == stored


def test_an_unknown_language_code_is_an_error_naming_its_line():
    result = parse_briefs("Talks resumed.\nWhat next?\nLanguage: klingon\nTalks ended.\nWhy?\n")
    assert [(error.line, "klingon" in error.message) for error in result.errors] == [(3, True)]


def test_a_language_line_inside_a_brief_is_part_of_it():
    """Between a brief's lines it is text (a headline that happens to start so), not a setting."""
    result = parse_briefs("Hello.\nLanguage: ru\nWhat next?\n")
    assert result.ok and result.briefs[0].language == "" and result.briefs[0].commentary == "Language: ru"


def test_chinese_and_japanese_questions_end_with_a_full_width_question_mark():
    result = parse_briefs(
        "Language: zh-hans\n俄罗斯和美国同意恢复直飞航班。首批航班预计明年开通。\n这会改变什么？\n"
    )
    assert result.ok
    brief = result.briefs[0]
    assert brief.question == "这会改变什么？"
    assert brief.title == "俄罗斯和美国同意恢复直飞航班"


def test_a_greek_question_ends_with_a_semicolon_only_in_a_brief_marked_greek():
    greek = "Η Αθήνα φιλοξενεί τη διάσκεψη. Συμμετέχουν 40 χώρες.\nΤι θα αλλάξει;\n"
    assert parse_briefs("Language: el\n" + greek).briefs[0].question == "Τι θα αλλάξει;"
    assert not parse_briefs(greek).ok  # elsewhere ";" is a semicolon: no question, text after the last


def test_a_chinese_summary_with_a_headline_is_read_as_headline_and_summary():
    result = parse_briefs("直飞航班恢复\n俄罗斯和美国同意恢复直飞航班。\n这会改变什么？\n")
    assert result.briefs[0].title == "直飞航班恢复" and result.briefs[0].has_headline


def test_codes():
    assert normalise_language("zh-CN") == "zh-hans"  # Django writes Simplified Chinese so
    assert normalise_language("zh") == "zh"
    assert normalise_language("english") is None
    assert normalise_language("x1") is None
    assert is_right_to_left("ar") and is_right_to_left("he") and is_right_to_left("fa-ir")
    assert not is_right_to_left("ru") and not is_right_to_left("")
    assert text_language("") == "en" and text_language("uk") == "uk"


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Elección", "eleccion"),
        ("ÖSTERREICH", "osterreich"),
        ("Ёжик в тумане", "ежик в тумане"),
        ("Straße", "strasse"),
        ("Œuvre à Łódź", "oeuvre a lodz"),
        ("Αθήνα", "αθηνα"),
        ("Ｆｕｌｌ width", "full width"),
        ("北京", "北京"),
    ],
)
def test_fold_drops_accents_and_case(text, folded):
    assert fold(text) == folded


def test_a_long_chinese_first_sentence_is_titled_by_its_first_clauses():
    clause = "俄罗斯和美国的外交官周四在伊斯坦布尔举行了长达六个小时的会谈"
    summary = (
        clause
        + "，双方讨论了恢复大使馆正常运作、重新开通直飞航班以及在北极地区开展合作等一系列问题" * 2
        + "。"
    )
    title = derive_title(summary)
    assert title.startswith(clause) and len(title) <= 90 and title[-1] not in "，、。"
