"""Arguing from evidence, without HTTP: stances, quoting the brief, the fair reveal, steelman replies,
and the first version kept when an answer changes after its author could read classmates'."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classroom.actions import (
    ActionRefused,
    AssignmentRules,
    delete_response,
    edit_response,
    mark_steelman_fair,
    post_response,
    remove_student,
    set_stance,
    update_assignment,
)
from classroom.models import Assignment, Participation, Response
from classroom.permissions import can_see_peers
from classroom.reports import stance_summary, student_rows
from tests.factories import BriefFactory, make_response
from tests.helpers import peer_in, set_rules

RESTATED = "You think the talks matter because both sides finally named envoys."  # 12 words


def seat_of(thread, student) -> Participation | None:
    return Participation.objects.filter(assignment=thread, student=student).first()


def reloaded(thread) -> Assignment:
    return Assignment.objects.get(pk=thread.pk)


def rules_of(thread, **changes) -> AssignmentRules:
    """The thread's rules as the edit form would send them, with `changes`."""
    fields = {name: getattr(thread, name) for name in AssignmentRules.__dataclass_fields__}
    return AssignmentRules(**(fields | changes))


def stance_thread(thread, **rules):
    return set_rules(thread, stance=True, **rules)


def answer_with_stance(thread, student, body="An answer about the brief.", value=4, **extras):
    set_stance(assignment=thread, student=student, value=value, moment="before")
    return post_response(assignment=thread, author=student, body=body, **extras)


# ---- stance: before answering, and after -------------------------------------------------------


def test_member_places_a_stance_before_answering(thread, student):
    stance_thread(thread)
    seat = set_stance(assignment=thread, student=student, value=4, moment="before")
    assert seat_of(thread, student).stance_before == 4
    assert seat.stance_after is None
    assert seat.first_posted_at is None


def test_stance_before_may_change_until_the_student_answers(thread, student):
    stance_thread(thread)
    set_stance(assignment=thread, student=student, value=4, moment="before")
    set_stance(assignment=thread, student=student, value=2, moment="before")
    assert seat_of(thread, student).stance_before == 2


def test_stance_before_is_fixed_once_the_student_answers(thread, student):
    stance_thread(thread)
    answer_with_stance(thread, student, value=4)
    with pytest.raises(ActionRefused, match="kept as it was when you answered"):
        set_stance(assignment=thread, student=student, value=1, moment="before")
    assert seat_of(thread, student).stance_before == 4


def test_stance_before_stays_fixed_after_the_answer_is_deleted(thread, student):
    stance_thread(thread)
    answer = answer_with_stance(thread, student, value=4)
    delete_response(response=answer, by=student)
    with pytest.raises(ActionRefused):
        set_stance(assignment=thread, student=student, value=1, moment="before")
    assert seat_of(thread, student).stance_before == 4


def test_student_outside_the_group_cannot_take_a_stance(thread, outsider):
    stance_thread(thread)
    with pytest.raises(ActionRefused, match="Only members"):
        set_stance(assignment=thread, student=outsider, value=3, moment="before")
    assert seat_of(thread, outsider) is None


def test_instructor_cannot_take_a_stance(thread, instructor):
    stance_thread(thread)
    with pytest.raises(ActionRefused):
        set_stance(assignment=thread, student=instructor, value=3, moment="before")
    assert not Participation.objects.filter(assignment=thread).exists()


@pytest.mark.parametrize("value", [0, 6, -1, 42])
def test_stance_outside_the_five_points_is_refused(thread, student, value):
    stance_thread(thread)
    with pytest.raises(ActionRefused, match="five points"):
        set_stance(assignment=thread, student=student, value=value, moment="before")
    assert seat_of(thread, student) is None


@pytest.mark.parametrize("value", [1, 5])
def test_both_ends_of_the_scale_are_accepted(thread, student, value):
    stance_thread(thread)
    set_stance(assignment=thread, student=student, value=value, moment="before")
    assert seat_of(thread, student).stance_before == value


