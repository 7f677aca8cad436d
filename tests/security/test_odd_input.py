"""Odd input the generated-input test (test_generated_input.py) found ending in a 500: one test each."""

import pytest
from django.urls import reverse

from classroom.models import ModerationEvent, Participation


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/a/99999999999999999999999/", "/a/9223372036854775808/poll/", "/r/9223372036854775808/hide/"]
)
def test_an_id_past_64_bits_in_a_url_is_a_404(path, instructor_client, thread):
    assert instructor_client.get(path).status_code == 404
    assert instructor_client.post(path).status_code == 404


@pytest.mark.django_db
def test_the_largest_64_bit_id_is_still_a_url(instructor_client):
    path = reverse("classroom:thread_detail", args=[2**63 - 1])
    assert instructor_client.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "due_at, message",
    [
        (
            "2024-13-45T10:00",
            "That date is not valid: check the day, the month, the hour and any UTC offset.",
        ),
        (
            "2031-02-30T10:00",
            "That date is not valid: check the day, the month, the hour and any UTC offset.",
        ),
        (
            "2031-01-01T10:00+99:00",
            "That date is not valid: check the day, the month, the hour and any UTC offset.",
        ),
        ("9999-12-31T23:59-05:00", "Give a date in the years 2000 to 2999."),
    ],
)
def test_an_impossible_extension_date_is_refused_with_a_message(
    due_at, message, instructor_client, student, thread
):
    url = reverse("classroom:due_extend", args=[thread.pk, student.pk])
    response = instructor_client.post(url, {"due_at": due_at}, follow=True)
    assert response.status_code == 200
    assert message in [str(m) for m in response.context["messages"]]
    assert not Participation.objects.filter(due_at_override__isnull=False).exists()
    assert not ModerationEvent.objects.exists()


@pytest.mark.django_db
def test_a_due_date_past_what_python_can_show_is_refused_in_the_rules(instructor_client, thread):
    url = reverse("classroom:assignment_edit", args=[thread.pk])
    data = {"opens_at": "2031-01-01T10:00", "due_at": "9999-12-31T23:59-05:00", "min_words": 0}
    data |= {"replies_required": 0, "points": 10}
    response = instructor_client.post(url, data)
    assert response.status_code == 200
    assert "Give a date in the years 2000 to 2999." in response.content.decode()
    thread.refresh_from_db()
    assert thread.due_at.year < 9999
