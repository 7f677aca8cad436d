"""NRPS: the LMS course's students in the group, on a teacher's launch and on demand, with a preview."""

from django.test import Client
from django.urls import reverse

from classroom.lti.models import Course
from classroom.models import Group, Membership, User
from tests.factories import UserFactory
from tests.lti.conftest import HttpLaunch
from tests.lti_platform import person


def teacher_client(platform) -> tuple[Client, Group]:
    assert HttpLaunch(platform, "link-1", "teacher").post().status_code == 302
    teacher = User.objects.get(lti_users__sub=platform.people["teacher"].sub)
    client = Client()
    client.force_login(teacher)
    return client, Course.objects.get().group


def test_a_teachers_launch_brings_the_courses_students_into_the_group(platform):
    platform.people["ben"] = person("Ben Okafor")
    _client, group = teacher_client(platform)
    names = sorted(m.student.get_full_name() for m in group.memberships.select_related("student"))
    assert names == ["Ana Lima", "Ben Okafor"]


def test_the_preview_names_who_joins_and_who_leaves_and_changes_nothing_until_confirmed(platform):
    client, group = teacher_client(platform)
    code_student = UserFactory(first_name="Cleo", last_name="Code")
    Membership.objects.create(group=group, student=code_student)  # joined with the code: stays
    platform.people["dev"] = person("Dev Patel")
    del platform.people["ana"]
    url = reverse("lti:roster_sync", args=[group.pk])
    preview = client.get(url)
    assert preview.status_code == 200
    joining, leaving = preview.text.split("Joining")[1].split("Leaving")
    assert "Dev Patel" in joining and "Ana Lima" in leaving
    assert "Cleo" not in preview.text
    assert not group.memberships.filter(student__first_name="Dev").exists()

    done = client.post(url)
    assert done.status_code == 302
    names = sorted(m.student.first_name for m in group.memberships.select_related("student"))
    assert names == ["Cleo", "Dev"]
    assert "1 joined, 1 left" in client.get(group.get_absolute_url()).text


def test_another_teacher_and_a_student_get_404_for_the_roster(platform, other_instructor, student):
    _client, group = teacher_client(platform)
    for someone in (other_instructor, student):
        client = Client()
        client.force_login(someone)
        assert client.get(reverse("lti:roster_sync", args=[group.pk])).status_code == 404
        assert client.post(reverse("lti:roster_sync", args=[group.pk])).status_code == 404
    assert group.memberships.count() == 1


def test_a_platform_that_does_not_answer_is_said_so(platform):
    client, group = teacher_client(platform)
    platform.tokens.clear()
    platform.client_id = "renamed"  # the platform no longer grants our assertions
    page = client.get(reverse("lti:roster_sync", args=[group.pk]))
    assert page.status_code == 200
    assert "The LMS did not answer with the roster" in page.text
