"""The plain-text brief format (docs/brief-format.md), parsed without a database."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefs.importer import (
    FIELD_MAX,
    TITLE_DERIVED_MAX,
    TITLE_MAX,
    content_hash,
    normalise_space,
    parse_briefs,
    split_sentences,
)

SEED = Path(__file__).resolve().parents[2] / "briefs" / "fixtures" / "briefs-russia-us-2025.txt"


def only_brief(text: str):
    result = parse_briefs(text)
    assert result.errors == []
    assert len(result.briefs) == 1
    return result.briefs[0]


def only_error(text: str):
    result = parse_briefs(text)
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# ---- how many lines come before the question -------------------------------


def test_one_line_before_the_question_is_the_summary():
    brief = only_brief("Ministers met in Riyadh on Tuesday.\nWill the talks last?\n")
    assert brief.summary == "Ministers met in Riyadh on Tuesday."
    assert brief.commentary == ""
    assert brief.question == "Will the talks last?"
    assert brief.has_headline is False


def test_two_lines_without_final_punctuation_are_headline_and_summary():
    brief = only_brief("Talks resume in Riyadh\nMinisters met on Tuesday.\nWill the talks last?\n")
    assert brief.has_headline is True
    assert brief.title == "Talks resume in Riyadh"
    assert brief.summary == "Ministers met on Tuesday."
    assert brief.commentary == ""
    assert brief.question == "Will the talks last?"


@pytest.mark.parametrize(
    "first_line",
    [
        "Ministers met on Tuesday.",
        "Ministers met on Tuesday!",
        'The minister said "we will talk"',
        "The minister said “we will talk”",
        "Ministers met on Tuesday (in Riyadh)",
    ],
    ids=["period", "exclamation", "straight-quote", "curly-quote", "parenthesis"],
)
def test_two_lines_whose_first_ends_like_a_sentence_are_summary_and_commentary(first_line):
    brief = only_brief(f"{first_line}\nThe meeting signals more than it settles.\nWill the talks last?\n")
    assert brief.has_headline is False
    assert brief.summary == first_line
    assert brief.commentary == "The meeting signals more than it settles."
    assert brief.question == "Will the talks last?"


def test_three_lines_are_headline_summary_and_commentary():
    brief = only_brief(
        "Talks resume in Riyadh\nMinisters met on Tuesday.\nThe meeting signals more than it settles.\n"
        "Will the talks last?\n"
    )
    assert brief.has_headline is True
    assert brief.title == "Talks resume in Riyadh"
    assert brief.summary == "Ministers met on Tuesday."
    assert brief.commentary == "The meeting signals more than it settles."
    assert brief.question == "Will the talks last?"


def test_three_lines_make_the_first_a_headline_even_when_it_ends_like_a_sentence():
    brief = only_brief("Talks resume.\nMinisters met on Tuesday.\nIt signals a thaw.\nWill the talks last?\n")
    assert brief.has_headline is True
    assert brief.title == "Talks resume."
    assert brief.summary == "Ministers met on Tuesday."
    assert brief.commentary == "It signals a thaw."


def test_the_question_is_the_first_line_ending_in_a_question_mark():
    # A "?" inside a line does not end the brief; only a final one does.
    brief = only_brief("Who pays? Nobody said.\nIt signals a thaw.\nWill the talks last?\n")
    assert brief.summary == "Who pays? Nobody said."
    assert brief.question == "Will the talks last?"


def test_brief_line_is_the_line_number_of_its_first_line():
    result = parse_briefs("\n\nSummary one.\nQuestion one?\n\nHeadline two\nSummary two.\nQuestion two?\n")
    assert [brief.line for brief in result.briefs] == [3, 6]


# ---- errors name the line ----------------------------------------------------


def test_question_with_no_lines_before_it_is_an_error_naming_the_question_line():
    error = only_error("Summary one.\nQuestion one?\nA stray second question?\n")
    assert error.line == 3
    assert str(error).startswith("line 3: ")


def test_question_alone_at_the_top_of_the_file_is_an_error_naming_line_one():
    error = only_error("Will the talks last?\n")
    assert error.line == 1


def test_more_than_three_lines_before_a_question_is_an_error_naming_the_first_of_them():
    text = "Summary one.\nQuestion one?\n\nLine a.\nLine b.\nLine c.\nLine d.\nQuestion two?\n"
    error = only_error(text)
    assert error.line == 4
    assert str(error).startswith("line 4: ")
    assert "line 8" in error.message  # and it points at the question that closed the run


def test_a_question_that_lost_its_question_mark_is_reported_at_its_brief():
    text = (
        "Headline one\nSummary one.\nComment one.\nQuestion one, no mark\n\n"
        "Headline two\nSummary two.\nQuestion two?\n"
    )
    error = only_error(text)
    assert error.line == 1


def test_text_after_the_last_question_is_an_error_naming_its_first_line():
    error = only_error("Summary one.\nQuestion one?\n\nA summary with no question.\nMore text.\n")
    assert error.line == 4
    assert str(error).startswith("line 4: ")


def test_every_malformed_brief_is_reported_not_only_the_first():
    text = "Orphan question?\nGood summary.\nGood question?\nA.\nB.\nC.\nD.\nToo long?\nTrailing text.\n"
    result = parse_briefs(text)
    assert [error.line for error in result.errors] == [1, 4, 9]
    assert result.ok is False


def test_a_file_with_an_error_still_reports_it_even_when_other_briefs_are_fine():
    result = parse_briefs("Good summary.\nGood question?\nTrailing text.\n")
    assert len(result.briefs) == 1
    assert [error.line for error in result.errors] == [3]
    assert result.ok is False


def test_empty_file_is_an_error():
    error = only_error("")
    assert error.line == 1


@pytest.mark.parametrize("text", ["\n\n\n", "   \n\t\n", "\ufeff", "\ufeff\r\n\r\n"])
def test_file_of_only_blank_lines_is_an_error(text):
    error = only_error(text)
    assert error.line == 1


def test_headline_longer_than_the_title_limit_is_an_error_naming_its_line():
    headline = "Talks " + "x" * TITLE_MAX
    error = only_error(f"Summary one.\nQuestion one?\n\n{headline}\nSummary two.\nQuestion two?\n")
    assert error.line == 4
    assert str(TITLE_MAX) in error.message


def test_headline_of_exactly_the_title_limit_is_accepted():
    headline = "T" * TITLE_MAX
    brief = only_brief(f"{headline}\nSummary.\nQuestion?\n")
    assert brief.title == headline


def test_line_longer_than_the_field_limit_is_an_error_naming_its_line():
    error = only_error(f"Headline\n{'s' * FIELD_MAX}x.\nQuestion?\n")
    assert error.line == 2


# ---- what a file may look like -------------------------------------------------


def test_utf8_byte_order_mark_is_ignored():
    brief = only_brief("\ufeffTalks resume\nMinisters met.\nWill they last?\n")
    assert brief.title == "Talks resume"
    assert brief.line == 1


def test_crlf_line_endings_read_like_lf():
    lf = "Talks resume\nMinisters met.\nIt signals a thaw.\nWill they last?\n\nSummary two.\nQuestion two?\n"
    crlf = lf.replace("\n", "\r\n")
    assert parse_briefs(crlf).briefs == parse_briefs(lf).briefs
    assert "\r" not in "".join(
        b.title + b.summary + b.commentary + b.question for b in parse_briefs(crlf).briefs
    )


def test_crlf_line_endings_keep_error_line_numbers():
    error = only_error("Summary one.\r\nQuestion one?\r\n\r\nTrailing text.\r\n")
    assert error.line == 4


def test_trailing_spaces_are_trimmed():
    brief = only_brief("Talks resume  \t\nMinisters met.   \nIt signals a thaw. \nWill they last?   \t\n")
    assert brief.title == "Talks resume"
    assert brief.summary == "Ministers met."
    assert brief.commentary == "It signals a thaw."
    assert brief.question == "Will they last?"


def test_trailing_spaces_do_not_hide_a_headline_or_a_question():
    # "Talks resume " has no final punctuation once trimmed; "Will they last? " is a question.
    brief = only_brief("Talks resume \nMinisters met. \nWill they last? \n")
    assert brief.has_headline is True


def test_blank_lines_between_briefs_are_optional():
    briefs = [
        "Talks resume\nMinisters met.\nIt signals a thaw.\nWill they last?",
        "Flights may return.\nWho benefits?",
        "Sanctions stay\nThe Kremlin wants them lifted.\nWhat would it take?",
    ]
    packed = parse_briefs("\n".join(briefs) + "\n")
    spaced = parse_briefs("\n\n\n".join(briefs) + "\n")
    assert packed.errors == [] and spaced.errors == []
    assert [b.summary for b in packed.briefs] == [
        "Ministers met.",
        "Flights may return.",
        "The Kremlin wants them lifted.",
    ]
    assert [(b.title, b.summary, b.commentary, b.question) for b in packed.briefs] == [
        (b.title, b.summary, b.commentary, b.question) for b in spaced.briefs
    ]


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\x1e", "\x85", "\u2028", "\u2029"])
def test_only_line_feeds_and_carriage_returns_end_a_line(separator):
    # A form feed or U+2028 pasted inside a summary stays in it and does not shift line numbers.
    result = parse_briefs(f"Summary one{separator}still one.\nQuestion one?\nTrailing text.\n")
    assert [b.summary for b in result.briefs] == [f"Summary one{separator}still one."]
    assert result.briefs[0].has_headline is False
    assert [error.line for error in result.errors] == [3]


def test_file_without_a_final_newline_is_read_the_same():
    assert parse_briefs("Summary.\nQuestion?").briefs == parse_briefs("Summary.\nQuestion?\n").briefs


# ---- derived titles --------------------------------------------------------------


def test_brief_without_headline_gets_its_title_from_the_summary_first_sentence():
    brief = only_brief("Ministers met in Riyadh. They talked for nine hours.\nWill the talks last?\n")
    assert brief.has_headline is False
    assert brief.title == "Ministers met in Riyadh"


def test_derived_title_of_a_long_sentence_is_cut_between_words_with_no_ellipsis_and_no_dangling_word():
    summary = (
        "The Kremlin has signaled that the next round of talks on ending the war is unlikely to happen "
        "before the embassies reopen. More later."
    )
    brief = only_brief(f"{summary}\nWill the talks last?\n")
    assert (
        brief.title == "The Kremlin has signaled that the next round of talks on ending the war is unlikely"
    )
    assert "…" not in brief.title


def test_derived_title_of_a_long_sentence_is_its_first_clauses_that_fit():
    summary = (
        "Foreign ministers met in Riyadh on Tuesday, the first such meeting in three years, "
        "and agreed to restore their embassies. More talks follow."
    )
    brief = only_brief(f"{summary}\nWill the talks last?\n")
    assert brief.title == "Foreign ministers met in Riyadh on Tuesday, the first such meeting in three years"


def test_derived_title_does_not_leave_a_bracket_open():
    summary = (
        "Officials said the plan (which was announced on Monday after a long meeting of the cabinet) "
        "would go ahead despite the protests outside."
    )
    title = only_brief(f"{summary}\nQuestion?\n").title
    assert title.count("(") == title.count(")")
    assert summary.startswith(title)


@pytest.mark.parametrize(
    "summary, title",
    [
        (
            "Москва и Вашингтон договорились о встрече в Эр-Рияде. Переговоры продлились девять часов.",
            "Москва и Вашингтон договорились о встрече в Эр-Рияде",
        ),
        (
            "Le ministre a parlé à Genève. Élections prévues en mars.",
            "Le ministre a parlé à Genève",
        ),
        (
            "Министр иностранных дел заявил, что переговоры о прекращении огня, которые начались в "
            "феврале в Стамбуле, будут продолжены после летних каникул",
            "Министр иностранных дел заявил, что переговоры о прекращении огня",
        ),
        (
            "Der Außenminister traf in Genf ein und führte lange Gespräche mit Vertretern der "
            "Vereinten Nationen über die Lage",
            "Der Außenminister traf in Genf ein und führte lange Gespräche mit Vertretern der Vereinten",
        ),
    ],
)
def test_derived_title_works_for_accented_latin_and_cyrillic(summary, title):
    assert only_brief(f"{summary}\nВопрос?\n").title == title


def test_derived_title_of_one_long_word_is_cut_at_the_limit():
    assert only_brief("x" * 300 + "\nQuestion?\n").title == "x" * TITLE_DERIVED_MAX


def test_derived_title_that_fits_is_not_shortened():
    sentence = "x" * (TITLE_DERIVED_MAX - 5) + " end"
    brief = only_brief(f"{sentence}. Second sentence.\nQuestion?\n")
    assert brief.title == sentence


def test_derived_title_does_not_end_a_sentence_at_us_abbreviation():
    brief = only_brief("The U.S. and Russia agreed to talk. Nobody expects quick results.\nQuestion?\n")
    assert brief.title == "The U.S. and Russia agreed to talk"


def test_derived_title_keeps_a_summary_that_opens_with_us():
    brief = only_brief("U.S. officials met Russian envoys. The talks ran late.\nQuestion?\n")
    assert brief.title == "U.S. officials met Russian envoys"


def test_derived_title_keeps_the_dot_of_a_final_us_abbreviation():
    brief = only_brief("Russia offered to restore direct flights to the U.S.\nQuestion?\n")
    assert brief.title == "Russia offered to restore direct flights to the U.S."


def test_derived_title_does_not_end_a_sentence_at_a_title_like_mr():
    brief = only_brief("Mr. Peskov said talks would go on. Nothing more.\nQuestion?\n")
    assert brief.title == "Mr. Peskov said talks would go on"


def test_derived_title_ends_at_an_exclamation_or_question_mark_inside_the_summary():
    assert only_brief("Talks collapsed! Both sides left.\nQuestion?\n").title == "Talks collapsed"
    assert only_brief("Who blinked first? Nobody says.\nQuestion?\n").title == "Who blinked first?"


# ---- identity: duplicates and the content hash --------------------------------


def test_the_same_brief_twice_in_one_file_counts_once():
    brief = "Talks resume\nMinisters met.\nIt signals a thaw.\nWill they last?\n"
    result = parse_briefs(brief + "\n" + brief + "\nSummary two.\nQuestion two?\n")
    assert result.errors == []
    assert [b.summary for b in result.briefs] == ["Ministers met.", "Summary two."]


def test_the_same_brief_with_different_spacing_counts_once():
    result = parse_briefs(
        "Ministers  met in\tRiyadh.\nWill they last?\n\nMinisters met in Riyadh.\nWill  they last?\n"
    )
    assert result.errors == []
    assert len(result.briefs) == 1


def test_content_hash_ignores_whitespace():
    assert content_hash("Ministers met in Riyadh.", "Will they last?") == content_hash(
        "  Ministers   met\tin\nRiyadh. ", "Will they\u00a0 last?  "
    )


def test_content_hash_changes_with_the_words():
    assert content_hash("Ministers met in Riyadh.", "Will they last?") != content_hash(
        "Ministers met in Jeddah.", "Will they last?"
    )
    assert content_hash("Ministers met.", "Will they last?") != content_hash(
        "Ministers met.", "Will it last?"
    )


def test_content_hash_does_not_run_summary_into_question():
    assert content_hash("a b", "c?") != content_hash("a", "b c?")


def test_parsed_brief_hash_is_summary_and_question_only():
    one = only_brief("Headline one\nMinisters met.\nComment one.\nWill they last?\n")
    two = only_brief("Ministers met.\nComment two.\nWill they last?\n")
    assert one.content_hash == two.content_hash == content_hash("Ministers met.", "Will they last?")


# ---- the real seed file ------------------------------------------------------------


def test_seed_file_parses_as_26_briefs_without_errors():
    result = parse_briefs(SEED.read_text(encoding="utf-8"))
    assert result.errors == []
    assert len(result.briefs) == 26
    assert len({brief.content_hash for brief in result.briefs}) == 26


def test_seed_file_first_brief_has_a_headline():
    first = parse_briefs(SEED.read_text(encoding="utf-8")).briefs[0]
    assert first.has_headline is True
    assert (
        first.title == "Kremlin Says Dialogue with Us Should Move Forward but Nobody Expects Quick Solutions"
    )
    assert first.commentary != ""


def test_seed_file_briefs_all_have_summary_question_and_short_titles():
    for brief in parse_briefs(SEED.read_text(encoding="utf-8")).briefs:
        assert brief.summary and brief.question.endswith("?")
        assert 0 < len(brief.title) <= (TITLE_MAX if brief.has_headline else TITLE_DERIVED_MAX)


# ---- properties ------------------------------------------------------------------------

# Any character but the line breaks we join with; other Unicode separators stay inside a line.
LINE_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\n\r")
plain_line = st.text(LINE_CHARS, max_size=40)
question_line = st.builds(
    lambda text, pad: text + "?" + pad, st.text(LINE_CHARS, max_size=40), st.sampled_from(["", " ", "\t"])
)
blank_line = st.sampled_from(["", " ", "\t", "  \t "])
any_line = st.one_of(plain_line, question_line, blank_line)


def join_lines(lines: list[str], ending: str, bom: bool) -> str:
    return ("\ufeff" if bom else "") + ending.join(lines)


@settings(max_examples=200, deadline=None, database=None)
@given(
    lines=st.lists(any_line, min_size=1, max_size=30),
    ending=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_parse_never_raises_and_errors_name_a_line_of_the_file(lines, ending, bom):
    result = parse_briefs(join_lines(lines, ending, bom))
    assert result.briefs or result.errors
    for error in result.errors:
        assert 1 <= error.line <= len(lines)
        assert str(error).startswith(f"line {error.line}: ")


@settings(max_examples=200, deadline=None, database=None)
@given(
    lines=st.lists(
        st.one_of(plain_line, question_line).filter(str.strip),
        min_size=1,
        max_size=30,
        unique_by=normalise_space,  # distinct lines, so no brief is dropped as a duplicate
    ),
    blanks=st.lists(st.booleans(), min_size=30, max_size=30),
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_a_file_without_errors_loses_no_line(lines, blanks, ending):
    with_blanks = [
        part for line, blank in zip(lines, blanks, strict=False) for part in ([line, ""] if blank else [line])
    ]
    result = parse_briefs(ending.join(with_blanks))
    if result.errors:
        return
    # The briefs' fields, in order, are exactly the file's non-blank lines: nothing lost, nothing invented.
    fields = []
    for brief in result.briefs:
        fields += [brief.title] if brief.has_headline else []
        fields += [brief.summary] + ([brief.commentary] if brief.commentary else []) + [brief.question]
    assert fields == [line.strip() for line in lines]


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(max_size=300))
def test_parse_never_raises_on_arbitrary_text(text):
    result = parse_briefs(text)
    assert result.briefs or result.errors


# ---- sentences of a paragraph (what an answer can quote) -----------------------------------


def no_space(text: str) -> str:
    return "".join(text.split())


def seed_paragraphs() -> list[str]:
    briefs = parse_briefs(SEED.read_text(encoding="utf-8")).briefs
    return [part for brief in briefs for part in (brief.summary, brief.commentary) if part]


def test_seed_sentences_put_back_together_are_the_paragraph():
    for paragraph in seed_paragraphs():
        sentences = split_sentences(paragraph)
        assert no_space("".join(sentences)) == no_space(paragraph)
        assert " ".join(sentences) == " ".join(paragraph.split())
        assert all(sentence and sentence == sentence.strip() for sentence in sentences)


def test_seed_sentences_each_end_like_a_sentence():
    for paragraph in seed_paragraphs():
        for sentence in split_sentences(paragraph):
            assert sentence.rstrip('"”’)')[-1] in ".!?", sentence


def test_seed_summaries_have_more_than_one_sentence_to_quote():
    briefs = parse_briefs(SEED.read_text(encoding="utf-8")).briefs
    assert all(len(split_sentences(brief.summary)) >= 2 for brief in briefs)


def test_seed_keeps_us_together_in_every_sentence():
    paragraphs = seed_paragraphs()
    assert sum(paragraph.count("U.S.") for paragraph in paragraphs) >= 20  # the seed does test this
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        assert sum(sentence.count("U.S.") for sentence in sentences) == paragraph.count("U.S.")
        assert sum(sentence.count("U.S. President") for sentence in sentences) == paragraph.count(
            "U.S. President"
        )
        assert not any(sentence.endswith(" U.") or sentence.startswith("S. ") for sentence in sentences)


def test_us_president_is_one_sentence():
    assert split_sentences("Talks with U.S. President Donald Trump went well. Nothing was signed.") == [
        "Talks with U.S. President Donald Trump went well.",
        "Nothing was signed.",
    ]


def test_titles_and_initials_do_not_end_a_sentence():
    text = "Mr. Rubio met Dr. Lavrov in St. Petersburg. J. K. Smith took notes. They left."
    assert split_sentences(text) == [
        "Mr. Rubio met Dr. Lavrov in St. Petersburg.",
        "J. K. Smith took notes.",
        "They left.",
    ]


def test_exclamation_and_question_marks_end_sentences():
    assert split_sentences("Will it hold? Nobody knows! Time will tell.") == [
        "Will it hold?",
        "Nobody knows!",
        "Time will tell.",
    ]


def test_closing_quote_or_bracket_stays_with_its_sentence():
    assert split_sentences('He called it "regrettable." Talks paused. (Aid stopped.) Then 3 envoys met.') == [
        'He called it "regrettable."',
        "Talks paused.",
        "(Aid stopped.)",
        "Then 3 envoys met.",
    ]


def test_a_lowercase_word_after_a_full_stop_does_not_start_a_sentence():
    assert split_sentences("Prices rose 2.5 per cent. e.g. oil and gas.") == [
        "Prices rose 2.5 per cent. e.g. oil and gas."
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_paragraph_has_no_sentences(text):
    assert split_sentences(text) == []


def test_us_at_the_end_of_a_sentence_ends_it():
    assert split_sentences("He will sign a deal with the U.S. He said so on Friday.") == [
        "He will sign a deal with the U.S.",
        "He said so on Friday.",
    ]


def test_us_before_a_title_or_a_name_does_not_end_a_sentence():
    assert split_sentences("Talks with U.S. Secretary Rubio went well. U.S. President Trump agreed.") == [
        "Talks with U.S. Secretary Rubio went well.",
        "U.S. President Trump agreed.",
    ]


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(alphabet=st.sampled_from(list('aZ. !?"”’)(“‘1\n\tUS')) | LINE_CHARS, max_size=120))
def test_split_sentences_never_loses_or_invents_text(text):
    sentences = split_sentences(text)
    assert no_space("".join(sentences)) == no_space(text)
    assert all(sentence and sentence == sentence.strip() for sentence in sentences)
