"""Each person reads and types times in their own zone (User.time_zone), with the zone named.

The dates are in 2027 so that the threads are open when the tests run. In 2027 the United
States leave daylight saving time on 7 November and enter it on 14 March; the European
Union leaves it on 31 October and enters it on 28 March.
"""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from classroom.models import Assignment, Participation, User
from tests.factories import make_response
from tests.helpers import peer_in

PROFILE_URL = reverse("classroom:profile_edit")
ZONE_URL = reverse("classroom:profile_time_zone")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_zone(user: User, zone: str) -> User:
    user.time_zone = zone
    user.save(update_fields=["time_zone"])
    return user


def rules_data(**changes) -> dict:
    data = {
        "opens_at": "2026-01-05T08:00",
        "due_at": "2027-11-08T00:59",
        "min_words": "0",
        "replies_required": "0",
        "points": "10",
    }
    return data | changes


def edit_url(assignment: Assignment) -> str:
    return reverse("classroom:assignment_edit", args=[assignment.pk])


def due_line(html: str) -> str:
    """The thread header's due time, without tags."""
    match = re.search(r"Due <strong>(.*?)</strong>", html)
    return match.group(1) if match else ""


# ---- a teacher types dates in their zone; a reader elsewhere sees the same instant ----------


@pytest.mark.parametrize(
    ("typed", "stored", "berlin_sees", "new_york_sees"),
    [
        # The day after the November change: New York is back on EST (UTC-5).
        ("2027-11-08T00:59", datetime(2027, 11, 8, 5, 59, tzinfo=UTC), "Monday 8 November, 06:59 CET", "Monday 8 November, 00:59 EST"),
        # The day before it: still EDT (UTC-4), while Berlin has been on CET for a week.
        ("2027-11-06T00:59", datetime(2027, 11, 6, 4, 59, tzinfo=UTC), "Saturday 6 November, 05:59 CET", "Saturday 6 November, 00:59 EDT"),
        # The day after the March change: New York on EDT, Berlin still on CET for two weeks.
        ("2027-03-15T00:59", datetime(2027, 3, 15, 4, 59, tzinfo=UTC), "Monday 15 March, 05:59 CET", "Monday 15 March, 00:59 EDT"),
        # The day before it: EST.
        ("2027-03-13T00:59", datetime(2027, 3, 13, 5, 59, tzinfo=UTC), "Saturday 13 March, 06:59 CET", "Saturday 13 March, 00:59 EST"),
    ],
)  # fmt: skip
def test_a_due_date_typed_in_new_york_across_a_clock_change_is_the_right_instant_in_berlin(
    instructor, student, thread, typed, stored, berlin_sees, new_york_sees
):
    teacher = client_for(in_zone(instructor, "America/New_York"))
    assert teacher.post(edit_url(thread), rules_data(due_at=typed)).status_code == 302
    thread.refresh_from_db()
    assert thread.due_at == stored

    berlin = client_for(in_zone(student, "Europe/Berlin"))
    assert due_line(berlin.get(thread.get_absolute_url()).content.decode()) == berlin_sees
    assert due_line(teacher.get(thread.get_absolute_url()).content.decode()) == new_york_sees
    # The form shows the teacher the time as typed, and says which zone it is in.
    form = teacher.get(edit_url(thread)).content.decode()
    assert f'value="{typed}"' in form
    assert "Times are in America/New_York." in form


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("2027-11-07T01:30", "07 Nov 2027, 01:30 happens twice in America/New_York: the clocks go back that night."),
        ("2027-03-14T02:30", "14 Mar 2027, 02:30 does not exist in America/New_York: the clocks go forward that night."),
    ],
)  # fmt: skip
def test_a_time_the_clocks_repeat_or_skip_is_refused_with_a_reason(instructor, thread, typed, says):
    due_before = thread.due_at
    teacher = client_for(in_zone(instructor, "America/New_York"))
    response = teacher.post(edit_url(thread), rules_data(due_at=typed))
    assert response.status_code == 200
    assert says in response.content.decode()
    thread.refresh_from_db()
    assert thread.due_at == due_before


def test_an_extension_is_typed_in_the_teachers_zone_and_named_in_it(instructor, student, thread):
    teacher = client_for(in_zone(instructor, "America/Chicago"))
    url = reverse("classroom:due_extend", args=[thread.pk, student.pk])
    response = teacher.post(url, {"due_at": "2027-12-07T18:59"}, follow=True)
    extension = Participation.objects.get(assignment=thread, student=student).due_at_override
    assert extension == datetime(2027, 12, 8, 0, 59, tzinfo=UTC)
    html = response.content.decode()
    assert "Extension for Sam Student until Tue 07 Dec, 18:59 CST." in html
    assert "Extended to 7 Dec, 18:59 CST" in html
    assert "New due time for <bdi>Sam Student</bdi> (America/Chicago)" in html

    berlin = client_for(in_zone(student, "Europe/Berlin"))
    assert (
        "Your extension: Wednesday 8 December, 01:59 CET"
        in berlin.get(thread.get_absolute_url()).content.decode()
    )


# ---- one page, two readers, one instant ----------------------------------------------------


