"""Arguing from evidence through the test client: stance first, quoting the brief, the fair reveal,
steelman replies, and the first version an instructor keeps, for each role, plain and with htmx."""

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from classroom.actions import edit_response, hide_response, post_response, set_stance
from classroom.models import Assignment, Membership, Participation, Response
from tests.factories import AssignmentFactory, BriefFactory, make_response
from tests.helpers import (
    client_for,
    create_url,
    delete_url,
    detail_url,
    edit_url,
    peer_in,
    reply_url,
    set_rules,
    thread_url,
)
from tests.integration.test_thread import (
    INSTRUCTOR_THREAD_PAGE_MAX_QUERIES,
    STUDENT_THREAD_PAGE_MAX_QUERIES,
)

HTMX = {"HX-Request": "true"}
ROLES = ["anonymous", "outsider", "member", "other_instructor", "owner"]
RESTATED = "You think the envoys matter because both sides finally named new ambassadors."
PEER_SECRET = "Quokka-ledger answer from the first classmate."
OTHER_SECRET = "Marmalade-compass answer from the second classmate."


def page(user, assignment) -> str:
    response = client_for(user).get(thread_url(assignment))
    assert response.status_code == 200
    return response.content.decode()


def partial(response) -> str:
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    return html


def card(html: str, response) -> str:
    match = re.search(rf'<article id="response-{response.pk}".*?</article>', html, re.DOTALL)
    assert match, f"response-{response.pk} is not in the HTML"
    return match.group(0)


def stance_url(assignment) -> str:
    return reverse("classroom:stance_save", args=[assignment.pk])


def fair_url(response) -> str:
    return reverse("classroom:steelman_fair", args=[response.pk])


def report_url(assignment) -> str:
    return reverse("classroom:assignment_report", args=[assignment.pk])


def poll_link(html: str) -> str:
    """The poll URL the page asks, with its signed ticket."""
    match = re.search(r'<div id="thread-poll" hx-get="([^"]+)"', html)
    assert match, "no poller on the page"
    return html_lib.unescape(match.group(1))


def composer(html: str) -> str:
    match = re.search(r'<section id="composer".*?</section>', html, re.DOTALL)
    assert match, "no composer"
    return match.group(0)


def responses_section(html: str) -> str:
    match = re.search(r'<section id="thread-responses".*?</section>', html, re.DOTALL)
    assert match, "no responses section"
    return match.group(0)


def assert_login(response, htmx: bool) -> None:
    if htmx:
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("login"))
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def place(assignment, student, value=4):
    return set_stance(assignment=assignment, student=student, value=value, moment="before")


def answer(assignment, student, body="An answer about the brief.", value=4, **extras):
    """Answer through the real action, placing a stance first where the thread asks for one."""
    if Assignment.objects.get(pk=assignment.pk).stance:
        place(assignment, student, value)
    return post_response(assignment=assignment, author=student, body=body, **extras)


# ---- stance first -------------------------------------------------------------------------


@pytest.fixture
def stance_thread(thread, peer):
    """A stance-only thread (no post-first) with a classmate's answer already in it."""
    set_rules(thread, stance=True, post_first=False)
    answer(thread, peer, body=PEER_SECRET, value=2)
    return thread


def test_member_sees_only_the_stance_scale_until_placed_and_no_classmates(student, stance_thread):
    html = page(student, stance_thread)
    box = composer(html)
    assert f'action="{stance_url(stance_thread)}"' in box
    assert "Before you answer: where do you stand on the question?" in box
    for value, label in enumerate(
        ["Strongly disagree", "Disagree", "Undecided", "Agree", "Strongly agree"], 1
    ):
        assert re.search(rf'value="{value}"[^>]*>\s*<span>{label}</span>', box)
    assert f'action="{create_url(stance_thread)}"' not in html
    assert PEER_SECRET not in html
    assert "Zephyrine" not in html
    assert "Say where you stand first (above)." in responses_section(html)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("anonymous", "login"),
        ("outsider", "404"),
        ("member", "scale"),
        ("other_instructor", "404"),
        ("owner", "answers"),
    ],
)
def test_stance_thread_by_role(people, stance_thread, role, outcome, htmx):
    response = client_for(people[role]).get(thread_url(stance_thread), headers=HTMX if htmx else {})
    if outcome == "login":
        assert_login(response, htmx)
        return
    if outcome == "404":
        assert response.status_code == 404
        assert PEER_SECRET.encode() not in response.content
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert (PEER_SECRET in html) is (outcome == "answers")
    assert (f'action="{stance_url(stance_thread)}"' in html) is (outcome == "scale")


def test_owner_sees_classmates_answers_and_no_stance_scale(instructor, stance_thread):
    html = page(instructor, stance_thread)
    assert PEER_SECRET in html
    assert f'action="{stance_url(stance_thread)}"' not in html


def test_plain_stance_post_redirects_to_the_composer_which_then_shows_the_answer_form(student, stance_thread):
    client = client_for(student)
    response = client.post(stance_url(stance_thread), {"stance": "4", "moment": "before"})
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(stance_thread)}#composer"
    html = client.get(thread_url(stance_thread)).content.decode()
    box = composer(html)
    assert f'action="{create_url(stance_thread)}"' in box
    assert re.search(r"Your stance: <strong>Agree</strong>", box)
    assert PEER_SECRET in responses_section(html)


