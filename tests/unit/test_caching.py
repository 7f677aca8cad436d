"""classroom.caching: every rule a card reads is named in its key, and forgetting stays in our namespace."""

import dataclasses
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from classroom import caching
from classroom.actions import AssignmentRules
from classroom.models import Assignment, Participation
from classroom.readmodel import Viewer, nest, render_family
from tests.factories import make_response

pytestmark = pytest.mark.django_db

# A value for each rule that differs from the test thread's own (stance and evidence in use).
OTHER_VALUE = {
    "opens_at": lambda thread: thread.opens_at - timedelta(days=1),
    "due_at": lambda thread: timezone.now() + timedelta(days=30),
    "post_first": lambda thread: not thread.post_first,
    "anonymous_to_peers": lambda thread: not thread.anonymous_to_peers,
    "min_words": lambda thread: 50,
    "replies_required": lambda thread: 3,
    "allow_late": lambda thread: not thread.allow_late,
    "points": lambda thread: 25,
    "stance": lambda thread: not thread.stance,
    "stance_labels": lambda thread: "No\nRather not\nMaybe\nRather yes\nYes",
    "evidence": lambda thread: not thread.evidence,
    "reveal_quorum": lambda thread: 50,
    "steelman": lambda thread: not thread.steelman,
}


def test_every_rule_is_declared_as_read_or_not_read_by_a_card():
    rules = {field.name for field in dataclasses.fields(AssignmentRules)}
    declared = set(caching.CARD_DEPENDS_ON) | set(caching.CARD_IGNORES)
    assert rules - declared == set(), "declare each new rule in CARD_DEPENDS_ON or CARD_IGNORES"
    assert set(caching.CARD_DEPENDS_ON) & set(caching.CARD_IGNORES) == set()
    assert set(OTHER_VALUE) == rules


def rendered_card(thread: Assignment, viewer_user, answer) -> str:
    thread = Assignment.objects.select_related("brief", "group").get(pk=thread.pk)
    viewer = Viewer.of(viewer_user, thread)
    responses = [viewer.present(response) for response in thread.responses.select_related("author")]
    family = next(item for item in nest(responses) if item.pk == answer.pk)
    request = RequestFactory().get("/")
    request.user = viewer_user
    return render_family(request, viewer, family)


@pytest.mark.parametrize("rule", sorted(OTHER_VALUE))
def test_a_rule_that_changes_a_card_is_named_in_its_key(rule, thread, student, peer, other_peer):
    """Render a classmate's card, change one rule, render again: if the card changed, the rule
    must be in CARD_DEPENDS_ON (else the cached card would be served unchanged)."""
    Assignment.objects.filter(pk=thread.pk).update(post_first=False, due_at=None)
    thread.refresh_from_db()
    answer = make_response(thread, peer, body="An answer quoting nothing in particular.")
    make_response(thread, other_peer, parent=answer, body="A reply to it.")
    Assignment.objects.filter(pk=thread.pk).update(stance=True)  # stance labels show on the card
    Participation.objects.filter(assignment=thread, student=peer).update(stance_before=4)
    thread.refresh_from_db()
    before = rendered_card(thread, student, answer)
    key_before = caching.card_key(caching.card_prefix(thread, True), "family", None)
    setattr(thread, rule, OTHER_VALUE[rule](thread))
    thread.save()
    after = rendered_card(thread, student, answer)
    key_after = caching.card_key(caching.card_prefix(thread, True), "family", None)
    if before != after:
        assert rule in caching.CARD_DEPENDS_ON, f"{rule} changes a card but is not in its key"
    if rule in caching.CARD_DEPENDS_ON:
        assert key_before != key_after


def test_forget_everything_leaves_keys_outside_its_namespace(db):
    cache.set("session-of-another-site", "kept", 60)
    caching.keep_cards(
        {
            caching.card_key(
                caching.card_prefix(Assignment(pk=1, epoch=1, version=1), True), "x", None
            ): "<li></li>"
        }
    )
    caching.forget_everything()
    assert cache.get("session-of-another-site") == "kept"
    assert (
        caching.cards(
            [caching.card_key(caching.card_prefix(Assignment(pk=1, epoch=1, version=1), True), "x", None)]
        )
        == {}
    )


def test_a_new_epoch_reads_the_rows_again(thread, student, peer):
    from classroom.readmodel import thread_rows

    make_response(thread, peer, body="One.")
    thread.refresh_from_db()
    assert len(thread_rows(thread).rows) == 1
    thread.responses.all()._raw_delete(thread.responses.db)  # gone with no version and no signal
    assert len(thread_rows(thread).rows) == 1  # the same epoch: this process still knows the row
    thread.epoch += 1
    assert thread_rows(thread).rows == {}
