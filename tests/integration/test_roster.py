"""Importing a class list into a group: preview with per-row errors, confirm, one-time set-password links."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from classroom.models import Membership
from tests.factories import UserFactory

User = get_user_model()
NEW_PASSWORD = "a-long-new-passphrase-42"
ROSTER = "username,name,email\nnewbie,Nora Newbie,nora@school.example\nfresh,Fred Fresh,fred@school.example\n"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def import_url(group) -> str:
    return reverse("classroom:roster_import", args=[group.pk])


def preview(client, group, text):
    return client.post(import_url(group), {"step": "preview", "text": text})


def confirm(client, group, text):
    return client.post(import_url(group), {"step": "confirm", "text": text})


def links(html: str) -> dict[str, str]:
    """Username → set-password path, from the table shown after confirming."""
    found = re.findall(
        r"<code>([^<]+)</code></td><td><input[^>]*value=\"http://testserver(/accounts/reset/[^\"]+/)\"", html
    )
    return dict(found)


def member_usernames(group) -> set[str]:
    return set(Membership.objects.filter(group=group).values_list("student__username", flat=True))


def world():
    """Everything an import could write."""
    return (
        sorted(User.objects.values_list("username", "password")),
        sorted(Membership.objects.values_list("group", "student")),
    )


# ---- role matrix -------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_roster_import(group):
    before = world()
    for response in (client_for(None).get(import_url(group)), confirm(client_for(None), group, ROSTER)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert world() == before


@pytest.mark.parametrize("role", ["outsider", "member", "other_instructor"])
def test_students_and_other_instructors_get_404_from_roster_import_and_nothing_is_written(
    group, outsider, student, other_instructor, role
):
    user = {"outsider": outsider, "member": student, "other_instructor": other_instructor}[role]
    client = client_for(user)
    before = world()
    assert client.get(import_url(group)).status_code == 404
    assert preview(client, group, ROSTER).status_code == 404
    assert confirm(client, group, ROSTER).status_code == 404
    assert world() == before


@pytest.mark.parametrize("role", ["owner", "co_instructor"])
def test_owning_and_co_instructor_may_import(group, instructor, co_instructor, role):
    client = client_for(instructor if role == "owner" else co_instructor)
    assert client.get(import_url(group)).status_code == 200
    assert confirm(client, group, ROSTER).status_code == 200
    assert {"newbie", "fresh"} <= member_usernames(group)


def test_other_methods_on_roster_import_are_405(instructor_client, group):
    assert instructor_client.put(import_url(group)).status_code == 405
    assert instructor_client.delete(import_url(group)).status_code == 405


# ---- the form and the preview --------------------------------------------------------------


def test_import_page_offers_upload_and_paste(instructor_client, group):
    html = instructor_client.get(import_url(group)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="file"' in html
    assert 'name="text"' in html
    assert "<code>username,name,email</code>" in html


def test_empty_submission_asks_for_a_roster(instructor_client, group):
    html = preview(instructor_client, group, "   ").content.decode()
    assert "Upload a CSV file or paste the roster." in html


def test_pasted_roster_previews_new_accounts_and_writes_nothing(instructor_client, group):
    before = world()
    html = preview(instructor_client, group, ROSTER).content.decode()
    assert "Preview" in html
    assert html.count("New account") == 2
    assert "<code>newbie</code>" in html
    assert "Nora Newbie" in html
    assert '<input type="hidden" name="step" value="confirm">' in html
    assert "Add 2 students to Period 3" in html
    assert world() == before


def test_uploaded_roster_with_bom_previews(instructor_client, group):
    upload = SimpleUploadedFile("class.csv", ("\ufeff" + ROSTER).encode("utf-8"), content_type="text/csv")
    html = instructor_client.post(import_url(group), {"step": "preview", "file": upload}).content.decode()
    assert html.count("New account") == 2
    assert not User.objects.filter(username="newbie").exists()


def test_uploaded_roster_that_is_not_utf8_is_refused(instructor_client, group):
    upload = SimpleUploadedFile("class.csv", "username,name\nzoë,Zoë\n".encode("latin-1"))
    html = instructor_client.post(import_url(group), {"step": "preview", "file": upload}).content.decode()
    assert "The file is not UTF-8 text" in html


def test_uploaded_roster_over_512_kb_is_refused(instructor_client, group):
    upload = SimpleUploadedFile("class.csv", b"username\n" + b"x" * (512 * 1024 + 1))
    html = instructor_client.post(import_url(group), {"step": "preview", "file": upload}).content.decode()
    assert "The file is larger than 512 KB." in html


def test_preview_names_each_bad_row_by_line_and_writes_nothing(instructor_client, group, other_instructor):
    text = (
        "username,name,email\n"
        "good,Gina Good,gina@school.example\n"
        "bademail,Bea Bad,not-an-address\n"
        "bad user,Ben Space,\n"
        "GOOD,Gina Again,\n"
        f"{other_instructor.username},Omar Other,\n"
    )
    before = world()
    html = preview(instructor_client, group, text).content.decode()
    assert "Line 3: “not-an-address” is not an email address" in html
    assert "Line 4: “bad user” is not a valid username" in html
    assert "Line 5: “GOOD” is already on line 2" in html
    # Another teacher's account is an existing account like any other: nothing says it teaches.
    assert "instructor" not in html.split("Nothing is imported until")[1].split("</ul>")[0]
    assert "these 3 rows are fixed" in html
    assert 'value="confirm"' not in html
    assert world() == before


def test_confirming_a_roster_with_errors_writes_nothing(instructor_client, group, instructor):
    text = ROSTER + "teacher,Tess Teacher,\n"
    before = world()
    html = confirm(instructor_client, group, text).content.decode()
    assert "Line 4: “teacher” teaches this group" in html
    assert "Done:" not in html
    assert world() == before


def test_roster_without_username_column_is_refused(instructor_client, group):
    html = preview(instructor_client, group, "name,email\nSam,sam@school.example\n").content.decode()
    assert "Line 1: the first line must name the columns" in html


def test_roster_text_is_escaped_in_the_preview(instructor_client, group):
    html = preview(
        instructor_client, group, "username,name\nsafe,<script>alert(1)</script>\n"
    ).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


# ---- confirming --------------------------------------------------------------------------


def test_confirm_creates_accounts_without_password_and_adds_them_to_the_group(instructor_client, group):
    response = confirm(instructor_client, group, ROSTER)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Done: 2 accounts created, 0 existing added." in html
    newbie = User.objects.get(username="newbie")
    assert (newbie.first_name, newbie.last_name, newbie.email) == ("Nora", "Newbie", "nora@school.example")
    assert not newbie.has_usable_password()
    assert not newbie.is_instructor
    assert {"newbie", "fresh"} <= member_usernames(group)


def test_confirm_shows_one_set_password_link_per_new_account(instructor_client, group):
    html = confirm(instructor_client, group, ROSTER).content.decode()
    found = links(html)
    assert set(found) == {"newbie", "fresh"}
    for path in found.values():
        assert re.fullmatch(r"/accounts/reset/[\w-]+/[\w-]+/", path)
    assert "Each link works once" in html


def test_set_password_links_are_shown_only_once(instructor_client, group):
    confirm(instructor_client, group, ROSTER)
    assert "/accounts/reset/" not in instructor_client.get(import_url(group)).content.decode()


def test_set_password_link_works_once_then_the_student_logs_in(instructor_client, group):
    path = links(confirm(instructor_client, group, ROSTER).content.decode())["newbie"]
    browser = Client()

    opened = browser.get(path, follow=True)
    html = opened.content.decode()
    assert "Set your password" in html
    assert "For newbie" in html
    form_url = opened.redirect_chain[-1][0]
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert "Your password is set" in browser.get(done["Location"]).content.decode()

    again = Client().get(path, follow=True).content.decode()
    assert "This link no longer works" in again
    assert 'name="new_password1"' not in again

    login = Client().post(reverse("login"), {"username": "newbie", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == reverse("classroom:home")


def test_set_password_link_rejects_a_weak_password_and_stays_usable(instructor_client, group):
    path = links(confirm(instructor_client, group, ROSTER).content.decode())["fresh"]
    browser = Client()
    form_url = browser.get(path, follow=True).redirect_chain[-1][0]
    refused = browser.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert refused.status_code == 200
    assert not User.objects.get(username="fresh").has_usable_password()
    assert "Set your password" in Client().get(path, follow=True).content.decode()


def lena_in_another_group_of(instructor):
    """Lena Existing ("lena"): already a student of the instructor's, in another of their groups."""
    from tests.factories import GroupFactory

    lena = UserFactory(username="lena", first_name="Lena", last_name="Existing")
    GroupFactory(name="Period 5", instructors=[instructor], students=[lena])
    return lena


