"""The sentence splitter on briefs in every shipped language, Greek, Chinese and Japanese.

The briefs and the sentences a reader would quote are in tests/data/sentences.json;
bench/sentences.py measures the rules (and pysbd, when installed) on the same set.
"""

import json
from pathlib import Path

import pytest

from briefs.importer import SENTENCE_RULE, SENTENCE_RULE_LATIN, derive_title, split_sentences

DATA = json.loads((Path(__file__).parent.parent / "data" / "sentences.json").read_text(encoding="utf-8"))
LANGUAGES = DATA["languages"]


def items(language: str) -> list[tuple[str, list[str]]]:
    joiner = LANGUAGES[language]["joiner"]
    return [(joiner.join(sentences), sentences) for sentences in LANGUAGES[language]["items"]]


def test_the_set_covers_every_shipped_language_greek_and_cjk():
    from django.conf import settings

    shipped = {code for code, _ in settings.LANGUAGES}
    assert shipped | {"el", "zh", "ja"} <= set(LANGUAGES)
    assert all(2 <= len(sentences) <= 5 for language in LANGUAGES for _, sentences in items(language))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_brief_splits_into_its_sentences(language):
    for text, sentences in items(language):
        assert split_sentences(text) == sentences


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_derived_title_is_the_first_sentence_without_its_full_stop(language):
    for text, sentences in items(language):
        first = sentences[0]
        if len(first) <= 90 and first[-1] in ".。":
            assert derive_title(text) == first[:-1]


def test_the_first_rule_still_splits_as_it_did():
    """Rule 1 numbers the sentences of briefs quoted before rule 2: it must not change."""
    assert split_sentences("Москва заявила. Второе предложение.", rule=SENTENCE_RULE_LATIN) == [
        "Москва заявила. Второе предложение."
    ]
    assert split_sentences("Éric est là. Österreich auch.", rule=SENTENCE_RULE_LATIN) == [
        "Éric est là. Österreich auch."
    ]
    assert split_sentences("Москва заявила. Второе предложение.", rule=SENTENCE_RULE) == [
        "Москва заявила.",
        "Второе предложение.",
    ]


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown sentence rule 9"):
        split_sentences("One. Two.", rule=9)
