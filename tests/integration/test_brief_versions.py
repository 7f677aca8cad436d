"""Briefs have owners, and threads keep the brief version they were assigned with.

Editing a brief in use saves a new version: the thread's students go on reading the text
they answered, and their quotes keep pointing at the sentences they quoted. Its teacher may
move the thread to the newest version after seeing which quotes would no longer match."""

import re

import pytest
from django.urls import reverse

from briefs.models import Brief
from classroom.models import ModerationEvent, Response
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory, InstructorFactory
from tests.helpers import client_for, thread_url

pytestmark = pytest.mark.django_db

SUMMARY = "Ministers met in Riyadh on Tuesday. They agreed to restore embassy staff. Talks resume in May."
NEW_SUMMARY = "Ministers met in Riyadh on Tuesday. Both sides named new ambassadors. Talks resume in May."


@pytest.fixture
def brief(instructor):
    return BriefFactory(
        created_by=instructor,
        summary=SUMMARY,
        commentary="Staffing is the easy part.",
        question="What would make the agreement last?",
    )


def answer(
    thread, author, quote: tuple[str, int], body: str = "The embassies matter less than the talks do."
) -> Response:
    from classroom.actions import post_response

    return post_response(assignment=thread, author=author, body=body, quote=quote, disputes="interpretation")


def edit_summary(client, brief: Brief, summary: str):
    data = {
        "title": brief.title,
        "summary": summary,
        "commentary": brief.commentary,
        "question": brief.question,
        "source_url": "",
        "tags_text": "",
    }
    return client.post(reverse("briefs:brief_edit", args=[brief.slug]), data)


def sentence(html: str, part: str, index: int) -> str:
    match = re.search(rf'id="brief-{part}-{index}"[^>]*>([^<]*)<', html)
    assert match, f"no sentence {part} {index} on the page"
    return match.group(1)


def quote_links(html: str) -> list[tuple[str, str]]:
    """Each answer's quote as the card shows it: (its link target or "", its words)."""
    found = re.findall(
        r'<blockquote class="response-quote"><span class="label">([^<]*)</span>\s*(?:<a href="#([^"]*)">)?([^<]*)',
        html,
    )
    return [(target, words.strip()) for _label, target, words in found]


def test_an_edited_brief_in_use_leaves_its_thread_on_the_version_it_was_assigned_with(
    thread, student, instructor, brief
):
    answer(thread, student, ("summary", 1))
    response = edit_summary(client_for(instructor), brief, NEW_SUMMARY)
    assert response.status_code == 302

    page = client_for(student).get(thread_url(thread)).content.decode()
    assert sentence(page, "summary", 1) == "They agreed to restore embassy staff."
    assert "Both sides named new ambassadors." not in page
    assert quote_links(page) == [("brief-summary-1", "They agreed to restore embassy staff.")]

    library = client_for(instructor).get(brief.get_absolute_url()).content.decode()
    assert "Both sides named new ambassadors." in library
    assert "They agreed to restore embassy staff." not in library
    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>.*?<td>(\d+)</td>\s*</tr>", library, re.DOTALL)
    assert [(re.sub(r"<[^>]+>", "", v).strip(), n) for v, n in rows] == [("1", "1"), ("2 (current)", "0")]

    old = client_for(instructor).get(reverse("briefs:brief_version", args=[brief.slug, 1])).content.decode()
    assert "They agreed to restore embassy staff." in old
    assert "This is version 1" in old


def test_the_teacher_sees_which_quotes_would_no_longer_match_before_moving(
    thread, student, peer, instructor, brief
):
    answer(thread, student, ("summary", 1))
    answer(thread, peer, ("summary", 2), body="May is too late for the people waiting for visas.")
    edit_summary(client_for(instructor), brief, NEW_SUMMARY)
    client = client_for(instructor)

    settings_page = client.get(reverse("classroom:assignment_edit", args=[thread.pk])).content.decode()
    assert "This thread shows version 1 of the brief. Version 2 was saved" in settings_page
    review = client.get(reverse("classroom:assignment_brief_version", args=[thread.pk])).content.decode()
    assert "1 quote will point at its sentence in the new version." in review
    assert "Quotes that would no longer match (1)" in review
    assert "<q>They agreed to restore embassy staff.</q>" in review
    assert "May is too late" not in review  # answers are not shown, only the quoted words
    thread.refresh_from_db()
    assert thread.brief == brief  # looking changes nothing