def test_existing_account_is_added_without_a_link_and_keeps_its_password(
    instructor_client, instructor, group, password
):
    lena = lena_in_another_group_of(instructor)
    html = confirm(instructor_client, group, ROSTER + "lena,Lena Existing,\n").content.decode()
    assert "Done: 2 accounts created, 1 existing added." in html
    assert "lena" in member_usernames(group)
    assert "lena" not in links(html)
    lena.refresh_from_db()
    assert lena.check_password(password)


def test_existing_account_is_matched_whatever_the_case_of_its_username(instructor_client, instructor, group):
    lena_in_another_group_of(instructor)
    html = preview(instructor_client, group, "username\nLena\n").content.decode()
    assert "Existing account, added" in html
    confirm(instructor_client, group, "username\nLena\n")
    assert not User.objects.filter(username="Lena").exists()
    assert "lena" in member_usernames(group)


def test_instructor_account_is_refused_whatever_the_case(instructor_client, group):
    before = world()
    html = confirm(instructor_client, group, "username\nTEACHER\n").content.decode()
    assert "teaches this group" in html
    assert world() == before


def test_preview_shows_existing_and_already_member_rows(instructor_client, instructor, group, student):
    lena_in_another_group_of(instructor)
    html = preview(instructor_client, group, ROSTER + "lena,,\nsam,,\n").content.decode()
    assert "Existing account, added" in html
    assert "Already in the group" in html
    assert "Add 3 students to Period 3" in html


