"""No path makes a username that passes for another, or a name that turns a page around:
sign-up at the join link, the roster import, the createinstructor command, the profile."""

from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from classroom import names
from classroom.models import Membership, User
from tests.factories import AssignmentFactory, GroupFactory, UserFactory, make_response
from tests.helpers import client_for

CYRILLIC_A_NA = "\u0430na"  # "аna": a Cyrillic а, then Latin n and a
FULLWIDTH_ANA = "\uff41\uff4e\uff41"  # "ａｎａ"


def signup(client, group, username, **changes):
    """Sign up at the join link with one "Your name" (first_name/last_name make it up)."""
    parts = {"first_name": "Nora", "last_name": "New"} | {
        key: changes.pop(key) for key in ("first_name", "last_name") if key in changes
    }
    data = {
        "name": f"{parts['first_name']} {parts['last_name']}",
        "username": username,
        "password": "a-long-unusual-passphrase",
    }
    data.update(changes)
    return client.post(reverse("classroom:join_group", args=[group.join_code]), data)


@pytest.mark.django_db
def test_signup_refuses_a_cyrillic_a_in_ana_when_ana_exists(client, group):
    UserFactory(username="ana")
    refused = signup(client, group, CYRILLIC_A_NA)
    assert refused.status_code == 200
    assert str(names.MIXED_SCRIPTS) in refused.content.decode()
    assert not User.objects.filter(username=CYRILLIC_A_NA).exists()


@pytest.mark.django_db
def test_signup_refuses_a_username_that_looks_like_an_existing_one_without_naming_it(client, group):
    UserFactory(username="bob")
    refused = signup(client, group, "\u0412\u041e\u0412")  # "ВОВ", all Cyrillic
    html = refused.content.decode()
    assert str(names.USERNAME_TAKEN).replace("'", "&#x27;") in html
    assert "bob" not in html
    assert not User.objects.filter(username="\u0412\u041e\u0412").exists()


@pytest.mark.django_db
def test_signup_refuses_mixed_scripts_even_when_nothing_looks_like_it(client, group):
    refused = signup(client, group, "sam\u0441")
    assert str(names.MIXED_SCRIPTS) in refused.content.decode()
    assert not User.objects.filter(username="sam\u0441").exists()


@pytest.mark.django_db
def test_signup_keeps_a_fullwidth_username_as_plain_letters(client, group):
    joined = signup(client, group, FULLWIDTH_ANA)
    assert joined.status_code == 302
    assert Membership.objects.filter(group=group, student__username="ana").exists()


@pytest.mark.django_db
def test_signup_refuses_fullwidth_ana_as_a_duplicate_of_ana(client, group):
    UserFactory(username="ana")
    refused = signup(client, group, FULLWIDTH_ANA)
    assert refused.status_code == 200
    assert not Membership.objects.filter(group=group, student__username="ana").exists()


@pytest.mark.django_db
def test_signup_accepts_a_username_in_one_other_script(client, group):
    UserFactory(username="ana")
    assert signup(client, group, "\u0430\u043d\u044f").status_code == 302  # "аня"


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_signup_refuses_a_name_with_a_direction_override(client, group, field):
    refused = signup(client, group, "nora", **{field: "Nora\u202eweN"})
    assert refused.status_code == 200
    assert str(names.DIRECTION_IN_NAME) in refused.content.decode()
    assert not User.objects.filter(username="nora").exists()


@pytest.mark.django_db
def test_roster_import_refuses_a_row_that_looks_like_an_existing_username_with_a_line_error(
    instructor_client, group
):
    UserFactory(username="ana")
    text = "username,name\nnew_one,New One\n\u0440\u0435\u0440\u0435,Pepe P\n"
    UserFactory(username="pepe")
    for step in ("preview", "confirm"):
        answer = instructor_client.post(
            reverse("classroom:roster_import", args=[group.pk]), {"step": step, "text": text}
        )
        html = answer.content.decode()
        assert answer.status_code == 200
        assert "Line 3" in html
        assert "looks too much like one that is" in html
    assert not User.objects.filter(username="new_one").exists()


@pytest.mark.django_db
def test_roster_import_refuses_mixed_scripts_and_direction_overrides_with_line_errors(
    instructor_client, group
):
    text = f"username,name\n{CYRILLIC_A_NA},Ana A\nben,\u202eBen B\n"
    answer = instructor_client.post(
        reverse("classroom:roster_import", args=[group.pk]), {"step": "confirm", "text": text}
    )
    html = answer.content.decode()
    assert "Line 2" in html and "Line 3" in html
    assert "mixes letters of different scripts" in html
    assert "change the direction of the text" in html
    assert not User.objects.filter(username__in=[CYRILLIC_A_NA, "ben"]).exists()


