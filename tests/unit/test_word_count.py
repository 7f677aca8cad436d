"""Words counted in any script: what minimum-length rules and the gradebook read."""

import pytest

from classroom.text import count_words


@pytest.mark.parametrize(
    "text, words",
    [
        ("Direct flights would ease tensions.", 5),
        ("Don't re-open it — a well-known case", 6),
        ("Прямые рейсы — это не только бизнес.", 6),
        ("Ёжик в тумане", 3),
        ("我认为直飞航班会让家庭团聚更容易。", 16),  # each character a word, as word processors count
        ("東京は大きい。", 6),
        ("東京 Tokyo 2025", 4),
        ("한국어 문장도 띄어 씁니다", 4),  # Korean has spaces between words
        ("Cafe\u0301 ok", 2),  # a decomposed accent does not break the word
        ("", 0),
    ],
)
def test_count_words(text, words):
    assert count_words(text) == words