def test_htmx_stance_returns_the_answer_form_and_the_discussion_out_of_band(student, stance_thread):
    response = client_for(student).post(
        stance_url(stance_thread), {"stance": "4", "moment": "before"}, headers=HTMX
    )
    html = partial(response)
    assert html.lstrip().startswith('<section id="composer"')
    assert f'action="{create_url(stance_thread)}"' in composer(html)
    section = re.search(
        r'<section id="thread-responses"[^>]*hx-swap-oob="true">.*?</section>', html, re.DOTALL
    )
    assert section and PEER_SECRET in section.group(0)
    assert "Your stance is saved." in html
    assert "HX-Request" in response["Vary"]
    assert Participation.objects.get(assignment=stance_thread, student=student).stance_before == 4


@pytest.mark.parametrize("value", ["0", "6", "nine", ""])
def test_htmx_stance_off_the_scale_is_refused_in_the_form(student, stance_thread, value):
    html = partial(
        client_for(student).post(
            stance_url(stance_thread), {"stance": value, "moment": "before"}, headers=HTMX
        )
    )
    assert "Pick one of the five points of the scale." in html
    assert f'action="{create_url(stance_thread)}"' not in html
    assert PEER_SECRET not in html
    assert not Participation.objects.filter(student=student, stance_before__isnull=False).exists()


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("role", "saved"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", True),
        ("other_instructor", False),
        ("owner", False),
    ],
)
def test_stance_post_by_role(people, stance_thread, role, saved, htmx):
    response = client_for(people[role]).post(
        stance_url(stance_thread), {"stance": "5", "moment": "before"}, headers=HTMX if htmx else {}
    )
    if role == "anonymous":
        assert_login(response, htmx)
    elif role in ("outsider", "other_instructor"):
        assert response.status_code == 404
    elif htmx:
        html = partial(response)
        assert ("Only members of this group can take a stance here." in html) is (role == "owner")
    else:
        assert response.status_code == 302
    assert Participation.objects.filter(assignment=stance_thread, stance_before=5).exists() is saved


def test_owner_plain_stance_post_shows_the_refusal_on_the_thread(instructor, stance_thread):
    response = client_for(instructor).post(
        stance_url(stance_thread), {"stance": "5", "moment": "before"}, follow=True
    )
    assert "Only members of this group can take a stance here." in response.content.decode()


def test_answer_posted_without_a_stance_says_why_and_keeps_the_text(student, stance_thread):
    html = partial(
        client_for(student).post(create_url(stance_thread), {"body": "Skipping the scale."}, headers=HTMX)
    )
    # E.g. from a tab opened before the instructor turned the stance rule on.
    assert "Say where you stand on the question before you answer." in html
    assert "Skipping the scale." in html
    assert not Response.objects.filter(author=student).exists()


def test_answer_card_shows_the_stance_and_then_where_its_author_stands_now(student, peer, stance_thread):
    mine = answer(stance_thread, student, body="My placed answer.", value=4)
    peers_view = page(peer, stance_thread)  # caches the item the classmate sees
    assert re.search(r'class="badge badge-stance"[^>]*>Agree</span>', card(peers_view, mine))
    assert "now " not in card(peers_view, mine)
    response = client_for(student).post(stance_url(stance_thread), {"stance": "2", "moment": "after"})
    assert response.status_code == 302
    for viewer in (student, peer):
        shown = card(page(viewer, stance_thread), mine)
        assert re.search(r'class="badge badge-stance"[^>]*>Agree</span>', shown)
        assert re.search(r'class="badge badge-stance badge-moved"[^>]*>now Disagree</span>', shown)


def test_answer_card_shows_no_now_badge_when_the_stance_after_is_the_same(student, stance_thread):
    mine = answer(stance_thread, student, value=4)
    set_stance(assignment=stance_thread, student=student, value=4, moment="after")
    assert "badge-moved" not in card(page(student, stance_thread), mine)


def test_stance_scale_shows_the_threads_own_labels(student, stance_thread):
    set_rules(stance_thread, stance_labels="No way\nHardly\nNot sure\nProbably\nCertainly")
    box = composer(page(student, stance_thread))
    assert "<span>Probably</span>" in box and "Strongly agree" not in box
    mine = answer(stance_thread, student, value=4)
    assert re.search(r'badge-stance"[^>]*>Probably</span>', card(page(student, stance_thread), mine))


def test_after_answering_the_composer_asks_where_the_student_stands_now(student, stance_thread):
    answer(stance_thread, student, value=4)
    box = composer(page(student, stance_thread))
    assert "After the discussion, where do you stand now?" in box
    assert 'name="moment" value="after"' in box
    assert "Your first stance: <strong>Agree</strong>" in box


def test_after_deleting_the_answer_the_student_can_answer_again_in_a_stance_thread(student, stance_thread):
    mine = answer(stance_thread, student, value=4)
    client = client_for(student)
    assert client.post(delete_url(mine)).status_code == 302
    box = composer(client.get(thread_url(stance_thread)).content.decode())
    # The stance before is fixed; what the student needs now is the answer form.
    assert f'action="{create_url(stance_thread)}"' in box


# ---- the stance chart ------------------------------------------------------------------------


def stance_chart(html: str) -> str | None:
    match = re.search(r'<figure class="stance-chart".*?</figure>', html, re.DOTALL)
    return match.group(0) if match else None


def test_owner_sees_the_stance_chart_with_counts_and_moves(instructor, student, stance_thread):
    answer(stance_thread, student, value=4)
    set_stance(assignment=stance_thread, student=student, value=2, moment="after")
    chart = stance_chart(page(instructor, stance_thread))
    assert chart is not None
    assert "2 before answering, 1 after the discussion" in chart
    assert re.search(
        r'<th scope="row">Disagree</th>\s*<td>.*?<span class="bar-number">1</span></td>', chart, re.S
    )
    assert re.search(
        r"Of 1 who placed themselves again: <strong>0</strong> moved toward “Strongly agree”, "
        r"<strong>1</strong> toward “Strongly disagree”, 0 stayed\.",
        chart,
    )
    assert '<svg class="stance-bar"' in chart


