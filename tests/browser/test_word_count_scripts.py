"""The live word counter agrees with the server's count in every script: a Chinese answer is
counted by its characters, not as one word, in the browser as on the server."""

import pytest
from playwright.sync_api import expect

from classroom.text import count_words
from tests.factories import AssignmentFactory, GroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = [
    "我认为直飞航班会让家庭团聚更容易。",
    "東京は大きい。Tokyo is big, isn't it?",
    "Ёжик в тумане — мультфильм 1975 года.",
    "Cafe\u0301 au lait, s'il vous plaît.",  # "é" as e and an accent mark: still one word
    "한국어 문장도 띄어 씁니다",
]


def test_the_live_counter_counts_like_the_server(live_server, page, login, instructor, ann):
    thread = AssignmentFactory(group=GroupFactory(instructors=[instructor], students=[ann]), min_words=50)
    login(page, "ann")
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    box = page.get_by_role("textbox", name="Your answer")
    counter = page.locator(f'[data-word-count-for="{box.get_attribute("id")}"]')
    for text in TEXTS:
        box.fill(text)
        expect(counter).to_contain_text(f"{count_words(text)} words")
    assert count_words(TEXTS[0]) == 16