def test_stance_for_an_unknown_moment_is_refused(thread, student):
    stance_thread(thread)
    with pytest.raises(ActionRefused):
        set_stance(assignment=thread, student=student, value=3, moment="during")
    seat = seat_of(thread, student)
    assert seat is None or (seat.stance_before, seat.stance_after) == (None, None)


def test_stance_after_needs_an_answer_first(thread, student):
    stance_thread(thread)
    set_stance(assignment=thread, student=student, value=4, moment="before")
    with pytest.raises(ActionRefused, match="Answer first"):
        set_stance(assignment=thread, student=student, value=2, moment="after")
    assert seat_of(thread, student).stance_after is None


def test_stance_after_is_kept_with_its_time_and_may_change(thread, student):
    stance_thread(thread)
    answer_with_stance(thread, student, value=4)
    set_stance(assignment=thread, student=student, value=2, moment="after")
    first = seat_of(thread, student)
    assert (first.stance_before, first.stance_after) == (4, 2)
    assert first.stance_after_at is not None
    set_stance(assignment=thread, student=student, value=5, moment="after")
    assert seat_of(thread, student).stance_after == 5


def test_stance_is_refused_where_the_thread_asks_for_none(thread, student):
    with pytest.raises(ActionRefused, match="does not ask where you stand"):
        set_stance(assignment=thread, student=student, value=3, moment="before")
    assert seat_of(thread, student) is None


def test_stance_before_is_refused_after_the_due_time(thread, student):
    now = timezone.now()
    stance_thread(thread, opens_at=now - timedelta(days=2), due_at=now - timedelta(minutes=1))
    with pytest.raises(ActionRefused):
        set_stance(assignment=thread, student=student, value=3, moment="before")


def test_stance_after_is_refused_in_an_archived_group(thread, student, group):
    stance_thread(thread)
    answer_with_stance(thread, student)
    group.set_archived(True)
    with pytest.raises(ActionRefused, match="archived"):
        set_stance(assignment=thread, student=student, value=1, moment="after")


def test_stance_after_takes_a_new_version_for_the_answer_so_its_card_is_redrawn(thread, student):
    stance_thread(thread)
    answer = answer_with_stance(thread, student)
    set_stance(assignment=thread, student=student, value=1, moment="after")
    answer.refresh_from_db()
    assert answer.version == reloaded(thread).version > answer.created_version


def test_answer_is_refused_without_a_stance_when_the_thread_asks_for_one(thread, student):
    stance_thread(thread)
    with pytest.raises(ActionRefused, match="Say where you stand"):
        post_response(assignment=thread, author=student, body="Straight to the answer.")
    assert not Response.objects.exists()


def test_answer_is_accepted_once_the_stance_is_placed(thread, student):
    stance_thread(thread)
    answer = answer_with_stance(thread, student, body="After placing myself.")
    assert answer.pk and seat_of(thread, student).first_posted_at == answer.created_at


def test_reply_needs_no_stance_of_its_own(thread, student, peer, instructor):
    stance_thread(thread)
    answer = answer_with_stance(thread, peer)
    reply = post_response(assignment=thread, author=instructor, body="Teacher here.", parent=answer)
    assert reply.parent_id == answer.pk


# ---- stance: who sees classmates, and the summary ------------------------------------------------


def test_stance_first_holds_classmates_back_until_the_stance_is_placed(thread, student):
    stance_thread(thread)
    assert can_see_peers(student, reloaded(thread)) is False
    set_stance(assignment=thread, student=student, value=3, moment="before")
    assert can_see_peers(student, reloaded(thread)) is True


def test_turning_the_stance_rule_on_later_does_not_lock_out_students_who_answered(thread, student, peer):
    make_response(thread, peer, body="Answered before stances were asked for.")
    make_response(thread, student, body="So did I.")
    update_assignment(assignment=thread, rules=rules_of(thread, stance=True))
    thread = reloaded(thread)
    # They can no longer place a first stance (they have answered), so it cannot be what holds them back.
    with pytest.raises(ActionRefused):
        set_stance(assignment=thread, student=student, value=3, moment="before")
    assert can_see_peers(student, thread) is True