def test_already_members_are_reported_after_confirming(instructor_client, group, student):
    html = confirm(instructor_client, group, ROSTER + "sam,Sam Student,\n").content.decode()
    assert "Done: 2 accounts created, 0 existing added, 1 already in the group." in html
    assert Membership.objects.filter(group=group, student=student).count() == 1


def test_roster_of_only_members_offers_nothing_to_add(instructor_client, group, student):
    html = preview(instructor_client, group, "username\nsam\n").content.decode()
    assert "Already in the group" in html
    assert 'value="confirm"' not in html


def test_student_of_another_group_is_added_to_this_one_too(instructor_client, instructor, group):
    from tests.factories import GroupFactory

    elsewhere = UserFactory(username="roamer")
    other = GroupFactory(instructors=[instructor], students=[elsewhere])
    confirm(instructor_client, group, "username\nroamer\n")
    assert Membership.objects.filter(student=elsewhere).count() == 2
    assert Membership.objects.filter(group=other, student=elsewhere).exists()


def test_confirm_accepts_first_and_last_name_columns(instructor_client, group):
    confirm(instructor_client, group, "Username;First Name;Last Name\nada;Ada;Lovelace\n")
    ada = User.objects.get(username="ada")
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")


def test_roster_import_into_an_archived_group_is_refused(group, instructor):
    group.set_archived(True)
    response = client_for(instructor).post(
        import_url(group), {"step": "confirm", "text": "username,name\nnewkid,New Kid\n"}, follow=True
    )
    assert "archived" in response.content.decode()
    assert not get_user_model().objects.filter(username="newkid").exists()


