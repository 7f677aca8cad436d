"""Assigning briefs to groups, editing dates and rules, locking threads, and opening times."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classroom.models import Assignment, Response
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory

ASSIGN_URL = reverse("classroom:assignment_create")
HOME_URL = reverse("classroom:home")
STUDENTS = ["student", "outsider"]
NOT_OWNERS = ["student", "outsider", "other_instructor"]
FORMAT = "%Y-%m-%dT%H:%M"


def minute(delta: timedelta):
    """Local time a delta from now, to the minute, as the datetime-local input sends it."""
    return (timezone.localtime() + delta).replace(second=0, microsecond=0)


def rules_data(**changes):
    data = {
        "opens_at": minute(timedelta(hours=-1)).strftime(FORMAT),
        "due_at": minute(timedelta(days=3)).strftime(FORMAT),
        "post_first": "on",
        "anonymous_to_peers": "on",
        "min_words": "40",
        "replies_required": "2",
        "allow_late": "on",
        "points": "20",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def assign_data(brief, groups, **changes):
    return {"brief": brief.pk, "groups": [group.pk for group in groups], **rules_data(**changes)}


def edit_url(assignment):
    return reverse("classroom:assignment_edit", args=[assignment.pk])


def lock_url(assignment):
    return reverse("classroom:thread_lock", args=[assignment.pk])


def create_url(assignment):
    return reverse("classroom:response_create", args=[assignment.pk])


def group_checkbox(html, group) -> str:
    """The group's checkbox tag on the assign form, or "" when it is not offered."""
    match = re.search(rf'<input type="checkbox" name="groups" value="{group.pk}"[^>]*>', html)
    return match.group(0) if match else ""


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