def test_moving_keeps_found_quotes_on_their_sentence_and_keeps_the_words_of_lost_ones(
    thread, student, peer, instructor, brief
):
    lost = answer(thread, student, ("summary", 1))
    kept = answer(thread, peer, ("summary", 2), body="May is too late for the people waiting for visas.")
    # The kept sentence moves one place down in the new text.
    edit_summary(
        client_for(instructor),
        brief,
        "Ministers met in Riyadh on Tuesday. A new sentence. Visas wait. Talks resume in May.",
    )
    response = client_for(instructor).post(reverse("classroom:assignment_brief_version", args=[thread.pk]))
    assert response.status_code == 302

    thread.refresh_from_db()
    assert thread.brief.version == 2
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert (kept.quote_part, kept.quote_index, kept.quote_text) == ("summary", 3, "Talks resume in May.")
    assert (lost.quote_part, lost.quote_index, lost.quote_text) == (
        "",
        None,
        "They agreed to restore embassy staff.",
    )

    page = client_for(student).get(thread_url(thread)).content.decode()
    assert sentence(page, "summary", 3) == "Talks resume in May."
    assert "They agreed to restore embassy staff.</span>" not in page  # not a sentence of the brief any more
    assert sorted(quote_links(page)) == [
        ("", "They agreed to restore embassy staff."),
        ("brief-summary-3", "Talks resume in May."),
    ]
    assert "From an earlier version of the brief" in page
    heat = re.findall(r'id="brief-summary-(\d)" class="sentence is-quoted"', page)
    assert heat == ["3"]
    event = ModerationEvent.objects.get(action=ModerationEvent.Action.BRIEF_VERSION)
    assert (event.actor, event.reason) == (instructor, "version 1 to version 2")
    log = client_for(instructor).get(reverse("classroom:moderation_log", args=[thread.pk])).content.decode()
    assert "moved the thread to a newer version of its brief" in log


def test_a_thread_on_the_newest_version_has_nothing_to_move(thread, instructor):
    client = client_for(instructor)
    url = reverse("classroom:assignment_brief_version", args=[thread.pk])
    assert "This thread already shows the newest version" in client.get(url).content.decode()
    version = thread.version
    response = client.post(url, follow=True)
    assert "This thread already shows the newest version of its brief." in response.content.decode()
    thread.refresh_from_db()
    assert thread.version == version
    assert not ModerationEvent.objects.exists()


def test_another_teacher_moving_their_own_thread_leaves_this_one_alone(
    thread, instructor, other_instructor, brief
):
    theirs = AssignmentFactory(brief=brief, group=GroupFactory(instructors=[other_instructor]))
    edit_summary(client_for(instructor), brief, NEW_SUMMARY)
    client_for(other_instructor).post(reverse("classroom:assignment_brief_version", args=[theirs.pk]))
    theirs.refresh_from_db()
    thread.refresh_from_db()
    assert (theirs.brief.version, thread.brief.version) == (2, 1)


def test_an_edit_started_on_an_old_version_is_refused_and_saves_nothing(client, instructor, brief):
    client.force_login(instructor)
    edit_summary(client, brief, NEW_SUMMARY)  # first tab saves version 2
    stale = Brief.objects.get(pk=brief.pk)  # the second tab's form was made from version 1
    from briefs.actions import BriefRefused, save_brief

    stale.summary = "Another rewrite from a tab left open."
    with pytest.raises(BriefRefused, match="saved a newer version"):
        save_brief(brief=stale, by=instructor)
    assert Brief.objects.current().get(slug=brief.slug).summary == NEW_SUMMARY
    assert Brief.objects.count() == 2


def test_owners_add_a_co_owner_who_may_then_edit(client, instructor, other_instructor, brief):
    client.force_login(instructor)
    url = reverse("briefs:brief_owners", args=[brief.slug])
    response = client.post(url, {"username": "OtherTeacher"}, follow=True)
    assert "Omar Other now owns this brief with you." in response.content.decode()
    assert set(brief.owners.all()) == {instructor, other_instructor}
    assert edit_summary(client_for(other_instructor), brief, NEW_SUMMARY).status_code == 302


@pytest.mark.parametrize("username", ["sam", "nobody", ""])
def test_only_an_instructor_can_be_made_an_owner(client, instructor, student, brief, username):
    client.force_login(instructor)
    response = client.post(
        reverse("briefs:brief_owners", args=[brief.slug]), {"username": username}, follow=True
    )
    page = response.content.decode()
    assert "No instructor has the username" in page or "This field is required." in page
    assert list(brief.owners.all()) == [instructor]


def test_the_last_owner_cannot_leave_a_brief_without_owners(client, instructor, brief):
    client.force_login(instructor)
    url = reverse("briefs:brief_owners", args=[brief.slug])
    response = client.post(url, {"username": "teacher", "remove": "1"}, follow=True)
    assert "A brief needs at least one owner." in response.content.decode()
    assert list(brief.owners.all()) == [instructor]