@pytest.mark.django_db
def test_roster_import_takes_fullwidth_ana_as_the_existing_ana(instructor_client, group, instructor):
    ana = UserFactory(username="ana")
    other = GroupFactory(name="Period 5", instructors=[instructor])
    Membership.objects.create(group=other, student=ana)
    instructor_client.post(
        reverse("classroom:roster_import", args=[group.pk]),
        {"step": "confirm", "text": f"username\n{FULLWIDTH_ANA}\n"},
    )
    assert Membership.objects.filter(group=group, student=ana).exists()
    assert User.objects.filter(username__in=["ana", FULLWIDTH_ANA]).count() == 1


@pytest.mark.django_db
def test_createinstructor_refuses_a_look_alike_of_an_existing_username(monkeypatch):
    UserFactory(username="teacher")
    monkeypatch.setenv("DJANGO_INSTRUCTOR_PASSWORD", "a-long-unusual-passphrase")
    with pytest.raises(CommandError, match="username rejected: This username is taken"):
        call_command("createinstructor", "TEACHER", stdout=StringIO())
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_createinstructor_refuses_mixed_scripts_and_overrides_in_names(monkeypatch):
    monkeypatch.setenv("DJANGO_INSTRUCTOR_PASSWORD", "a-long-unusual-passphrase")
    with pytest.raises(CommandError, match="username rejected: Write the username in one alphabet"):
        call_command("createinstructor", "t\u0435acher", stdout=StringIO())
    with pytest.raises(CommandError, match="first_name rejected"):
        call_command("createinstructor", "tess", "--first-name", "Te\u202ess", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_createinstructor_keeps_the_username_in_nfkc(monkeypatch):
    monkeypatch.setenv("DJANGO_INSTRUCTOR_PASSWORD", "a-long-unusual-passphrase")
    call_command("createinstructor", "\uff54\uff45\uff53\uff53", stdout=StringIO())
    assert User.objects.get().username == "tess"


@pytest.mark.django_db
def test_profile_refuses_a_name_with_a_direction_isolate_and_changes_nothing(student):
    answer = client_for(student).post(
        reverse("classroom:profile_edit"), {"first_name": "Sam\u2067", "last_name": "Student", "email": ""}
    )
    assert answer.status_code == 200
    assert str(names.DIRECTION_IN_NAME) in answer.content.decode()
    student.refresh_from_db()
    assert student.first_name == "Sam"


class TextOutsideBdi(HTMLParser):
    """The text of a page that is not inside a <bdi> (attributes are not text)."""

    def __init__(self):
        super().__init__()
        self.depth, self.outside = 0, []

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "bdi"

    def handle_endtag(self, tag):
        self.depth -= tag == "bdi"

    def handle_data(self, data):
        if not self.depth:
            self.outside.append(data)


def outside_bdi(html: str) -> str:
    parser = TextOutsideBdi()
    parser.feed(html)
    return "".join(parser.outside)


@pytest.mark.django_db
def test_a_name_with_a_right_to_left_override_prints_only_inside_bdi(instructor_client, instructor, group):
    # Named before the rule (or restored from a backup): the pages still isolate it.
    eve = UserFactory(username="eve", first_name="Eve\u202egnp.exe", last_name="Evil")
    group.memberships.create(student=eve)
    thread = AssignmentFactory(group=group, anonymous_to_peers=False, post_first=False)
    answer = make_response(thread, eve, body="My answer.")
    make_response(thread, instructor, body="A reply.", parent=answer)
    pages = {
        "group": group.get_absolute_url(),
        "report": reverse("classroom:assignment_report", args=[thread.pk]),
        "dashboard": reverse("classroom:group_dashboard", args=[group.pk]),
        "thread": thread.get_absolute_url(),
    }
    for name, url in pages.items():
        html = instructor_client.get(url).content.decode()
        assert "<bdi>Eve\u202egnp.exe Evil</bdi>" in html, name
        assert "\u202e" not in outside_bdi(html), name
    own = client_for(eve).get(reverse("classroom:home")).content.decode()
    assert "Hello, <bdi>Eve\u202egnp.exe</bdi></h1>" in own
    assert "\u202e" not in outside_bdi(own)