def test_owner_sees_the_stance_chart_before_anyone_placed_themselves_again(instructor, stance_thread):
    chart = stance_chart(page(instructor, stance_thread))
    assert chart is not None and "Nobody has placed themselves again yet." in chart


def test_student_sees_no_stance_chart_until_they_answer(student, stance_thread):
    assert stance_chart(page(student, stance_thread)) is None
    place(stance_thread, student)
    assert stance_chart(page(student, stance_thread)) is None
    post_response(assignment=stance_thread, author=student, body="Now I have answered.")
    assert stance_chart(page(student, stance_thread)) is not None


def test_htmx_stance_after_updates_the_chart_out_of_band(student, stance_thread):
    answer(stance_thread, student, value=4)
    html = partial(
        client_for(student).post(stance_url(stance_thread), {"stance": "1", "moment": "after"}, headers=HTMX)
    )
    stats = re.search(r'<div id="thread-stats"[^>]*hx-swap-oob="true">.*?</figure>', html, re.DOTALL)
    assert stats and "Of 1 who placed themselves again" in stats.group(0)


def oob_stats(html: str) -> str:
    match = re.search(r'<div id="thread-stats"[^>]*hx-swap-oob="true">.*?</div>', html, re.DOTALL)
    assert match, "no out-of-band counts"
    # The chart's figure sits inside the counts' div: take up to the div that closes them.
    start = match.start()
    end = html.find("</figure>", start)
    close = html.find("</div>", max(end, start))
    return html[start : close + len("</div>")]


def test_poll_with_a_new_answer_keeps_the_stance_chart_in_the_counts(instructor, other_peer, stance_thread):
    client = client_for(instructor)
    link = poll_link(client.get(thread_url(stance_thread)).content.decode())
    answer(stance_thread, other_peer, body=OTHER_SECRET, value=5)
    html = partial(client.get(link, headers=HTMX))
    assert OTHER_SECRET in html
    # The counts are swapped whole: without the chart in them, the chart vanishes from the page.
    assert '<figure class="stance-chart"' in oob_stats(html)


def test_htmx_reply_keeps_the_stance_chart_in_the_counts(student, peer, stance_thread):
    answer(stance_thread, student, value=4)
    theirs = Response.objects.get(author=peer)
    html = partial(client_for(student).post(reply_url(theirs), {"body": "A reply."}, headers=HTMX))
    assert '<figure class="stance-chart"' in oob_stats(html)


def test_htmx_delete_of_a_reply_keeps_the_stance_chart_in_the_counts(student, peer, stance_thread):
    answer(stance_thread, student, value=4)
    theirs = Response.objects.get(author=peer)
    reply = make_response(stance_thread, student, parent=theirs, body="A reply to take back.")
    html = partial(client_for(student).post(delete_url(reply), headers=HTMX))
    assert '<figure class="stance-chart"' in oob_stats(html)


