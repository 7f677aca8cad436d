"""Mail is written in its recipient's language, whoever's request (or no request: the task
worker) caused it; someone who chose none gets the site's LANGUAGE_CODE."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import make_response
from tests.smtp import Inbox


@pytest.fixture
def russian_student(student):
    student.language = "ru"
    student.save()
    return student


def test_a_russian_students_reply_mail_is_in_russian_whatever_the_replier_reads(
    smtp,
    thread,
    russian_student,
    peer,
):
    answer = make_response(thread, russian_student)
    with translation.override("de"):  # the classmate who replies reads Agora in German
        make_response(thread, peer, body="Ich sehe das anders.", parent=answer)
    [mail] = smtp.inbox.to(russian_student.email)
    assert mail["Content-Language"] == "ru"
    assert '<html lang="ru"' in Inbox.html(mail)


def test_someone_who_chose_no_language_gets_mail_in_the_sites(smtp, thread, student, peer):
    answer = make_response(thread, peer)
    with translation.override("fr"):
        make_response(thread, student, body="Une réponse.", parent=answer)
    [mail] = smtp.inbox.to(peer.email)
    assert mail["Content-Language"] == "en"
    assert '<html lang="en"' in Inbox.html(mail)


def test_a_password_reset_mail_is_in_the_accounts_language_not_the_askers(
    smtp,
    russian_student,
):
    russian_student.email = "ru@school.example"
    russian_student.save()
    asked = Client().post(
        reverse("password_reset"), {"email": "ru@school.example"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert asked.status_code == 302
    [mail] = smtp.inbox.to("ru@school.example")
    assert mail["Content-Language"] == "ru"
    # Django's own catalog already translates the subject: the reader sees Russian.
    assert "Сброс пароля" in mail["Subject"]