def test_turning_the_stance_rule_on_later_still_lets_a_student_answer_again_after_deleting(thread, student):
    first = make_response(thread, student, body="Answered before stances were asked for.")
    update_assignment(assignment=thread, rules=rules_of(thread, stance=True))
    delete_response(response=first, by=student)
    thread = reloaded(thread)
    with pytest.raises(ActionRefused):  # the first stance cannot be placed any more...
        set_stance(assignment=thread, student=student, value=3, moment="before")
    # ...so it cannot be what the new answer waits for.
    again = post_response(assignment=thread, author=student, body="A new answer.")
    assert again.pk is not None


def test_stance_summary_counts_each_point_and_who_moved_which_way(thread):
    stances = {1: (4, 5), 2: (4, 2), 3: (3, 3), 4: (2, None), 5: (None, None)}
    summary = stance_summary(stance_thread(thread), stances)
    assert summary.before == [0, 1, 1, 2, 0]
    assert summary.after == [0, 1, 1, 0, 1]
    assert (summary.placed, summary.placed_again) == (4, 3)
    assert (summary.moved_up, summary.moved_down, summary.stayed) == (1, 1, 1)


def test_stance_summary_uses_the_threads_own_labels(thread):
    set_rules(thread, stance=True, stance_labels="No way\nHardly\nNot sure\nProbably\nCertainly\n")
    summary = stance_summary(thread, {1: (5, None)})
    assert [label for label, *_ in summary.rows()] == [
        "No way",
        "Hardly",
        "Not sure",
        "Probably",
        "Certainly",
    ]
    assert summary.rows()[4][3] == 100.0  # the largest count fills its bar


# ---- evidence: quoting the brief and what the answer disputes ------------------------------------


@pytest.fixture
def quotable(group):
    brief = BriefFactory(
        summary="Envoys met in Istanbul on Thursday. Both sides named new ambassadors. Talks resume in May.",
        commentary="The reset is fragile. Neither side gave up anything that matters.",
    )
    from tests.factories import AssignmentFactory

    return AssignmentFactory(group=group, brief=brief)


def test_answer_quotes_a_sentence_and_keeps_its_text_as_it_was(quotable, student):
    answer = post_response(
        assignment=quotable, author=student, body="The ambassadors matter most.", quote=("summary", 1)
    )
    answer.refresh_from_db()
    assert (answer.quote_part, answer.quote_index) == ("summary", 1)
    assert answer.quote_text == "Both sides named new ambassadors."
    brief = quotable.brief
    brief.summary = "Something else entirely. Nothing like before."
    brief.save()
    answer.refresh_from_db()
    assert answer.quote_text == "Both sides named new ambassadors."


def test_answer_may_quote_the_commentary(quotable, student):
    answer = post_response(
        assignment=quotable, author=student, body="Fragile indeed.", quote=("commentary", 1)
    )
    assert answer.quote_text == "Neither side gave up anything that matters."


@pytest.mark.parametrize("quote", [("summary", 3), ("commentary", 2), ("question", 0), ("title", 0)])
def test_quote_of_a_sentence_not_in_the_brief_is_refused(quotable, student, quote):
    with pytest.raises(ActionRefused, match="not in the brief"):
        post_response(assignment=quotable, author=student, body="Quoting nothing.", quote=quote)
    assert not Response.objects.exists()


def test_answer_without_a_quote_stores_none(quotable, student):
    answer = post_response(assignment=quotable, author=student, body="No quote.")
    assert (answer.quote_part, answer.quote_index, answer.quote_text) == ("", None, "")