def test_new_stance_labels_reach_answer_cards_already_seen(
    student, peer, other_peer, instructor, stance_thread
):
    theirs = Response.objects.get(author=peer)  # placed at 2: "Disagree"
    place(stance_thread, student)
    for viewer in (student, instructor):
        assert re.search(r'badge-stance"[^>]*>Disagree</span>', card(page(viewer, stance_thread), theirs))
    client_for(instructor).post(
        reverse("classroom:assignment_edit", args=[stance_thread.pk]),
        {
            "opens_at": timezone.localtime(stance_thread.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "due_at": timezone.localtime(stance_thread.due_at).strftime("%Y-%m-%dT%H:%M"),
            "min_words": 0,
            "replies_required": 0,
            "points": 10,
            "stance": "on",
            "evidence": "on",
            "stance_labels": "No way\nHardly\nNot sure\nProbably\nCertainly",
        },
    )
    assert Assignment.objects.get(pk=stance_thread.pk).stance_labels.startswith("No way")
    for viewer in (student, instructor):
        assert re.search(r'badge-stance"[^>]*>Hardly</span>', card(page(viewer, stance_thread), theirs))


def test_thread_without_stance_has_no_scale_and_no_chart(student, instructor, thread):
    for viewer in (student, instructor):
        html = page(viewer, thread)
        assert stance_chart(html) is None
        assert f'action="{stance_url(thread)}"' not in html


# ---- the fair reveal -------------------------------------------------------------------------


@pytest.fixture
def reveal_thread(thread, student, peer, other_peer):
    """Three members, everyone needed; the classmate and the viewer have answered."""
    set_rules(thread, reveal_quorum=100, post_first=False)
    make_response(thread, peer, body=PEER_SECRET)
    make_response(thread, student, body="Okapi-sundial answer of the viewer.")
    return thread


def test_student_who_answered_waits_with_the_count_and_sees_no_classmate(student, reveal_thread):
    html = page(student, reveal_thread)
    section = responses_section(html)
    assert (
        "Everyone's answers are revealed at once at the due time or when 100% of the class has answered"
        in section
    )
    assert "2 of 3 so far." in section
    assert PEER_SECRET not in html
    assert "Zephyrine" not in html and "Quillfeather" not in html
    assert "held=1" in poll_link(html)


def test_student_who_has_not_answered_waits_too(other_peer, reveal_thread):
    html = page(other_peer, reveal_thread)
    assert "2 of 3 so far." in html
    assert PEER_SECRET not in html
    assert f'action="{create_url(reveal_thread)}"' in html


def test_classmates_answer_url_is_404_before_the_reveal(student, peer, reveal_thread):
    theirs = Response.objects.get(author=peer)
    client = client_for(student)
    assert client.get(detail_url(theirs), headers=HTMX).status_code == 404
    assert client.get(reply_url(theirs)).status_code == 404


def test_student_who_answered_before_the_reveal_still_reaches_their_own_answer(student, reveal_thread):
    html = page(student, reveal_thread)
    own = Response.objects.get(author=student)
    assert f'href="#response-{own.pk}"' in composer(html)  # "Go to your answer to edit it"
    assert f'id="response-{own.pk}"' in html


def test_owner_sees_every_answer_before_the_reveal(instructor, reveal_thread):
    html = page(instructor, reveal_thread)
    assert PEER_SECRET in html and "Okapi-sundial answer of the viewer." in html


def test_other_instructor_and_outsider_get_404_for_a_reveal_thread(other_instructor, outsider, reveal_thread):
    for user in (other_instructor, outsider):
        assert client_for(user).get(thread_url(reveal_thread)).status_code == 404


def test_waiting_poll_answers_204_while_nothing_changed(student, reveal_thread):
    link = poll_link(page(student, reveal_thread))
    assert client_for(student).get(link, headers=HTMX).status_code == 204


def test_waiting_poll_returns_the_whole_discussion_once_the_quorum_answers(
    student, other_peer, reveal_thread
):
    client = client_for(student)
    link = poll_link(client.get(thread_url(reveal_thread)).content.decode())
    make_response(reveal_thread, other_peer, body=OTHER_SECRET)
    response = client.get(link, headers=HTMX)
    html = partial(response)
    assert response["HX-Retarget"] == "#thread-page"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<div id="thread-page"')
    section = responses_section(html)
    assert 'hx-swap-oob="true"' not in section.split(">", 1)[0]
    assert PEER_SECRET in section and OTHER_SECRET in section
    assert "held=1" not in poll_link(section)
    assert "Your classmates&#x27; answers are now shown." in html


def test_waiting_poll_returns_the_discussion_once_the_due_time_passes(student, reveal_thread, monkeypatch):
    client = client_for(student)
    link = poll_link(client.get(thread_url(reveal_thread)).content.decode())
    # The due time passing writes nothing: the thread's version stays the same.
    later = reveal_thread.due_at + timedelta(seconds=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(link, headers=HTMX)
    html = partial(response)
    assert response["HX-Retarget"] == "#thread-page"
    assert PEER_SECRET in responses_section(html)


def test_waiting_poll_for_a_new_answer_short_of_the_quorum_sends_counts_but_no_answer(
    student, other_peer, group, reveal_thread
):
    fourth = peer_in(group, username="wy_fourth", first_name="Wilhelmina", last_name="Ystad")
    client = client_for(student)
    link = poll_link(client.get(thread_url(reveal_thread)).content.decode())
    make_response(reveal_thread, other_peer, body=OTHER_SECRET)  # three of four: not yet
    response = client.get(link, headers=HTMX)
    html = partial(response)
    assert "HX-Retarget" not in response
    assert OTHER_SECRET not in html and PEER_SECRET not in html
    assert "Valdemar" not in html and fourth.first_name not in html
    assert re.search(r"<strong>3</strong> of 4 students answered", html)
    assert "held=1" in poll_link(html)


def test_outsider_with_a_members_waiting_poll_link_gets_404_after_the_due_time(
    student, outsider, reveal_thread, monkeypatch
):
    link = poll_link(page(student, reveal_thread))
    later = reveal_thread.due_at + timedelta(seconds=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client_for(outsider).get(link, headers=HTMX)
    assert response.status_code == 404
    assert PEER_SECRET.encode() not in response.content


def test_page_after_the_due_time_shows_everyone(student, other_peer, reveal_thread):
    Assignment.objects.filter(pk=reveal_thread.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    for viewer in (student, other_peer):
        assert PEER_SECRET in page(viewer, reveal_thread)


def test_page_after_the_quorum_shows_everyone_and_a_plain_poller(student, other_peer, reveal_thread):
    make_response(reveal_thread, other_peer, body=OTHER_SECRET)
    html = page(student, reveal_thread)
    assert PEER_SECRET in html and OTHER_SECRET in html
    assert "so far." not in html
    assert "waiting=1" not in poll_link(html)


def test_htmx_answer_that_reaches_the_quorum_reveals_the_discussion(student, peer, other_peer, thread):
    set_rules(thread, reveal_quorum=60, post_first=False)
    make_response(thread, peer, body=PEER_SECRET)
    html = partial(client_for(student).post(create_url(thread), {"body": "Second in."}, headers=HTMX))
    section = re.search(
        r'<section id="thread-responses"[^>]*hx-swap-oob="true">.*?</section>', html, re.DOTALL
    )
    assert section and PEER_SECRET in section.group(0)


# ---- quoting the brief ----------------------------------------------------------------------


@pytest.fixture
def quotable(group):
    brief = BriefFactory(
        summary="Envoys met in Istanbul on Thursday. Both sides named new ambassadors. Talks resume in May.",
        commentary="The reset is fragile. Neither side gave up anything that matters.",
    )
    return AssignmentFactory(group=group, brief=brief)


def sentence(html: str, part: str, index: int) -> str:
    """One sentence of the brief on the page, with its heat mark if it has one."""
    match = re.search(rf'<span id="brief-{part}-{index}" .*?(?=<span id="brief-|</p>)', html, re.DOTALL)
    assert match, f"brief-{part}-{index} is not on the page"
    return match.group(0)


def test_answer_form_offers_each_sentence_of_the_brief_and_the_dispute_choice(student, quotable):
    box = composer(page(student, quotable))
    assert '<select name="quote"' in box
    assert '<option value="summary:1">Summary 2: Both sides named new ambassadors.</option>' in box
    assert '<option value="commentary:0">Commentary 1: The reset is fragile.</option>' in box
    for value in ("", "fact", "interpretation"):
        assert f'name="disputes" value="{value}"' in box


def test_brief_on_the_thread_marks_each_sentence_with_an_id(student, quotable):
    html = page(student, quotable)
    assert (
        '<span id="brief-summary-0" class="sentence" data-quote="summary:0">Envoys met in Istanbul on Thursday.</span>'
        in html
    )
    assert 'id="brief-summary-2"' in html and 'id="brief-commentary-1"' in html


def test_thread_without_evidence_shows_the_brief_whole_and_no_quote_field(student, quotable):
    set_rules(quotable, evidence=False)
    html = page(student, quotable)
    assert quotable.brief.summary in html
    assert 'id="brief-summary-0"' not in html
    assert 'name="quote"' not in html and 'name="disputes"' not in html


@pytest.mark.parametrize("htmx", [False, True])
def test_quoted_sentence_shows_on_the_card_linked_to_the_brief(student, quotable, htmx):
    client = client_for(student)
    response = client.post(
        create_url(quotable),
        {"body": "The ambassadors are the real news.", "quote": "summary:1", "disputes": "fact"},
        headers=HTMX if htmx else {},
    )
    mine = Response.objects.get(author=student)
    html = partial(response) if htmx else client.get(thread_url(quotable)).content.decode()
    shown = card(html, mine)
    assert (
        '<blockquote class="response-quote"><span class="label">From the brief</span> '
        '<a href="#brief-summary-1">Both sides named new ambassadors.</a></blockquote>'
    ) in shown
    assert '<span class="badge badge-dispute">Disputes a fact in the summary</span>' in shown


def test_answer_quoting_a_sentence_not_offered_is_refused_and_the_text_kept(student, quotable):
    html = partial(
        client_for(student).post(
            create_url(quotable), {"body": "Quoting thin air.", "quote": "summary:99"}, headers=HTMX
        )
    )
    assert "Quoting thin air." in html
    assert "That sentence is not in the brief any more" in html
    assert not Response.objects.exists()


def test_answer_with_an_unknown_dispute_is_refused_and_the_text_kept(student, quotable):
    html = partial(
        client_for(student).post(
            create_url(quotable), {"body": "Disputing everything.", "disputes": "everything"}, headers=HTMX
        )
    )
    assert "Disputing everything." in html
    assert not Response.objects.exists()


def test_brief_marks_how_many_answers_quote_each_sentence(student, peer, other_peer, quotable):
    answer(quotable, peer, body="One.", quote=("summary", 1))
    answer(quotable, other_peer, body="Two.", quote=("summary", 1), disputes="interpretation")
    answer(quotable, student, body="Three.", quote=("commentary", 0))
    html = page(student, quotable)
    hot = sentence(html, "summary", 1)
    assert 'class="sentence is-quoted"' in hot
    assert '<sup class="heat heat-2" title="Quoted by 2 answers">' in hot
    assert ">2<" in hot
    assert 'title="Quoted by 1 answer"' in sentence(html, "commentary", 0)
    assert "heat" not in sentence(html, "summary", 0)


def test_heat_is_shown_to_the_owner(instructor, peer, quotable):
    answer(quotable, peer, body="One.", quote=("summary", 2))
    assert 'title="Quoted by 1 answer"' in sentence(page(instructor, quotable), "summary", 2)


def test_heat_is_hidden_from_a_student_who_may_not_see_classmates_yet(student, peer, quotable):
    set_rules(quotable, post_first=True)
    answer(quotable, peer, body="One.", quote=("summary", 1))
    html = page(student, quotable)
    assert 'id="brief-summary-1"' in html
    assert "heat" not in sentence(html, "summary", 1)
    assert "Quoted by" not in html


def test_answer_hidden_by_the_instructor_no_longer_warms_its_sentence(student, peer, instructor, quotable):
    theirs = answer(quotable, peer, body="One.", quote=("summary", 1))
    hide_response(response=theirs, by=instructor, reason="Off topic.")
    assert "Quoted by" not in page(student, quotable)


# ---- steelman replies ----------------------------------------------------------------------


@pytest.fixture
def steelman_thread(thread):
    return set_rules(thread, steelman=True, post_first=False)


@pytest.fixture
def peer_answer(steelman_thread, peer):
    return make_response(steelman_thread, peer, body=PEER_SECRET)


@pytest.mark.parametrize("htmx", [False, True])
def test_reply_form_to_a_classmate_asks_for_a_restatement_first(student, peer_answer, htmx):
    response = client_for(student).get(reply_url(peer_answer), headers=HTMX if htmx else {})
    html = partial(response) if htmx else response.content.decode()
    assert 'name="steelman"' in html
    assert "First, restate the view of Zephyrine Quillfeather in your own words" in html
    assert html.index('name="steelman"') < html.index('name="body"')


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("anonymous", "login"),
        ("outsider", "404"),
        ("member", "restate"),
        ("other_instructor", "404"),
        ("owner", "reply"),
    ],
)
def test_reply_form_under_the_steelman_rule_by_role(people, peer_answer, role, outcome, htmx):
    response = client_for(people[role]).get(reply_url(peer_answer), headers=HTMX if htmx else {})
    if outcome == "login":
        assert_login(response, htmx)
    elif outcome == "404":
        assert response.status_code == 404
    else:
        html = partial(response) if htmx else response.content.decode()
        assert 'name="body"' in html
        assert ('name="steelman"' in html) is (outcome == "restate")


def test_reply_form_to_a_classmate_asks_for_nothing_without_the_rule(student, thread, peer):
    theirs = make_response(thread, peer)
    assert 'name="steelman"' not in client_for(student).get(reply_url(theirs)).content.decode()


def test_reply_form_to_own_answer_asks_for_no_restatement(student, steelman_thread):
    mine = make_response(steelman_thread, student)
    assert 'name="steelman"' not in client_for(student).get(reply_url(mine)).content.decode()


def test_reply_form_to_an_instructor_asks_for_no_restatement(student, instructor, steelman_thread):
    mine = make_response(steelman_thread, student)
    teacher = make_response(steelman_thread, instructor, parent=mine, body="Why so?")
    assert 'name="steelman"' not in client_for(student).get(reply_url(teacher)).content.decode()


def test_instructor_reply_form_asks_for_no_restatement(instructor, peer_answer):
    assert 'name="steelman"' not in client_for(instructor).get(reply_url(peer_answer)).content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_reply_without_a_restatement_keeps_the_typed_reply_and_says_why(student, peer_answer, htmx):
    response = client_for(student).post(
        reply_url(peer_answer), {"body": "Pelican-teapot objection."}, headers=HTMX if htmx else {}
    )
    html = partial(response) if htmx else response.content.decode()
    assert response.status_code == 200
    assert "First restate their view in your own words." in html
    assert re.search(r"<textarea[^>]*name=\"body\"[^>]*>\s*Pelican-teapot objection.</textarea>", html)
    assert not Response.objects.filter(parent=peer_answer).exists()


def test_reply_with_too_short_a_restatement_keeps_both_texts_and_says_why(student, peer_answer):
    html = partial(
        client_for(student).post(
            reply_url(peer_answer),
            {"steelman": "You like envoys.", "body": "Pelican-teapot objection."},
            headers=HTMX,
        )
    )
    assert "at least 8 words" in html
    assert "You like envoys." in html and "Pelican-teapot objection." in html
    assert not Response.objects.filter(parent=peer_answer).exists()


def test_htmx_reply_with_a_restatement_shows_it_above_the_reply(student, peer_answer):
    html = partial(
        client_for(student).post(
            reply_url(peer_answer), {"steelman": RESTATED, "body": "Yet I disagree."}, headers=HTMX
        )
    )
    reply = Response.objects.get(parent=peer_answer)
    shown = card(html, reply)
    assert reply.steelman == RESTATED
    assert "Their view, restated" in shown
    assert shown.index(RESTATED) < shown.index("Yet I disagree.")
    assert "This is a fair restatement of my view" not in shown  # the replier cannot mark it


@pytest.fixture
def restatement(steelman_thread, student, peer_answer):
    return post_response(
        assignment=steelman_thread,
        author=student,
        body="Yet I disagree.",
        parent=peer_answer,
        steelman=RESTATED,
    )


def test_fair_button_is_shown_only_to_the_author_of_the_view_restated(
    people, peer, other_peer, restatement, steelman_thread
):
    button = f'action="{fair_url(restatement)}"'
    viewers = {
        "restated author": peer,
        "replier": people["member"],
        "classmate": other_peer,
        "owner": people["owner"],
    }
    for name, viewer in viewers.items():
        shown = card(page(viewer, steelman_thread), restatement)
        assert (button in shown) is (name == "restated author"), name
        assert RESTATED in shown


def test_restated_author_marks_it_fair_with_htmx_and_takes_it_back(peer, restatement):
    client = client_for(peer)
    response = client.post(fair_url(restatement), {"fair": "1"}, headers=HTMX)
    html = partial(response)
    assert html.lstrip().startswith(f'<article id="response-{restatement.pk}"')
    assert "Marked fair by its author" in html
    assert "Take back “fair”" in html
    assert "Marked as a fair restatement." in html
    assert "HX-Request" in response["Vary"]
    restatement.refresh_from_db()
    assert restatement.steelman_fair_at is not None
    html = partial(client.post(fair_url(restatement), {"fair": "0"}, headers=HTMX))
    assert "Marked fair by its author" not in html
    assert "No longer marked as fair." in html
    restatement.refresh_from_db()
    assert restatement.steelman_fair_at is None


def test_restated_author_marks_it_fair_with_a_plain_post_and_everyone_sees_it(
    peer, student, other_peer, restatement, steelman_thread
):
    response = client_for(peer).post(fair_url(restatement), {"fair": "1"})
    assert response.status_code == 302
    assert response["Location"] == restatement.get_absolute_url()
    for viewer in (student, other_peer, peer):
        assert "Marked fair by its author" in card(page(viewer, steelman_thread), restatement)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("anonymous", "login"),
        ("outsider", "404"),
        ("member", "refused"),  # the replier
        ("other_instructor", "404"),
        ("owner", "refused"),
    ],
)
def test_marking_fair_by_anyone_but_the_restated_author_changes_nothing(
    people, restatement, role, outcome, htmx
):
    response = client_for(people[role]).post(
        fair_url(restatement), {"fair": "1"}, headers=HTMX if htmx else {}
    )
    if outcome == "login":
        assert_login(response, htmx)
    elif outcome == "404":
        assert response.status_code == 404
    elif htmx:
        assert "Only the author of the view it restates can call a restatement fair." in partial(response)
    else:
        assert response.status_code == 302
    restatement.refresh_from_db()
    assert restatement.steelman_fair_at is None