def test_an_owner_may_hand_a_brief_over_and_then_cannot_edit_it(client, instructor, other_instructor, brief):
    brief.owners.add(other_instructor)
    client.force_login(instructor)
    client.post(reverse("briefs:brief_owners", args=[brief.slug]), {"username": "teacher", "remove": "1"})
    assert list(brief.owners.all()) == [other_instructor]
    assert client.get(reverse("briefs:brief_edit", args=[brief.slug])).status_code == 404


def test_the_library_and_the_assign_page_offer_only_the_newest_version(client, instructor, group, brief):
    edit_summary(client_for(instructor), brief, NEW_SUMMARY)
    client.force_login(instructor)
    library = client.get(reverse("briefs:brief_list")).content.decode()
    assert library.count(f">{brief.title}</a></h2>") == 1  # one card
    assert library.count(f'?brief={brief.slug}"') == 1  # one Assign button
    assign = client.get(reverse("classroom:assignment_create")).content.decode()
    newest = Brief.objects.current().get(slug=brief.slug)
    assert f'id="brief-{newest.pk}"' in assign
    assert f'id="brief-{brief.pk}"' not in assign


def test_a_group_with_a_thread_on_an_old_version_cannot_be_assigned_the_brief_again(
    client, instructor, thread, brief
):
    from classroom.actions import ActionRefused, AssignmentRules, assign_brief

    edit_summary(client_for(instructor), brief, NEW_SUMMARY)
    newest = Brief.objects.current().get(slug=brief.slug)
    with pytest.raises(ActionRefused, match="already assigned to Period 3"):
        assign_brief(
            brief=newest,
            groups=[thread.group],
            rules=AssignmentRules(opens_at=thread.opens_at, due_at=None),
            by=instructor,
        )


def test_importing_the_text_of_an_earlier_version_adds_nothing(client, instructor, brief):
    from briefs.actions import import_briefs
    from briefs.importer import parse_briefs

    edit_summary(client_for(instructor), brief, NEW_SUMMARY)
    result = import_briefs(parsed=parse_briefs(f"{SUMMARY}\nWhat would make the agreement last?\n").briefs)
    assert (len(result.created), result.unchanged) == (0, 1)


def test_the_brief_page_with_its_history_costs_a_fixed_number_of_queries(
    client, instructor, brief, django_assert_max_num_queries
):
    for n in range(5):
        edit_summary(
            client_for(instructor), Brief.objects.current().get(slug=brief.slug), f"Version {n + 2} text."
        )
    client.force_login(instructor)
    with django_assert_max_num_queries(12):
        page = client.get(brief.get_absolute_url()).content.decode()
    assert "6 (current)" in page


def test_a_site_administrator_may_edit_any_brief(client, brief):
    admin = InstructorFactory(username="siteadmin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert edit_summary(client, brief, NEW_SUMMARY).status_code == 302
    assert Brief.objects.current().get(slug=brief.slug).created_by == admin


def edit_title(client, brief: Brief, title: str):
    data = {
        "title": title,
        "summary": brief.summary,
        "commentary": brief.commentary,
        "question": brief.question,
        "source_url": "",
        "tags_text": "",
    }
    return client.post(reverse("briefs:brief_edit", args=[brief.slug]), data)


def test_a_title_edit_renames_the_brief_in_place_and_its_threads_show_the_new_title(
    thread, student, instructor, brief
):
    answer(thread, student, ("summary", 1))
    version_before = thread.version
    response = edit_title(client_for(instructor), brief, "Embassies reopen in Riyadh")
    assert response.status_code == 302

    brief.refresh_from_db()
    assert brief.title == "Embassies reopen in Riyadh"
    assert brief.version == 1 and brief.superseded_at is None  # no new version for a title
    thread.refresh_from_db()
    assert thread.version > version_before  # open pages of the thread redraw with the new title
    page = client_for(student).get(thread_url(thread)).content.decode()
    assert '<h1 id="brief-title" lang="en" dir="ltr">Embassies reopen in Riyadh</h1>' in page
    assert quote_links(page) == [("brief-summary-1", "They agreed to restore embassy staff.")]


def test_a_title_edit_renames_earlier_versions_that_had_the_same_title_only(thread, instructor, brief):
    client = client_for(instructor)
    old_title = brief.title
    edit_summary(client, brief, NEW_SUMMARY)
    second = Brief.objects.current().get(slug=brief.slug)
    edit_title(client, second, "Ambassadors named")
    assert set(Brief.objects.filter(slug=brief.slug).values_list("version", "title")) == {
        (1, "Ambassadors named"),
        (2, "Ambassadors named"),
    }
    assert old_title != "Ambassadors named"


def test_a_title_edit_by_an_instructor_who_does_not_own_the_brief_is_a_404(brief, other_instructor):
    title = brief.title
    response = edit_title(client_for(other_instructor), brief, "Not mine")
    assert response.status_code == 404
    brief.refresh_from_db()
    assert brief.title == title
