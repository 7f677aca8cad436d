"""classroom 0013: brief versions move to the Unicode sentence rule only where no quote moves.

Answers quote a brief's sentence by its number; after the migration every quote must still
point at the sentence whose words it kept.
"""

import importlib

import pytest
from django.apps import apps

from briefs.actions import save_brief
from briefs.importer import SENTENCE_RULE, SENTENCE_RULE_LATIN
from classroom.models import Assignment, Response
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory, UserFactory, make_response

pytestmark = pytest.mark.django_db

migration = importlib.import_module("classroom.migrations.0015_briefs_to_the_unicode_sentence_rule")

# The first rule reads this as two sentences (it ends one only before A-Z), the new one as three.
RUSSIAN = "Москва и Вашингтон договорились. Рейсы начнутся весной. The envoys met again."


def quoting(brief, *quotes):
    """A thread on `brief` with one answer per (part, index) quote, stored as the first rule numbered it."""
    students = [UserFactory() for _ in quotes]
    thread = AssignmentFactory(brief=brief, group=GroupFactory(students=students))
    for student, (part, index) in zip(students, quotes, strict=True):
        answer = make_response(thread, student)
        text = dict(((p, i), t) for p, i, t in brief.sentences())[(part, index)]
        Response.objects.filter(pk=answer.pk).update(quote_part=part, quote_index=index, quote_text=text)
    return thread


def assert_every_quote_points_at_its_words():
    for answer in Response.objects.exclude(quote_part="").select_related("assignment__brief"):
        sentences = {(part, index): text for part, index, text in answer.assignment.brief.sentences()}
        assert sentences[(answer.quote_part, answer.quote_index)] == answer.quote_text


def test_a_brief_whose_quotes_all_exist_under_the_new_rule_moves_and_its_quotes_are_renumbered():
    brief = BriefFactory(summary=RUSSIAN, sentence_rule=SENTENCE_RULE_LATIN)
    assert [text for _, _, text in brief.sentences()][:2] == [
        "Москва и Вашингтон договорились. Рейсы начнутся весной.",
        "The envoys met again.",
    ]
    thread = quoting(brief, ("summary", 1))
    epoch = thread.epoch
    migration.move_to_unicode_rule(apps, None)
    brief.refresh_from_db()
    assert brief.sentence_rule == SENTENCE_RULE
    assert Response.objects.get(assignment=thread).quote_index == 2
    assert Assignment.objects.get(pk=thread.pk).epoch != epoch  # no cached page keeps the old numbers
    assert_every_quote_points_at_its_words()


def test_a_brief_with_a_quote_the_new_rule_would_cut_in_two_keeps_the_first_rule():
    brief = BriefFactory(summary=RUSSIAN, sentence_rule=SENTENCE_RULE_LATIN)
    quoting(brief, ("summary", 0), ("summary", 1))
    before = brief.sentences()
    migration.move_to_unicode_rule(apps, None)
    brief.refresh_from_db()
    assert brief.sentence_rule == SENTENCE_RULE_LATIN
    assert brief.sentences() == before
    assert sorted(Response.objects.values_list("quote_index", flat=True)) == [0, 1]
    assert_every_quote_points_at_its_words()


def test_a_brief_both_rules_split_alike_moves_without_touching_its_threads():
    brief = BriefFactory(summary="Talks resumed. Nothing was signed.", sentence_rule=SENTENCE_RULE_LATIN)
    thread = quoting(brief, ("summary", 1))
    migration.move_to_unicode_rule(apps, None)
    brief.refresh_from_db()
    assert brief.sentence_rule == SENTENCE_RULE
    assert Assignment.objects.get(pk=thread.pk).epoch == thread.epoch
    assert_every_quote_points_at_its_words()


def test_a_repeated_sentence_keeps_its_occurrence():
    summary = "Да. Нет. Да. Конец."  # rule 1: one sentence; nothing quotable moved, so it moves
    brief = BriefFactory(summary=summary, commentary="Это важно. Very.", sentence_rule=SENTENCE_RULE_LATIN)
    quoting(brief, ("commentary", 0))  # rule 1: "Это важно." and "Very." (a capital A-Z follows)
    migration.move_to_unicode_rule(apps, None)
    brief.refresh_from_db()
    assert brief.sentence_rule == SENTENCE_RULE
    assert [text for part, _, text in brief.sentences() if part == "summary"] == [
        "Да.",
        "Нет.",
        "Да.",
        "Конец.",
    ]
    assert_every_quote_points_at_its_words()


def test_a_new_version_of_a_first_rule_brief_uses_the_new_rule():
    brief = BriefFactory(summary=RUSSIAN, sentence_rule=SENTENCE_RULE_LATIN)
    first = brief.pk
    brief.summary = RUSSIAN + " Ещё одно."
    newest = save_brief(brief=brief)
    assert newest.pk != first and newest.sentence_rule == SENTENCE_RULE
    assert Assignment.objects.count() == 0
    assert len([1 for part, _, _ in newest.sentences() if part == "summary"]) == 4


def test_stored_word_counts_of_chinese_answers_are_recounted(student, group):
    recount = importlib.import_module("classroom.migrations.0016_recount_words_in_any_script")
    thread = AssignmentFactory(group=group)
    answer = make_response(thread, student, body="我认为直飞航班会让家庭团聚更容易。")
    Response.objects.filter(pk=answer.pk).update(word_count=1)  # as the Latin-only rule counted it
    epoch = Assignment.objects.get(pk=thread.pk).epoch
    recount.recount(apps, None)
    assert Response.objects.get(pk=answer.pk).word_count == 16
    assert Assignment.objects.get(pk=thread.pk).epoch != epoch