# ---- the first version, for the instructor only -----------------------------------------------

FIRST_VERSION = "Zanzibar-lantern first wording, before reading anyone."


@pytest.fixture
def edited_after_reveal(thread, student, peer):
    set_rules(thread, post_first=True)
    make_response(thread, peer, body=PEER_SECRET)
    mine = make_response(thread, student, body=FIRST_VERSION)
    response = client_for(student).post(edit_url(mine), {"body": "Second wording, after reading them."})
    assert response.status_code == 302
    return mine


def test_instructor_sees_the_first_version_of_an_answer_edited_after_the_reveal(
    instructor, edited_after_reveal, thread
):
    shown = card(page(instructor, thread), edited_after_reveal)
    details = re.search(r'<details class="original-body">.*?</details>', shown, re.DOTALL)
    assert details and "First version, before answers were revealed" in details.group(0)
    assert FIRST_VERSION in details.group(0)
    assert "Edited after answers were revealed" in shown


def test_students_see_the_edit_mark_but_never_the_first_version(student, peer, edited_after_reveal, thread):
    for viewer in (student, peer):
        html = page(viewer, thread)
        assert "Second wording, after reading them." in card(html, edited_after_reveal)
        assert "Edited after answers were revealed" in card(html, edited_after_reveal)
        assert "Zanzibar" not in html
        assert "First version" not in html


