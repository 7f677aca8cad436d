"""AGS: a score saved in Agora reaches the LMS's line item, again on a change; a passback the
LMS refuses is shown on the report with a button that sends it again."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from classroom.lti.models import ScorePassback
from classroom.models import Group, User
from tests.factories import AssignmentFactory
from tests.lti.conftest import HttpLaunch


@pytest.fixture
def graded_thread(platform, brief):
    """The course's thread behind link-1, which has a line item of 10 points; Ana launched it."""
    assert HttpLaunch(platform, "link-1", "teacher").post().status_code == 302
    thread = AssignmentFactory(group=Group.objects.get(name="History 101"), brief=brief, points=10)
    platform.links["link-1"].update(
        custom={"agora_assignment": str(thread.pk)}, line_item={"scoreMaximum": 10}
    )
    assert HttpLaunch(platform, "link-1", "ana").post().status_code == 302
    return thread


def people(platform) -> tuple[Client, User, User]:
    teacher = User.objects.get(lti_users__sub=platform.people["teacher"].sub)
    ana = User.objects.get(lti_users__sub=platform.people["ana"].sub)
    client = Client()
    client.force_login(teacher)
    return client, teacher, ana


def grade(client: Client, thread, student: User, score: str):
    url = reverse("classroom:feedback_save", args=[thread.pk, student.pk])
    return client.post(url, {"score": score, "comment": "Well argued."})


def test_a_saved_score_reaches_the_line_item_and_a_change_is_sent_again(platform, graded_thread):
    client, _teacher, ana = people(platform)
    grade(client, graded_thread, ana, "8")
    sent = platform.scores[("link-1", platform.people["ana"].sub)]
    assert (sent["scoreGiven"], sent["scoreMaximum"]) == (8.0, 10.0)
    assert (sent["activityProgress"], sent["gradingProgress"]) == ("Completed", "FullyGraded")
    grade(client, graded_thread, ana, "9.5")
    assert platform.scores[("link-1", platform.people["ana"].sub)]["scoreGiven"] == 9.5
    passback = ScorePassback.objects.get()
    assert (passback.status, passback.score, passback.attempts) == ("sent", Decimal("9.5"), 1)


def test_a_passback_is_retried_when_the_lms_fails_once(platform, graded_thread):
    client, _teacher, ana = people(platform)
    platform.failing_scores = 1
    grade(client, graded_thread, ana, "7")
    assert platform.scores[("link-1", platform.people["ana"].sub)]["scoreGiven"] == 7.0
    assert ScorePassback.objects.get().attempts == 2


def test_a_failed_passback_is_shown_with_a_retry_button_that_sends_it(platform, graded_thread):
    client, _teacher, ana = people(platform)
    platform.failing_scores = 3
    grade(client, graded_thread, ana, "6")
    assert ("link-1", platform.people["ana"].sub) not in platform.scores
    report = client.get(reverse("classroom:assignment_report", args=[graded_thread.pk])).text
    assert "The LMS did not take 1 score" in report and "the LMS answered 503" in report
    passback = ScorePassback.objects.get()
    assert passback.status == "failed" and passback.attempts == 3
    retried = client.post(reverse("lti:passback_retry", args=[passback.pk]), follow=True)
    assert "The score went to the LMS." in retried.text
    assert platform.scores[("link-1", platform.people["ana"].sub)]["scoreGiven"] == 6.0
    assert (
        "The LMS did not take"
        not in client.get(reverse("classroom:assignment_report", args=[graded_thread.pk])).text
    )


def test_only_the_threads_teachers_may_retry(platform, graded_thread, other_instructor, student):
    client, _teacher, ana = people(platform)
    platform.failing_scores = 3
    grade(client, graded_thread, ana, "6")
    passback = ScorePassback.objects.get()
    for someone in (other_instructor, student):
        outsider = Client()
        outsider.force_login(someone)
        assert outsider.post(reverse("lti:passback_retry", args=[passback.pk])).status_code == 404
    assert ("link-1", platform.people["ana"].sub) not in platform.scores
