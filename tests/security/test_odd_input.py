"""Odd input the generated-input test (test_generated_input.py) found ending in a 500: one test each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from briefs.models import Brief
from classroom.models import Assignment, ModerationEvent, Participation, User
from tests.factories import make_response


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


@pytest.mark.django_db
def test_a_nul_in_the_assign_pages_brief_search_is_refused_with_a_message(instructor_client, group, brief):
    response = instructor_client.get(reverse("classroom:assignment_create"), {"q": "trade\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"group": "²"}, {"group": "99999999999999999999999"}, {"brief": "a\x00b"}])
def test_an_odd_preselection_on_the_assign_page_preselects_nothing(query, instructor_client, group, brief):
    response = instructor_client.get(reverse("classroom:assignment_create"), query)
    assert response.status_code == 200
    assert " checked" not in response.content.decode().split('name="groups"', 1)[-1].split(">", 1)[0]


@pytest.mark.django_db
def test_a_picked_brief_that_is_no_number_is_refused_in_the_assign_form(instructor_client, group, brief):
    data = {"brief": "²", "groups": [group.pk], "opens_at": "2031-01-01T10:00", "min_words": 0}
    data |= {"replies_required": 0, "points": 10}
    response = instructor_client.post(reverse("classroom:assignment_create"), data)
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_a_nul_in_a_hide_reason_is_refused_with_a_message(htmx, instructor_client, student, thread):
    answer = make_response(thread, student)
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse("classroom:response_hide", args=[answer.pk])
    response = instructor_client.post(url, {"reason": "Off\x00topic"}, headers=headers, follow=True)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    answer.refresh_from_db()
    assert answer.hidden_at is None and not ModerationEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["preview", "confirm"])
def test_a_nul_in_an_uploaded_brief_file_is_refused_naming_its_line(step, instructor_client):
    text = b"Ministers met about trade.\nWill it last?\nSummary of the\x00 talks.\nWho pays?\n"
    upload = SimpleUploadedFile("briefs.txt", text, content_type="text/plain")
    response = instructor_client.post(reverse("briefs:brief_import"), {"step": step, "file": upload})
    assert response.status_code == 200
    assert "Line 3: a NUL character (\\x00); save the briefs as plain UTF-8 text" in response.content.decode()
    assert not Brief.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["preview", "confirm"])
def test_a_nul_in_an_uploaded_roster_is_refused_naming_its_line(step, instructor_client, group):
    text = b"username,name,email\nnewkid,New\x00 Kid,new@school.example\n"
    upload = SimpleUploadedFile("class.csv", text, content_type="text/csv")
    url = reverse("classroom:roster_import", args=[group.pk])
    response = instructor_client.post(url, {"step": step, "file": upload})
    assert response.status_code == 200
    assert (
        "Line 2: a NUL character (\\x00); export the roster as “CSV UTF-8” again" in response.content.decode()
    )
    assert not User.objects.filter(username="newkid").exists()


@pytest.mark.django_db
def test_import_briefs_with_a_nul_fails_in_one_line_and_imports_nothing(tmp_path):
    path = tmp_path / "briefs.txt"
    path.write_bytes(b"Ministers met.\nWill they last?\nTalks\x00 on energy.\nWho pays?\n")
    with pytest.raises(CommandError) as raised:
        call_command("import_briefs", str(path), verbosity=0)
    assert str(raised.value) == (
        f"{path}: line 3: a NUL character (\\x00); save the briefs as plain UTF-8 text; nothing imported"
    )
    assert not Brief.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("points", "70000", "Give at most 1,000 points."),
        ("points", "1001", "Give at most 1,000 points."),
        ("replies_required", "40000", "Ask for at most 100 replies."),
        ("min_words", "3000000000", "Keep the minimum under 2,000 words."),
        ("reveal_quorum", "40000", "Give a share between 1 and 100 per cent, or leave it empty."),
    ],
)
def test_numbers_past_their_limit_are_refused_the_same_on_every_database(
    field, value, message, instructor_client, thread
):
    """SQLite stores any 64-bit number in a small-integer column: the limit is the model's."""
    data = {"opens_at": "2031-01-01T10:00", "min_words": 0, "replies_required": 0, "points": 10}
    response = instructor_client.post(
        reverse("classroom:assignment_edit", args=[thread.pk]), data | {field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    thread.refresh_from_db()
    assert thread.points == 10 and thread.replies_required == 0


@pytest.mark.django_db
def test_the_largest_allowed_points_are_saved(instructor_client, thread):
    data = {"opens_at": "2031-01-01T10:00", "min_words": 2000, "replies_required": 100, "points": 1000}
    data["reveal_quorum"] = 100
    response = instructor_client.post(reverse("classroom:assignment_edit", args=[thread.pk]), data)
    assert response.status_code == 302
    thread.refresh_from_db()
    assert (thread.points, thread.replies_required, thread.min_words, thread.reveal_quorum) == (
        1000,
        100,
        2000,
        100,
    )


@pytest.mark.django_db
def test_a_roster_email_longer_than_its_column_is_refused(instructor_client, group):
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".example"  # valid, and 312 characters
    url = reverse("classroom:roster_import", args=[group.pk])
    text = f"username,name,email\nnewkid,New Kid,{email}\n"
    response = instructor_client.post(url, {"step": "confirm", "text": text})
    assert "Line 2: the email address is longer than 254 characters" in response.content.decode()
    assert not User.objects.filter(username="newkid").exists()