def test_students_never_get_the_first_version_in_a_fragment(student, peer, thread, edited_after_reveal):
    own = client_for(student)
    assert b"Zanzibar" not in own.get(detail_url(edited_after_reveal), headers=HTMX).content
    assert b"Zanzibar" not in own.get(edit_url(edited_after_reveal), headers=HTMX).content
    edited = own.post(edit_url(edited_after_reveal), {"body": "Third wording."}, headers=HTMX)
    assert b"Zanzibar" not in edited.content and b"Third wording." in edited.content
    since = Assignment.objects.get(pk=thread.pk).version - 1
    polled = client_for(peer).get(
        f"{reverse('classroom:thread_poll', args=[thread.pk])}?v={since}", headers=HTMX
    )
    assert b"Third wording." in polled.content
    assert b"Zanzibar" not in polled.content


def test_instructor_sees_the_first_version_after_a_delete_and_repost(instructor, student, peer, thread):
    set_rules(thread, post_first=True)
    make_response(thread, peer)
    first = make_response(thread, student, body=FIRST_VERSION)
    client = client_for(student)
    client.post(delete_url(first))
    client.post(create_url(thread), {"body": "A fresh answer after reading theirs."})
    again = Response.objects.get(author=student, deleted_at=None, parent=None)
    assert FIRST_VERSION in card(page(instructor, thread), again)
    assert "Zanzibar" not in page(student, thread)