def test_quote_is_not_kept_when_the_thread_does_not_ask_for_evidence(quotable, student):
    set_rules(quotable, evidence=False)
    answer = post_response(assignment=quotable, author=student, body="Quote?", quote=("summary", 0))
    answer.refresh_from_db()
    assert (answer.quote_part, answer.quote_text) == ("", "")


@pytest.mark.parametrize("disputes", ["", "fact", "interpretation"])
def test_answer_says_what_it_does_with_the_brief(quotable, student, disputes):
    answer = post_response(assignment=quotable, author=student, body="My take.", disputes=disputes)
    answer.refresh_from_db()
    assert answer.disputes == disputes


@pytest.mark.parametrize("disputes", ["facts", "FACT", "everything", "<b>"])
def test_answer_with_an_unknown_dispute_tag_is_refused(quotable, student, disputes):
    with pytest.raises(ActionRefused, match="from the list"):
        post_response(assignment=quotable, author=student, body="My take.", disputes=disputes)
    assert not Response.objects.exists()


def test_reply_carries_no_quote_or_dispute(quotable, student, peer):
    answer = make_response(quotable, peer)
    reply = post_response(
        assignment=quotable,
        author=student,
        body="A reply.",
        parent=answer,
        quote=("summary", 0),
        disputes="fact",
    )
    reply.refresh_from_db()
    assert (reply.quote_text, reply.disputes) == ("", "")


# ---- the fair reveal ---------------------------------------------------------------------


def test_quorum_of_60_per_cent_of_three_reveals_at_the_second_answer_and_not_before(
    thread, student, peer, other_peer
):
    set_rules(thread, reveal_quorum=60)
    make_response(thread, peer, body="First in.")
    assert reloaded(thread).revealed_at is None
    assert can_see_peers(peer, reloaded(thread)) is False
    second = make_response(thread, student, body="Second in.")
    thread = reloaded(thread)
    assert thread.revealed_at == second.created_at
    assert can_see_peers(peer, thread) and can_see_peers(student, thread)
    assert can_see_peers(other_peer, thread)  # a reveal opens the thread to the whole class


def test_quorum_reached_exactly_at_the_percentage_reveals(thread, student, peer, group):
    others = [peer_in(group, username=f"reveal{n}", first_name=f"R{n}", last_name="Peer") for n in range(3)]
    set_rules(thread, reveal_quorum=60)  # five members: three answers are exactly 60 %
    make_response(thread, student)
    make_response(thread, peer)
    assert reloaded(thread).revealed_at is None  # 40 %
    make_response(thread, others[0])
    assert reloaded(thread).revealed_at is not None  # 60 %


def test_instructor_replies_do_not_count_toward_the_quorum(thread, student, peer, other_peer, instructor):
    set_rules(thread, reveal_quorum=60)
    answer = make_response(thread, student)
    make_response(thread, instructor, parent=answer, body="Good start.")
    make_response(thread, instructor, parent=answer, body="And another thought.")
    assert reloaded(thread).revealed_at is None


def test_replies_and_deleted_answers_do_not_count_toward_the_quorum(thread, student, peer, other_peer):
    set_rules(thread, reveal_quorum=100)
    answer = make_response(thread, student)
    make_response(thread, student, parent=answer, body="Adding to my own answer.")
    gone = make_response(thread, peer)
    delete_response(response=gone, by=peer)
    make_response(thread, other_peer)  # two live answers of three: had the deleted one counted, all three
    assert reloaded(thread).revealed_at is None


