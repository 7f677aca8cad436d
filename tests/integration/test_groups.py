"""Group pages for instructors: create, roster, join code, removing students, archiving."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classroom.actions import delete_response
from classroom.models import Group, Membership, Response
from tests.factories import AssignmentFactory, GroupFactory, InstructorFactory, UserFactory, make_response

CREATE_URL = reverse("classroom:group_create")
NOT_OWNERS = ["outsider", "student", "other_instructor"]


def detail_url(group):
    return reverse("classroom:group_detail", args=[group.pk])


def regenerate_url(group):
    return reverse("classroom:join_code_regenerate", args=[group.pk])


def archive_url(group):
    return reverse("classroom:group_archive", args=[group.pk])


def remove_url(group, student):
    return reverse("classroom:member_remove", args=[group.pk, student.pk])


def join_url(code):
    return reverse("classroom:join_group", args=[code])


def group_requests(group, student):
    """Every group URL with the method it answers to."""
    return [
        ("get", detail_url(group)),
        ("post", regenerate_url(group)),
        ("post", archive_url(group)),
        ("post", remove_url(group, student)),
    ]


# ---- creating a group -------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_new_group_page(client, db):
    for method in ("get", "post"):
        response = getattr(client, method)(CREATE_URL, {"name": "Period 1"} if method == "post" else None)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Group.objects.exists()


@pytest.mark.parametrize("role", ["student", "outsider"])
def test_student_gets_404_for_new_group_page_and_creates_nothing(client, request, role, group):
    client.force_login(request.getfixturevalue(role))
    assert client.get(CREATE_URL).status_code == 404
    assert client.post(CREATE_URL, {"name": "Sneaky group"}).status_code == 404
    assert not Group.objects.filter(name="Sneaky group").exists()


def test_instructor_sees_new_group_form(instructor_client):
    response = instructor_client.get(CREATE_URL)
    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()


def test_instructor_creates_group_and_lands_on_its_page(instructor_client, instructor):
    response = instructor_client.post(CREATE_URL, {"name": "  Period 5 · World Affairs "}, follow=True)
    group = Group.objects.get()
    assert group.name == "Period 5 · World Affairs"
    assert list(group.instructors.all()) == [instructor]
    assert response.redirect_chain == [(detail_url(group), 302)]
    html = response.content.decode()
    assert "Period 5 · World Affairs" in html
    assert group.join_code_display in html


def test_group_without_a_name_is_refused_inline(instructor_client):
    response = instructor_client.post(CREATE_URL, {"name": "   "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Group.objects.exists()


# ---- who may see and change a group -----------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_every_group_url(client, group, student):
    for method, url in group_requests(group, student):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("role", NOT_OWNERS)
def test_students_and_other_instructors_get_404_on_every_group_url(client, request, role, group, student):
    code = group.join_code
    client.force_login(request.getfixturevalue(role))
    for method, url in group_requests(group, student):
        assert getattr(client, method)(url).status_code == 404, url
    group.refresh_from_db()
    assert group.join_code == code
    assert group.archived_at is None
    assert Membership.objects.filter(group=group, student=student).exists()


def test_unknown_group_is_404_for_instructor(instructor_client, group):
    assert instructor_client.get(reverse("classroom:group_detail", args=[group.pk + 1000])).status_code == 404


def test_group_actions_only_take_posts(instructor_client, group, student):
    assert instructor_client.get(regenerate_url(group)).status_code == 405
    assert instructor_client.get(archive_url(group)).status_code == 405
    assert instructor_client.get(remove_url(group, student)).status_code == 405


# ---- the group page ---------------------------------------------------------


def test_instructor_sees_roster_with_names_and_usernames(instructor_client, group):
    GroupFactory(
        name="Elsewhere", students=[UserFactory(username="nina", first_name="Nina", last_name="Nowhere")]
    )
    Membership.objects.create(
        group=group, student=UserFactory(username="rita", first_name="Rita", last_name="Roster")
    )
    response = instructor_client.get(detail_url(group))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sam Student" in html
    assert "<code>sam</code>" in html
    assert "Rita Roster" in html
    assert "<code>rita</code>" in html
    assert "2 students" in html
    assert "Nina" not in html


def test_instructor_sees_join_code_as_two_blocks_of_four_and_a_join_link(instructor_client, group):
    group.join_code = "ABCDEFGH"
    group.save()
    html = instructor_client.get(detail_url(group)).content.decode()
    assert "ABCD-EFGH" in html
    assert 'value="http://testserver/join/ABCDEFGH/"' in html


def test_group_page_lists_its_assignments_with_participation(instructor_client, group, student, thread):
    make_response(thread, student)
    Membership.objects.create(group=group, student=UserFactory(username="quiet"))
    html = instructor_client.get(detail_url(group)).content.decode()
    assert thread.brief.title in html
    assert "1 of 2 answered" in html
    assert reverse("classroom:assignment_edit", args=[thread.pk]) in html


def test_roster_counts_each_students_live_answers_in_this_group_only(
    instructor_client, instructor, group, student, thread
):
    second_thread = AssignmentFactory(group=group)
    elsewhere = AssignmentFactory(group=GroupFactory(instructors=[instructor], students=[student]))
    make_response(elsewhere, student)
    answer = make_response(thread, student)
    make_response(thread, student, body="And a reply to myself.", parent=answer)
    delete_response(response=make_response(second_thread, student), by=student)
    html = instructor_client.get(detail_url(group)).content.decode()
    assert '<td data-label="Answers">1 of 2</td>' in html


def test_group_page_names_co_instructors(instructor_client, group, other_instructor):
    group.instructors.add(other_instructor)
    html = instructor_client.get(detail_url(group)).content.decode()
    assert "taught with <bdi>Omar Other</bdi>" in html


# ---- join code --------------------------------------------------------------


def test_new_join_code_stops_the_old_one_and_the_new_one_works(instructor_client, group, outsider):
    old_code = group.join_code
    response = instructor_client.post(regenerate_url(group), follow=True)
    group.refresh_from_db()
    assert group.join_code != old_code
    assert response.redirect_chain == [(detail_url(group), 302)]
    assert group.join_code_display in response.content.decode()

    newcomer = Client()
    newcomer.force_login(outsider)
    assert newcomer.get(join_url(old_code)).status_code == 404
    assert newcomer.post(join_url(old_code)).status_code == 404
    assert not Membership.objects.filter(group=group, student=outsider).exists()
    assert newcomer.post(join_url(group.join_code)).status_code == 302
    assert Membership.objects.filter(group=group, student=outsider).exists()


# ---- removing a student -----------------------------------------------------


def test_removed_student_loses_the_groups_threads_but_their_answer_stays(
    instructor_client, group, student, thread
):
    answer = make_response(thread, student, body="My answer stays after I leave.")
    response = instructor_client.post(remove_url(group, student), follow=True)
    assert response.redirect_chain == [(detail_url(group), 302)]
    assert "Sam Student was removed" in response.content.decode()
    assert not Membership.objects.filter(group=group, student=student).exists()
    assert Response.objects.filter(pk=answer.pk, deleted_at=None).exists()

    removed = Client()
    removed.force_login(student)
    assert removed.get(thread.get_absolute_url()).status_code == 404
    assert (
        removed.post(reverse("classroom:response_create", args=[thread.pk]), {"body": "again"}).status_code
        == 404
    )
    assert thread.brief.title not in removed.get(reverse("classroom:home")).content.decode()

    thread_html = instructor_client.get(thread.get_absolute_url()).content.decode()
    assert "My answer stays after I leave." in thread_html


def test_removed_student_no_longer_on_roster(instructor_client, group, student):
    instructor_client.post(remove_url(group, student))
    html = instructor_client.get(detail_url(group)).content.decode()
    assert "<code>sam</code>" not in html


def test_removing_someone_who_is_not_a_member_is_404(instructor_client, group, outsider):
    assert instructor_client.post(remove_url(group, outsider)).status_code == 404


def test_removing_a_student_from_one_group_keeps_them_in_another(
    instructor_client, instructor, group, student
):
    other_group = GroupFactory(instructors=[instructor], students=[student])
    instructor_client.post(remove_url(group, student))
    assert Membership.objects.filter(group=other_group, student=student).exists()


# ---- archiving --------------------------------------------------------------


def test_archiving_turns_off_the_join_code_and_stops_posts(
    instructor_client, group, student, outsider, thread
):
    response = instructor_client.post(archive_url(group), follow=True)
    group.refresh_from_db()
    assert group.archived_at is not None
    assert response.redirect_chain == [(detail_url(group), 302)]
    html = response.content.decode()
    assert "Archived" in html
    assert group.join_code_display not in html

    newcomer = Client()
    newcomer.force_login(outsider)
    assert newcomer.post(join_url(group.join_code)).status_code == 404
    assert not Membership.objects.filter(group=group, student=outsider).exists()

    member = Client()
    member.force_login(student)
    posted = member.post(
        reverse("classroom:response_create", args=[thread.pk]), {"body": "Late to the party."}
    )
    assert posted.status_code == 200
    assert "archived" in posted.content.decode()
    assert not Response.objects.filter(assignment=thread).exists()


def test_archiving_again_makes_the_group_active_and_its_code_work(instructor_client, group, outsider):
    instructor_client.post(archive_url(group))
    instructor_client.post(archive_url(group))
    group.refresh_from_db()
    assert group.archived_at is None
    newcomer = Client()
    newcomer.force_login(outsider)
    newcomer.post(join_url(group.join_code))
    assert Membership.objects.filter(group=group, student=outsider).exists()


# ---- co-instructors ---------------------------------------------------------


def test_co_instructor_has_full_access_to_the_group(client, group, student, other_instructor):
    group.instructors.add(other_instructor)
    client.force_login(other_instructor)
    html = client.get(detail_url(group)).content.decode()
    assert "<code>sam</code>" in html
    assert "taught with <bdi>Tess Teacher</bdi>" in html

    old_code = group.join_code
    assert client.post(regenerate_url(group)).status_code == 302
    group.refresh_from_db()
    assert group.join_code != old_code

    assert client.post(archive_url(group)).status_code == 302
    group.refresh_from_db()
    assert group.archived_at is not None

    assert client.post(remove_url(group, student)).status_code == 302
    assert not Membership.objects.filter(group=group, student=student).exists()


def test_co_instructor_sees_the_groups_threads(client, group, other_instructor, thread):
    group.instructors.add(other_instructor)
    client.force_login(other_instructor)
    assert client.get(thread.get_absolute_url()).status_code == 200


# ---- query counts -----------------------------------------------------------


def build_group(instructor, students: int, assignments: int = 4):
    members = [UserFactory() for _ in range(students)]
    group = GroupFactory(instructors=[instructor, InstructorFactory()], students=members)
    for _ in range(assignments):
        assignment = AssignmentFactory(group=group)
        for member in members[:3]:
            answer = make_response(assignment, member)
            make_response(assignment, instructor, body="Good point.", parent=answer)
    return group


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_group_page_query_count_does_not_grow_with_students(
    instructor_client, instructor, django_assert_max_num_queries
):
    small = build_group(instructor, students=5)
    large = build_group(instructor, students=40)
    assert count_queries(instructor_client, detail_url(small)) == count_queries(
        instructor_client, detail_url(large)
    )
    # session, user, group, members, assignments, teachers, invitations, set-password links
    with django_assert_max_num_queries(8):
        instructor_client.get(detail_url(large))


def test_group_page_has_the_join_link_in_a_read_only_field_with_a_copy_button(instructor_client, group):
    html = instructor_client.get(detail_url(group)).content.decode()
    link = f"http://testserver{join_url(group.join_code)}"
    assert f'id="join-link-{group.pk}" type="text" readonly value="{link}"' in html
    assert f'<button type="button" class="secondary" data-copy="join-link-{group.pk}">' in html
    assert group.join_code_display in html