# ---- the report ----------------------------------------------------------------------------


@pytest.fixture
def argued(thread, student, peer, other_peer, instructor):
    """A thread with every rule on, and an answer, stance, quote, dispute, fair restatement and late edit."""
    thread.brief.summary = "Envoys met on Thursday. Both sides named new ambassadors."
    thread.brief.save()
    set_rules(thread, stance=True, steelman=True, reveal_quorum=60, post_first=False)
    theirs = answer(thread, peer, body=PEER_SECRET, value=2)
    mine = answer(thread, student, body="Mine.", value=4, quote=("summary", 1), disputes="fact")
    set_stance(assignment=thread, student=student, value=2, moment="after")
    reply = post_response(assignment=thread, author=student, body="Hm.", parent=theirs, steelman=RESTATED)
    client_for(peer).post(fair_url(reply), {"fair": "1"})
    edit_response(response=mine, body="Mine, changed after the reveal.", by=student)
    return thread


def student_row(html: str, user) -> str:
    match = re.search(rf'<tr id="student-{user.pk}".*?</tr>', html, re.DOTALL)
    assert match, f"no row for {user.username}"
    return match.group(0)


def test_report_shows_each_students_argument(instructor, student, peer, other_peer, argued):
    response = client_for(instructor).get(report_url(argued))
    assert response.status_code == 200
    html = response.content.decode()
    row = student_row(html, student)
    assert "Agree → Disagree" in row
    assert "Disputes a fact in the summary" in row
    assert "Quotes summary sentence 2" in row
    assert "1 fair restatement" in row
    assert "Edited after reveal" in row
    assert "Disagree" in student_row(html, peer)
    assert "→" not in student_row(html, peer)
    assert "Edited after reveal" not in student_row(html, other_peer)


def test_report_shows_the_stance_chart_and_the_dispute_counts(instructor, argued):
    html = client_for(instructor).get(report_url(argued)).content.decode()
    assert '<figure class="stance-chart"' in html
    assert "Of 1 who placed themselves again" in html
    assert re.search(r"<strong>1</strong> build on the brief", html)
    assert re.search(r"<strong>1</strong> dispute a fact in the summary", html)
    assert re.search(r"<strong>0</strong> dispute the commentary", html)


@pytest.mark.parametrize(
    ("role", "status"), [("outsider", 404), ("member", 404), ("other_instructor", 404), ("owner", 200)]
)
def test_report_of_an_argued_thread_is_only_for_its_instructors(people, argued, role, status):
    response = client_for(people[role]).get(report_url(argued))
    assert response.status_code == status
    assert (b"Quotes summary" in response.content) is (status == 200)


def test_report_sends_an_anonymous_visitor_to_login(argued):
    assert_login(client_for(None).get(report_url(argued)), htmx=False)


# ---- query counts --------------------------------------------------------------------------


