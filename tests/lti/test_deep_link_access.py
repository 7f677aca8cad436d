"""The deep linking picker belongs to the teacher whose launch it came from."""

from django.test import Client

from classroom.lti.models import LaunchTicket
from classroom.models import User
from tests.lti.conftest import HttpLaunch, refusal


def picker_url(platform) -> tuple[str, User]:
    assert HttpLaunch(platform, "add", "teacher").post().status_code == 302
    ticket = LaunchTicket.objects.get()
    return ticket.next_url, ticket.user


def test_the_launching_teacher_sees_the_picker_for_their_course(platform):
    url, teacher = picker_url(platform)
    client = Client()
    client.force_login(teacher)
    page = client.get(url)
    assert page.status_code == 200
    assert "Add a discussion to History 101" in page.text


def test_another_teacher_and_a_student_get_404_for_the_picker(platform, other_instructor, student):
    url, _teacher = picker_url(platform)
    for person in (other_instructor, student):
        client = Client()
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_a_student_cannot_start_deep_linking(platform):
    HttpLaunch(platform, "link-1", "teacher").post()  # the course exists
    platform.people["ana"].roles = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    response = HttpLaunch(platform, "add", "ana").post()
    assert response.status_code == 403 and refusal(response) == "course"
    assert "Only the course&#x27;s teachers" in response.text