# ---- who may assign ---------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_every_assignment_url(client, thread, brief, group):
    requests = [
        ("get", ASSIGN_URL, None),
        ("post", ASSIGN_URL, assign_data(brief, [group])),
        ("get", edit_url(thread), None),
        ("post", edit_url(thread), rules_data()),
        ("post", lock_url(thread), None),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    thread.refresh_from_db()
    assert thread.locked_at is None
    assert Assignment.objects.count() == 1


@pytest.mark.parametrize("role", STUDENTS)
def test_students_get_404_for_assign_page_and_create_nothing(client, request, role, group):
    client.force_login(request.getfixturevalue(role))
    other_brief = BriefFactory()
    assert client.get(ASSIGN_URL).status_code == 404
    assert client.post(ASSIGN_URL, assign_data(other_brief, [group])).status_code == 404
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", NOT_OWNERS)
def test_students_and_other_instructors_get_404_for_settings_and_lock(client, request, role, thread):
    client.force_login(request.getfixturevalue(role))
    assert client.get(edit_url(thread)).status_code == 404
    assert client.post(edit_url(thread), rules_data(points="99")).status_code == 404
    assert client.post(lock_url(thread)).status_code == 404
    thread.refresh_from_db()
    assert thread.points == 10
    assert thread.locked_at is None


def test_lock_only_takes_posts(instructor_client, thread):
    assert instructor_client.get(lock_url(thread)).status_code == 405


# ---- the assign form --------------------------------------------------------


def test_assign_page_offers_only_the_instructors_active_groups(
    instructor_client, instructor, group, other_instructor
):
    GroupFactory(name="Someone else's class", instructors=[other_instructor])
    archived = GroupFactory(name="Last year's class", instructors=[instructor])
    archived.set_archived(True)
    response = instructor_client.get(ASSIGN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert group_checkbox(html, group)
    assert "Someone else" not in html
    assert "Last year" not in html


def test_instructor_without_groups_is_told_to_create_one(client, other_instructor):
    client.force_login(other_instructor)
    html = client.get(ASSIGN_URL).content.decode()
    assert "You have no active group yet." in html
    assert reverse("classroom:group_create") in html


def test_brief_and_group_in_query_string_are_preselected(instructor_client, instructor, group, brief):
    other = GroupFactory(name="Period 4", instructors=[instructor])
    html = instructor_client.get(ASSIGN_URL, {"brief": brief.slug, "group": group.pk}).content.decode()
    assert f'id="brief-{brief.pk}" value="{brief.pk}" checked' in html
    assert "checked" in group_checkbox(html, group)
    assert group_checkbox(html, other)
    assert "checked" not in group_checkbox(html, other)


def test_query_string_cannot_preselect_another_instructors_group(client, group, other_instructor):
    mine = GroupFactory(name="Omar's class", instructors=[other_instructor])
    client.force_login(other_instructor)
    html = client.get(ASSIGN_URL, {"group": group.pk}).content.decode()
    assert "Period 3" not in html
    assert not group_checkbox(html, group)
    assert group_checkbox(html, mine)
    assert "checked" not in group_checkbox(html, mine)


def test_instructor_assigns_a_brief_with_dates_and_rules_and_lands_on_the_thread(
    instructor_client, instructor, group, brief
):
    data = assign_data(brief, [group])
    response = instructor_client.post(ASSIGN_URL, data)
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == assignment.get_absolute_url()
    assert assignment.brief == brief
    assert assignment.group == group
    assert assignment.created_by == instructor
    assert assignment.opens_at == minute(timedelta(hours=-1))
    assert assignment.due_at == minute(timedelta(days=3))
    assert assignment.post_first is True
    assert assignment.anonymous_to_peers is True
    assert assignment.allow_late is True
    assert (assignment.min_words, assignment.replies_required, assignment.points) == (40, 2, 20)


def test_unticked_rules_are_off(instructor_client, group, brief):
    instructor_client.post(
        ASSIGN_URL, assign_data(brief, [group], post_first=None, anonymous_to_peers=None, allow_late=None)
    )
    assignment = Assignment.objects.get()
    assert not assignment.post_first
    assert not assignment.anonymous_to_peers
    assert not assignment.allow_late


def test_no_due_date_is_allowed(instructor_client, group, brief):
    instructor_client.post(ASSIGN_URL, assign_data(brief, [group], due_at=""))
    assert Assignment.objects.get().due_at is None


def test_instructor_assigns_one_brief_to_several_groups_at_once(instructor_client, instructor, group, brief):
    period_4 = GroupFactory(name="Period 4", instructors=[instructor])
    response = instructor_client.post(ASSIGN_URL, assign_data(brief, [group, period_4]), follow=True)
    assert response.redirect_chain == [(HOME_URL, 302)]
    assert "Assigned to Period 3, Period 4." in response.content.decode()
    assert set(Assignment.objects.filter(brief=brief).values_list("group__name", flat=True)) == {
        "Period 3",
        "Period 4",
    }


def test_due_before_opens_is_an_inline_error_that_keeps_the_input(instructor_client, group, brief):
    opens = minute(timedelta(days=2)).strftime(FORMAT)
    due = minute(timedelta(days=1)).strftime(FORMAT)
    response = instructor_client.post(ASSIGN_URL, assign_data(brief, [group], opens_at=opens, due_at=due))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The due time must be after the opening time." in html
    assert f'value="{opens}"' in html
    assert f'value="{due}"' in html
    assert 'value="40"' in html
    assert f'id="brief-{brief.pk}" value="{brief.pk}" checked' in html
    assert not Assignment.objects.exists()


def test_missing_group_is_an_inline_error(instructor_client, group, brief):
    response = instructor_client.post(ASSIGN_URL, assign_data(brief, []))
    assert response.status_code == 200
    assert "Pick at least one group." in response.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_the_same_brief_twice_to_a_group_is_refused_with_a_message(
    instructor_client, instructor, thread, group, brief
):
    period_4 = GroupFactory(name="Period 4", instructors=[instructor])
    response = instructor_client.post(ASSIGN_URL, assign_data(brief, [group, period_4]))
    assert response.status_code == 200
    assert "This brief is already assigned to Period 3." in response.content.decode()
    assert list(Assignment.objects.all()) == [thread]


def test_another_instructors_group_cannot_be_chosen(client, instructor, other_instructor, group, brief):
    mine = GroupFactory(name="Omar's class", instructors=[other_instructor])
    client.force_login(other_instructor)
    response = client.post(ASSIGN_URL, assign_data(brief, [mine, group]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Assignment.objects.exists()


def test_archived_group_cannot_be_chosen(instructor_client, group, brief):
    group.set_archived(True)
    response = instructor_client.post(ASSIGN_URL, assign_data(brief, [group]))
    assert response.status_code == 200
    assert not Assignment.objects.exists()


def test_co_instructor_can_assign_to_the_group(client, group, other_instructor, brief):
    group.instructors.add(other_instructor)
    client.force_login(other_instructor)
    assert client.post(ASSIGN_URL, assign_data(brief, [group])).status_code == 302
    assert Assignment.objects.get().group == group


# ---- dates and rules --------------------------------------------------------


def test_owner_sees_the_settings_form_with_current_values(instructor_client, thread):
    thread.min_words = 75
    thread.save()
    response = instructor_client.get(edit_url(thread))
    assert response.status_code == 200
    html = response.content.decode()
    assert thread.brief.title in html
    assert 'value="75"' in html
    assert timezone.localtime(thread.due_at).strftime(FORMAT) in html


def test_owner_changes_dates_and_rules(instructor_client, thread):
    version = thread.version
    data = rules_data(due_at=minute(timedelta(days=10)).strftime(FORMAT), post_first=None, points="5")
    response = instructor_client.post(edit_url(thread), data)
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    thread.refresh_from_db()
    assert thread.due_at == minute(timedelta(days=10))
    assert thread.post_first is False
    assert thread.allow_late is True
    assert (thread.min_words, thread.replies_required, thread.points) == (40, 2, 5)
    assert thread.version > version


def test_settings_due_before_opens_is_an_inline_error_that_keeps_the_input(instructor_client, thread):
    due = thread.due_at
    bad_due = minute(timedelta(days=-2)).strftime(FORMAT)
    response = instructor_client.post(edit_url(thread), rules_data(due_at=bad_due, min_words="33"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The due time must be after the opening time." in html
    assert f'value="{bad_due}"' in html
    assert 'value="33"' in html
    thread.refresh_from_db()
    assert thread.due_at == due
    assert thread.min_words == 0


def test_co_instructor_can_change_dates_and_rules(group, other_instructor, thread):
    group.instructors.add(other_instructor)
    co_teacher = as_user(other_instructor)
    assert co_teacher.get(edit_url(thread)).status_code == 200
    assert co_teacher.post(edit_url(thread), rules_data(points="7")).status_code == 302
    thread.refresh_from_db()
    assert thread.points == 7


# ---- locking ----------------------------------------------------------------


def test_locking_stops_student_posts_and_reopening_lets_them_post(instructor_client, student, thread):
    response = instructor_client.post(lock_url(thread), follow=True)
    assert response.redirect_chain == [(thread.get_absolute_url(), 302)]
    assert "Thread locked" in response.content.decode()
    thread.refresh_from_db()
    assert thread.locked_at is not None

    member = as_user(student)
    refused = member.post(create_url(thread), {"body": "Can I still post?"})
    assert refused.status_code == 200
    assert "Your instructor has locked this thread." in refused.content.decode()
    assert not Response.objects.filter(assignment=thread).exists()

    response = instructor_client.post(lock_url(thread), follow=True)
    assert "Thread reopened." in response.content.decode()
    thread.refresh_from_db()
    assert thread.locked_at is None
    assert member.post(create_url(thread), {"body": "Now I can post."}).status_code == 302
    assert Response.objects.filter(assignment=thread, author=student).exists()


def test_co_instructor_can_lock_the_thread(group, other_instructor, thread):
    group.instructors.add(other_instructor)
    assert as_user(other_instructor).post(lock_url(thread)).status_code == 302
    thread.refresh_from_db()
    assert thread.locked_at is not None


# ---- opening time -----------------------------------------------------------


def test_student_gets_404_for_a_thread_before_it_opens(student_client, group):
    later = AssignmentFactory(group=group, opens_at=timezone.now() + timedelta(hours=2))
    assert student_client.get(later.get_absolute_url()).status_code == 404
    assert student_client.post(create_url(later), {"body": "Early bird."}).status_code == 404
    assert not Response.objects.exists()


def test_instructor_sees_a_thread_before_it_opens(instructor_client, group):
    later = AssignmentFactory(group=group, opens_at=timezone.now() + timedelta(hours=2))
    assert instructor_client.get(later.get_absolute_url()).status_code == 200


def test_student_sees_a_thread_once_its_opening_time_is_moved_to_the_past(instructor_client, student, group):
    later = AssignmentFactory(group=group, opens_at=timezone.now() + timedelta(days=1))
    member = as_user(student)
    assert member.get(later.get_absolute_url()).status_code == 404
    instructor_client.post(edit_url(later), rules_data())
    assert member.get(later.get_absolute_url()).status_code == 200


def test_instructor_finds_a_brief_by_searching_the_picker(instructor_client, group):
    BriefFactory(title="Grain corridor reopens", summary="Ships carry grain again.")
    BriefFactory(title="Embassy staff return", summary="Diplomats go back to work.")
    html = instructor_client.get(
        reverse("classroom:assignment_create"), {"q": "grain", "group": group.pk}
    ).content.decode()
    assert "Grain corridor reopens" in html
    assert "Embassy staff return" not in html
    assert "1 brief match" in html


def test_brief_search_with_htmx_returns_the_whole_page_for_hx_select(instructor_client, group):
    BriefFactory(title="Grain corridor reopens")
    response = instructor_client.get(
        reverse("classroom:assignment_create"), {"q": "grain"}, headers={"HX-Request": "true"}
    )
    assert 'id="brief-choices"' in response.content.decode()


# ---- the join link where the teacher is after assigning --------------------------------


def join_link_field(group) -> str:
    link = f"http://testserver{reverse('classroom:join_group', args=[group.join_code])}"
    return f'id="join-link-{group.pk}" type="text" readonly value="{link}"'


def test_the_thread_reached_after_assigning_shows_the_join_link_and_code_to_copy(
    instructor_client, group, brief
):
    response = instructor_client.post(ASSIGN_URL, assign_data(brief, [group]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(Assignment.objects.get().get_absolute_url(), 302)]
    assert group.join_code_display in html
    assert join_link_field(group) in html
    assert f'data-copy="join-link-{group.pk}"' in html
    assert f'aria-live="polite" data-copy-status-for="join-link-{group.pk}"' in html


def test_home_reached_after_assigning_to_several_groups_shows_each_join_link(
    instructor_client, instructor, group, brief
):
    period_4 = GroupFactory(name="Period 4", instructors=[instructor])
    html = instructor_client.post(
        ASSIGN_URL, assign_data(brief, [group, period_4]), follow=True
    ).content.decode()
    for each in (group, period_4):
        assert join_link_field(each) in html
        assert f"Join link for {each.name}" in html


def test_students_see_no_join_link_in_the_thread(student_client, group, thread):
    html = student_client.get(thread.get_absolute_url()).content.decode()
    assert "join-link" not in html
    assert group.join_code not in html


def test_an_archived_groups_thread_shows_no_join_link(instructor_client, group, thread):
    group.set_archived(True)
    html = instructor_client.get(thread.get_absolute_url()).content.decode()
    assert "join-link" not in html