def fill_argued_thread(assignment, group, student, instructor, answers: int) -> int:
    """Like test_thread's fill_thread, with every rule on: each answer places a stance, quotes
    the brief and tags a dispute, some say where they stand after; replies restate their view."""
    User = get_user_model()
    authors = User.objects.bulk_create(
        User(username=f"arguer{n}", first_name=f"Arguer{n}", last_name="Student") for n in range(answers)
    )
    Membership.objects.bulk_create(Membership(group=group, student=author) for author in authors)
    sentences = assignment.brief.sentences()
    posted = []
    for n, author in enumerate(authors):
        part, index, _ = sentences[n % len(sentences)]
        posted.append(
            answer(
                assignment,
                author,
                body=f"Answer number {n}.",
                value=n % 5 + 1,
                quote=(part, index),
                disputes=["", "fact", "interpretation"][n % 3],
            )
        )
        if n % 2:
            set_stance(assignment=assignment, student=author, value=(n + 2) % 5 + 1, moment="after")
    mine = answer(assignment, student, body="The viewer's answer.", value=3)
    count = len(posted) + 1
    for n, theirs in enumerate(posted):
        replier = (student, instructor, authors[(n + 1) % len(authors)])[n % 3]
        reply = post_response(
            assignment=assignment, author=replier, body=f"Reply {n}.", parent=theirs, steelman=RESTATED
        )
        post_response(
            assignment=assignment,
            author=authors[n],
            body=f"Reply to reply {n}.",
            parent=reply,
            steelman=RESTATED,
        )
        count += 2
    make_response(assignment, instructor, parent=mine, body="Feedback in the thread.")
    return count + 1


@pytest.fixture
def argued_rules(thread):
    return set_rules(thread, stance=True, evidence=True, reveal_quorum=50, steelman=True, post_first=False)


@pytest.mark.parametrize(("answers", "responses"), [(1, 5), (66, 200)])
def test_argued_thread_page_queries_do_not_grow_for_student(
    student, instructor, argued_rules, group, answers, responses, django_assert_max_num_queries
):
    assert fill_argued_thread(argued_rules, group, student, instructor, answers) == responses
    client = client_for(student)
    # One more than a plain thread: the class's stances (read once per thread version).
    with django_assert_max_num_queries(STUDENT_THREAD_PAGE_MAX_QUERIES + 1):
        response = client.get(thread_url(argued_rules), {"all": "1"})
    html = response.content.decode()
    assert html.count('<article id="response-') == responses
    assert "badge-stance" in html and "Their view, restated" in html and "Quoted by" in html
    assert '<figure class="stance-chart"' in html
    # One more than a plain thread: the class's stances (read once per thread version).
    with django_assert_max_num_queries(STUDENT_THREAD_PAGE_MAX_QUERIES + 1):  # the first, windowed screen
        assert client.get(thread_url(argued_rules)).status_code == 200


@pytest.mark.parametrize(("answers", "responses"), [(1, 5), (66, 200)])
def test_argued_thread_page_queries_do_not_grow_for_instructor(
    student, instructor, argued_rules, group, answers, responses, django_assert_max_num_queries
):
    assert fill_argued_thread(argued_rules, group, student, instructor, answers) == responses
    client = client_for(instructor)
    with django_assert_max_num_queries(INSTRUCTOR_THREAD_PAGE_MAX_QUERIES):
        response = client.get(thread_url(argued_rules), {"all": "1"})
    html = response.content.decode()
    assert html.count('<article id="response-') == responses
    assert '<figure class="stance-chart"' in html


def test_waiting_student_page_queries_stay_within_the_limit(
    student, peer, other_peer, thread, django_assert_max_num_queries
):
    set_rules(thread, stance=True, reveal_quorum=100, post_first=False)
    answer(thread, peer, body=PEER_SECRET)
    answer(thread, student)
    client = client_for(student)
    # One more than a plain thread: the class's stances (read once per thread version).
    with django_assert_max_num_queries(STUDENT_THREAD_PAGE_MAX_QUERIES + 1):
        html = client.get(thread_url(thread)).content.decode()
    assert "2 of 3 so far." in html


# ---- changing the evidence of an answer ---------------------------------------------------


def test_edit_form_shows_the_answers_quote_and_dispute_chosen(quotable, student):
    mine = answer(quotable, student, body="Mine.", quote=("summary", 1), disputes="fact")
    form = client_for(student).get(edit_url(mine), headers=HTMX).content.decode()
    assert re.search(r'<option value="summary:1" selected>', form)
    assert re.search(r'value="fact"[^>]*checked', form)


def test_student_moves_their_quote_and_dispute_by_editing(quotable, student):
    mine = answer(quotable, student, body="Mine.", quote=("summary", 1), disputes="fact")
    response = client_for(student).post(
        edit_url(mine), {"body": "Mine.", "quote": "commentary:1", "disputes": "interpretation"}, headers=HTMX
    )
    mine.refresh_from_db()
    assert (mine.quote_part, mine.quote_index, mine.disputes) == ("commentary", 1, "interpretation")
    assert mine.quote_text == "Neither side gave up anything that matters."
    shown = card(partial(response), mine)
    assert 'href="#brief-commentary-1"' in shown and "Disputes the commentary" in shown


def test_student_drops_their_quote_by_editing(quotable, student):
    mine = answer(quotable, student, body="Mine.", quote=("summary", 1))
    client_for(student).post(edit_url(mine), {"body": "Mine.", "quote": "", "disputes": ""})
    mine.refresh_from_db()
    assert (mine.quote_part, mine.quote_index, mine.quote_text) == ("", None, "")


def test_edit_with_a_sentence_not_in_the_brief_keeps_the_text_and_changes_nothing(quotable, student):
    mine = answer(quotable, student, body="Mine.", quote=("summary", 1))
    response = client_for(student).post(
        edit_url(mine), {"body": "Mine, rewritten.", "quote": "summary:9", "disputes": ""}, headers=HTMX
    )
    html = partial(response)
    assert "Mine, rewritten." in html and "not in the brief" in html
    mine.refresh_from_db()
    assert (mine.body, mine.quote_index) == ("Mine.", 1)