def test_student_from_a_roster_can_reset_a_never_set_password_by_email(group, instructor, mailoutbox):
    confirm(client_for(instructor), group, "username,name,email\nrosa,Rosa Parks,rosa@school.example\n")
    response = Client().post(reverse("password_reset"), {"email": "rosa@school.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


# ---- another teacher's students: invited, never named or enrolled ---------------------------


@pytest.fixture
def their_student(other_instructor):
    """Thea Theirs ("thea"): a student of `other_instructor` only, with a name and email to look for."""
    from tests.factories import GroupFactory

    thea = UserFactory(
        username="thea", first_name="Theodora", last_name="Quillfeather", email="thea@mail.example"
    )
    GroupFactory(name="Omar's seminar", instructors=[other_instructor], students=[thea])
    return thea


def test_preview_of_another_teachers_student_shows_neither_name_nor_email(
    instructor_client, group, their_student
):
    html = preview(instructor_client, group, "username,name,email\nthea,,\n").content.decode()
    assert "<code>thea</code>" in html
    assert "An existing account: they will be invited and join when they accept" in html
    for secret in ("Theodora", "Quillfeather", "thea@mail.example", "Omar"):
        assert secret not in html
    assert "Invite 1 student to Period 3" in html


def test_preview_of_another_teacher_reads_like_any_other_account(
    instructor_client, group, their_student, other_instructor
):
    """Which usernames are instructors is not told: both rows say the same thing."""
    html = preview(instructor_client, group, "username\nthea\notherteacher\n").content.decode()
    assert html.count("An existing account: they will be invited and join when they accept") == 2
    assert "instructor account" not in html
    assert "Omar Other" not in html


def test_confirm_invites_another_teachers_student_and_does_not_enrol_them(
    instructor_client, instructor, group, their_student
):
    from classroom.models import Invitation

    html = confirm(
        instructor_client, group, ROSTER + "thea,Someone Else,else@school.example\n"
    ).content.decode()
    assert "Done: 2 accounts created, 0 existing added, 1 invited." in html
    assert "thea" not in member_usernames(group)
    invitation = Invitation.objects.get(group=group, invitee=their_student)
    assert invitation.invited_by == instructor
    their_student.refresh_from_db()  # what the roster typed does not change their account
    assert (their_student.first_name, their_student.email) == ("Theodora", "thea@mail.example")
    assert "Theodora" not in html and "thea@mail.example" not in html


def test_importing_the_same_roster_again_does_not_invite_twice(instructor_client, group, their_student):
    from classroom.models import Invitation

    confirm(instructor_client, group, "username\nthea\n")
    html = preview(instructor_client, group, "username\nthea\n").content.decode()
    assert "Invited already, not yet joined" in html
    assert 'value="confirm"' not in html  # nothing left to do
    confirm(instructor_client, group, "username\nthea\n")
    assert Invitation.objects.filter(group=group, invitee=their_student).count() == 1


def test_an_account_in_no_group_is_invited_too(instructor_client, group):
    from classroom.models import Invitation

    loner = UserFactory(username="loner", first_name="Lonely", last_name="Person")
    html = preview(instructor_client, group, "username\nloner\n").content.decode()
    assert "Lonely" not in html
    confirm(instructor_client, group, "username\nloner\n")
    assert Invitation.objects.filter(group=group, invitee=loner).exists()
    assert "loner" not in member_usernames(group)


def test_a_student_shared_with_another_teacher_is_added_directly(
    instructor_client, instructor, group, their_student
):
    """Thea is in one of this teacher's groups too: she is their student, named and added."""
    from tests.factories import GroupFactory

    GroupFactory(name="Period 5", instructors=[instructor], students=[their_student])
    html = preview(instructor_client, group, "username\nthea\n").content.decode()
    assert "Theodora Quillfeather" in html and "Existing account, added" in html
    confirm(instructor_client, group, "username\nthea\n")
    assert "thea" in member_usernames(group)


def test_a_co_instructor_imports_with_their_own_students_not_the_owners(
    co_instructor, instructor, group, their_student
):
    """Whose students count is the importing teacher's: the owner's other groups do not lend theirs."""
    from tests.factories import GroupFactory

    lena = UserFactory(username="lena", first_name="Lena", last_name="Existing")
    GroupFactory(name="Owner only", instructors=[instructor], students=[lena])
    html = preview(client_for(co_instructor), group, "username\nlena\n").content.decode()
    assert "Lena" not in html
    assert "they will be invited" in html