def test_the_same_thread_shows_each_reader_the_same_instant_in_their_own_zone(instructor, student, thread):
    thread.due_at = datetime(2027, 12, 8, 0, 59, tzinfo=UTC)
    thread.save()
    classmate = peer_in(thread.group)
    answer = make_response(thread, classmate, body="Written just before midnight in Chicago.")
    type(answer).objects.filter(pk=answer.pk).update(created_at=datetime(2027, 12, 2, 5, 30, tzinfo=UTC))
    other = peer_in(thread.group, username="chicago_peer")

    pages = {
        "Europe/Berlin": client_for(in_zone(student, "Europe/Berlin")).get(thread.get_absolute_url()),
        "America/Chicago": client_for(in_zone(other, "America/Chicago")).get(thread.get_absolute_url()),
        "": client_for(instructor).get(thread.get_absolute_url()),  # no zone chosen: the site's
    }
    html = {zone: page.content.decode() for zone, page in pages.items()}
    assert due_line(html["Europe/Berlin"]) == "Wednesday 8 December, 01:59 CET"
    assert due_line(html["America/Chicago"]) == "Tuesday 7 December, 18:59 CST"
    assert due_line(html[""]) == "Wednesday 8 December, 00:59 UTC"
    # The answer's card too, although both students are served the same cached card otherwise.
    assert "Thu 2 Dec, 06:30 CET</time>" in html["Europe/Berlin"]
    assert "Wed 1 Dec, 23:30 CST</time>" in html["America/Chicago"]
    assert "Thu 2 Dec, 05:30 UTC</time>" in html[""]
    # The machine-readable time is one instant in every page.
    stamps = {re.search(r'<time datetime="([^"]+)" class="muted">', page).group(1) for page in html.values()}
    assert {datetime.fromisoformat(stamp) for stamp in stamps} == {datetime(2027, 12, 2, 5, 30, tzinfo=UTC)}


def test_a_request_leaves_no_zone_behind_for_the_next_reader(student, thread):
    client_for(in_zone(student, "Asia/Tokyo")).get(thread.get_absolute_url())
    html = Client().get(reverse("login")).content.decode()  # anyone, signed in or not, next
    assert "JST" not in html
    from django.utils import timezone

    assert timezone.get_current_timezone_name() == "UTC"


# ---- choosing the zone ------------------------------------------------------------------


def test_the_profile_offers_the_zones_grouped_with_the_current_one_chosen(student):
    html = client_for(in_zone(student, "America/Chicago")).get(PROFILE_URL).content.decode()
    assert '<optgroup label="America">' in html and '<optgroup label="Europe">' in html
    assert '<option value="America/Chicago" selected>Chicago</option>' in html
    assert '<option value="">The site&#x27;s default (UTC)</option>' in html
    assert "Your time now, in America/Chicago:" in html and "CST</p>" in html


def test_a_zone_outside_the_list_but_known_stays_chosen(student):
    html = client_for(in_zone(student, "US/Eastern")).get(PROFILE_URL).content.decode()
    assert '<optgroup label="Other">' in html
    assert '<option value="US/Eastern" selected>US/Eastern</option>' in html


def test_a_person_changes_their_zone_on_the_profile(student, thread):
    client = client_for(student)
    response = client.post(ZONE_URL, {"time_zone": "Asia/Kolkata"}, follow=True)
    assert response.redirect_chain == [(PROFILE_URL, 302)]
    student.refresh_from_db()
    assert student.time_zone == "Asia/Kolkata"
    assert "Times are now shown in Asia/Kolkata." in response.content.decode()
    assert " IST" in client.get(thread.get_absolute_url()).content.decode()

    client.post(ZONE_URL, {"time_zone": ""})
    student.refresh_from_db()
    assert student.time_zone == ""


@pytest.mark.parametrize(
    "bad", ["Mars/Olympus_Mons", "europe/berlin", "../../etc/passwd", "UTC\x00", "x" * 500, "Europe/"]
)
def test_a_bad_zone_name_is_refused_with_a_clear_message_and_changes_nothing(student, bad):
    in_zone(student, "Europe/Berlin")
    response = client_for(student).post(ZONE_URL, {"time_zone": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a time zone we know. Pick one from the list, such as Europe/Berlin." in html
    student.refresh_from_db()
    assert student.time_zone == "Europe/Berlin"


def test_the_zone_form_needs_a_login_and_a_post(client, student, db):
    response = client.post(ZONE_URL, {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client_for(student).get(ZONE_URL).status_code == 405


def test_sign_up_stores_the_zone_the_browser_sent(client, group):
    url = reverse("classroom:join_group", args=[group.join_code])
    assert "data-browser-time-zone" in client.get(url).content.decode()
    data = {"name": "Ana Lima", "username": "ana", "password": "a long pass phrase 42"}
    client.post(url, data | {"time_zone": "America/Sao_Paulo"})
    assert User.objects.get(username="ana").time_zone == "America/Sao_Paulo"


@pytest.mark.parametrize("sent", ["", "Not/AZone", "<script>", "x" * 300])
def test_sign_up_with_no_or_an_unknown_zone_uses_the_sites_and_still_signs_up(client, group, sent):
    url = reverse("classroom:join_group", args=[group.join_code])
    data = {
        "name": "Ben Okafor",
        "username": "ben",
        "password": "a long pass phrase 42",
    }
    assert client.post(url, data | {"time_zone": sent}).status_code == 302
    assert User.objects.get(username="ben").time_zone == ""