def test_due_time_reveals_without_the_quorum(thread, student, peer, other_peer):
    set_rules(thread, reveal_quorum=100)
    make_response(thread, student)
    thread = reloaded(thread)
    assert thread.is_revealed() is False
    assert can_see_peers(student, thread) is False
    Assignment.objects.filter(pk=thread.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    thread = reloaded(thread)
    assert thread.is_revealed() is True
    assert can_see_peers(student, thread) is True
    assert thread.revealed_at is None  # nothing had to be written: the time alone opens it


def test_reveal_without_a_due_time_waits_for_the_quorum(thread, student, peer, other_peer):
    set_rules(thread, reveal_quorum=100, due_at=None)
    make_response(thread, student)
    assert reloaded(thread).is_revealed(timezone.now() + timedelta(days=365)) is False


def test_lowering_the_quorum_below_the_share_already_answered_reveals_at_once(
    thread, student, peer, other_peer
):
    set_rules(thread, reveal_quorum=100)
    make_response(thread, student)
    make_response(thread, peer)
    update_assignment(assignment=thread, rules=rules_of(thread, reveal_quorum=50))
    # Two of three have answered, more than the 50 % now asked: nobody should wait for a third answer.
    assert reloaded(thread).is_revealed() is True


def test_removing_a_student_who_never_answered_reveals_when_the_rest_reach_the_quorum(
    thread, student, peer, other_peer, group
):
    set_rules(thread, reveal_quorum=100)
    make_response(thread, student)
    make_response(thread, peer)
    remove_student(group=group, student=other_peer)
    # Everyone still in the class has answered.
    assert reloaded(thread).is_revealed() is True


# ---- steelman replies -----------------------------------------------------------------------


@pytest.fixture
def steelman_thread(thread):
    return set_rules(thread, steelman=True)


def test_reply_to_a_classmate_without_a_restatement_is_refused(steelman_thread, student, peer):
    answer = make_response(steelman_thread, peer)
    with pytest.raises(ActionRefused, match="restate their view"):
        post_response(assignment=steelman_thread, author=student, body="I disagree.", parent=answer)
    assert not Response.objects.filter(parent=answer).exists()


def test_restatement_under_eight_words_is_refused_and_eight_are_enough(steelman_thread, student, peer):
    answer = make_response(steelman_thread, peer)
    with pytest.raises(ActionRefused, match="at least 8 words"):
        post_response(
            assignment=steelman_thread,
            author=student,
            body="I disagree.",
            parent=answer,
            steelman="You think the talks matter a lot.",  # 7 words
        )
    reply = post_response(
        assignment=steelman_thread,
        author=student,
        body="I disagree.",
        parent=answer,
        steelman="  You think the talks matter a great deal.  ",  # 8 words
    )
    assert reply.steelman == "You think the talks matter a great deal."


def test_reply_to_a_classmates_reply_restates_that_reply(steelman_thread, student, peer, other_peer):
    answer = make_response(steelman_thread, student)
    peer_reply = post_response(
        assignment=steelman_thread, author=peer, body="Not so.", parent=answer, steelman=RESTATED
    )
    with pytest.raises(ActionRefused):
        post_response(assignment=steelman_thread, author=other_peer, body="Hm.", parent=peer_reply)
    reply = post_response(
        assignment=steelman_thread, author=other_peer, body="Hm.", parent=peer_reply, steelman=RESTATED
    )
    assert (reply.parent_id, reply.reply_to_id, reply.steelman) == (answer.pk, peer_reply.pk, RESTATED)


def test_reply_to_own_answer_needs_no_restatement(steelman_thread, student):
    answer = make_response(steelman_thread, student)
    reply = post_response(assignment=steelman_thread, author=student, body="One more thing.", parent=answer)
    assert reply.steelman == ""


def test_reply_to_an_instructor_needs_no_restatement(steelman_thread, student, instructor):
    answer = make_response(steelman_thread, student)
    teacher = make_response(steelman_thread, instructor, parent=answer, body="Why?")
    reply = post_response(assignment=steelman_thread, author=student, body="Because.", parent=teacher)
    assert reply.reply_to_id == teacher.pk


def test_instructor_reply_needs_no_restatement(steelman_thread, student, instructor):
    answer = make_response(steelman_thread, student)
    reply = post_response(assignment=steelman_thread, author=instructor, body="Good.", parent=answer)
    assert reply.steelman == ""


def test_without_the_steelman_rule_a_reply_needs_no_restatement(thread, student, peer):
    answer = make_response(thread, peer)
    assert post_response(assignment=thread, author=student, body="I disagree.", parent=answer).pk


@pytest.fixture
def restatement(steelman_thread, student, peer):
    """`student` restates `peer`'s answer in a reply."""
    answer = make_response(steelman_thread, peer, body="The envoys matter.")
    return post_response(
        assignment=steelman_thread, author=student, body="But not much.", parent=answer, steelman=RESTATED
    )


def test_restated_author_marks_the_restatement_fair_and_can_take_it_back(restatement, peer):
    marked = mark_steelman_fair(response=restatement, by=peer, fair=True)
    assert marked.steelman_fair_at is not None
    restatement.refresh_from_db()
    assert restatement.steelman_fair_at == marked.steelman_fair_at
    mark_steelman_fair(response=restatement, by=peer, fair=False)
    restatement.refresh_from_db()
    assert restatement.steelman_fair_at is None


def test_marking_fair_takes_a_new_version_for_the_reply(restatement, peer, steelman_thread):
    before = restatement.version
    mark_steelman_fair(response=restatement, by=peer, fair=True)
    restatement.refresh_from_db()
    assert restatement.version == reloaded(steelman_thread).version > before


def test_replier_cannot_mark_their_own_restatement_fair(restatement, student):
    with pytest.raises(ActionRefused, match="Only the author"):
        mark_steelman_fair(response=restatement, by=student, fair=True)
    restatement.refresh_from_db()
    assert restatement.steelman_fair_at is None


def test_instructor_cannot_mark_a_restatement_fair(restatement, instructor):
    with pytest.raises(ActionRefused):
        mark_steelman_fair(response=restatement, by=instructor, fair=True)
    restatement.refresh_from_db()
    assert restatement.steelman_fair_at is None


def test_another_classmate_cannot_mark_a_restatement_fair(restatement, other_peer):
    with pytest.raises(ActionRefused):
        mark_steelman_fair(response=restatement, by=other_peer, fair=True)


def test_restated_author_of_a_reply_marks_the_restatement_of_that_reply(
    steelman_thread, student, peer, other_peer
):
    answer = make_response(steelman_thread, student)
    peer_reply = post_response(
        assignment=steelman_thread, author=peer, body="No.", parent=answer, steelman=RESTATED
    )
    restating = post_response(
        assignment=steelman_thread, author=other_peer, body="Yes.", parent=peer_reply, steelman=RESTATED
    )
    with pytest.raises(ActionRefused):  # wrote the answer, not the view restated
        mark_steelman_fair(response=restating, by=student, fair=True)
    assert mark_steelman_fair(response=restating, by=peer, fair=True).steelman_fair_at is not None


def test_a_reply_without_a_restatement_cannot_be_marked_fair(steelman_thread, student, peer):
    answer = make_response(steelman_thread, peer)
    own = post_response(assignment=steelman_thread, author=peer, body="More.", parent=answer)
    with pytest.raises(ActionRefused):
        mark_steelman_fair(response=own, by=peer, fair=True)


def test_a_deleted_restatement_cannot_be_marked_fair(restatement, student, peer):
    delete_response(response=restatement, by=student)
    with pytest.raises(ActionRefused):
        mark_steelman_fair(response=restatement, by=peer, fair=True)


def test_report_counts_each_students_fair_restatements_and_stances(
    restatement, student, peer, steelman_thread
):
    mark_steelman_fair(response=restatement, by=peer, fair=True)
    rows = {row.student.pk: row for row in student_rows(steelman_thread)}
    assert rows[student.pk].fair_steelmen == 1
    assert rows[peer.pk].fair_steelmen == 0


def test_report_rows_carry_the_stance_before_and_after(thread, student, peer):
    stance_thread(thread)
    answer_with_stance(thread, student, value=4)
    set_stance(assignment=thread, student=student, value=2, moment="after")
    rows = {row.student.pk: row for row in student_rows(thread)}
    assert (rows[student.pk].stance_before, rows[student.pk].stance_after) == (4, 2)
    assert (rows[peer.pk].stance_before, rows[peer.pk].stance_after) == (None, None)


# ---- edits after the author could read classmates' answers --------------------------------------


def test_edit_after_seeing_classmates_keeps_the_first_version_once(thread, student, peer):
    set_rules(thread, post_first=True)
    make_response(thread, peer)
    answer = make_response(thread, student, body="My very first wording.")
    edited = edit_response(response=answer, body="Second wording, after reading them.", by=student)
    assert edited.original_body == "My very first wording."
    assert edited.edited_after_reveal_at is not None
    first_mark = edited.edited_after_reveal_at
    again = edit_response(response=answer, body="Third wording.", by=student)
    again.refresh_from_db()
    assert again.body == "Third wording."
    assert again.original_body == "My very first wording."  # not the second
    assert again.edited_after_reveal_at == first_mark


def test_edit_before_the_reveal_is_not_marked(thread, student, peer, other_peer):
    set_rules(thread, reveal_quorum=100)
    answer = make_response(thread, student, body="Before anyone else.")
    edited = edit_response(response=answer, body="Still before anyone else.", by=student)
    edited.refresh_from_db()
    assert (edited.original_body, edited.edited_after_reveal_at) == ("", None)


def test_edit_after_the_quorum_opened_the_thread_is_marked(thread, student, peer):
    set_rules(thread, reveal_quorum=100)
    answer = make_response(thread, student, body="Before the reveal.")
    make_response(thread, peer)  # everyone has answered: revealed
    edited = edit_response(response=answer, body="After the reveal.", by=student)
    assert edited.original_body == "Before the reveal."
    assert edited.edited_after_reveal_at is not None


def test_edit_in_a_thread_that_never_held_classmates_back_is_not_marked(thread, student, peer):
    make_response(thread, peer)
    answer = make_response(thread, student, body="Open thread.")
    edited = edit_response(response=answer, body="Open thread, edited.", by=student)
    edited.refresh_from_db()
    assert (edited.original_body, edited.edited_after_reveal_at) == ("", None)


def test_saving_the_same_text_again_is_not_an_edit_after_reveal(thread, student, peer):
    set_rules(thread, post_first=True)
    answer = make_response(thread, student, body="Unchanged.")
    edited = edit_response(response=answer, body="  Unchanged.  ", by=student)
    edited.refresh_from_db()
    assert (edited.original_body, edited.edited_after_reveal_at) == ("", None)


def test_edit_of_a_reply_is_not_marked(thread, student, peer):
    set_rules(thread, post_first=True)
    make_response(thread, student)
    answer = make_response(thread, peer)
    reply = make_response(thread, student, parent=answer, body="A reply.")
    edited = edit_response(response=reply, body="A reply, edited.", by=student)
    edited.refresh_from_db()
    assert (edited.original_body, edited.edited_after_reveal_at) == ("", None)


def test_delete_and_answer_again_after_seeing_classmates_is_marked_with_the_deleted_text(
    thread, student, peer
):
    set_rules(thread, post_first=True)
    make_response(thread, peer)
    first = make_response(thread, student, body="The answer I regret.")
    delete_response(response=first, by=student)
    again = make_response(thread, student, body="A better answer, after reading theirs.")
    again.refresh_from_db()
    assert again.original_body == "The answer I regret."
    assert again.edited_after_reveal_at is not None
    edited = edit_response(response=again, body="And edited once more.", by=student)
    assert edited.original_body == "The answer I regret."  # still the first version


def test_delete_and_answer_again_before_the_reveal_is_not_marked(thread, student, peer, other_peer):
    set_rules(thread, reveal_quorum=100)
    first = make_response(thread, student, body="Draft one.")
    delete_response(response=first, by=student)
    again = make_response(thread, student, body="Draft two.")
    again.refresh_from_db()
    assert (again.original_body, again.edited_after_reveal_at) == ("", None)
