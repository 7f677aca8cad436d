"""Notifications: who is told what, in the app and by mail through a real SMTP server.

Tasks run at once here (tests/task_settings.py); the worker's own tests start real worker
processes (test_task_worker.py).
"""

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from classroom import notifications
from classroom.actions import (
    AssignmentRules,
    assign_brief,
    delete_response,
    hide_response,
    mark_steelman_fair,
    save_feedback,
    set_thread_lock,
)
from classroom.models import Membership, Notification, NotificationSettings
from tests.factories import AssignmentFactory, BriefFactory, UserFactory, make_response
from tests.smtp import Inbox, SmtpServer

Kind = Notification.Kind


def told(user, kind=None):
    shown = Notification.objects.for_user(user)
    return list(shown.filter(kind=kind) if kind else shown)


def names_of(user) -> list[str]:
    return [user.first_name, user.last_name, user.username, user.email, user.get_full_name()]


# ---- a reply --------------------------------------------------------------------------------


def test_a_reply_tells_the_answer_author_in_the_app_and_by_mail(smtp, thread, student, peer):
    answer = make_response(thread, student)
    reply = make_response(thread, peer, body="I disagree, and here is why.", parent=answer)
    [notification] = told(student, Kind.REPLY)
    assert notification.response == reply and notification.read_at is None
    [mail] = smtp.inbox.to(student.email)
    assert mail["Subject"].startswith("[Agora] ")
    assert peer.get_full_name() in mail["Subject"]
    link = f"https://agora.school.example/a/{thread.pk}/#response-{reply.pk}"
    assert link in Inbox.text(mail)
    assert f'href="{link}"' in Inbox.html(mail)
    assert mail["List-Unsubscribe"].startswith("<https://agora.school.example/notifications/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Agora" in mail["From"] and peer.email not in mail["From"]


def test_nobody_is_told_of_their_own_reply(smtp, thread, student):
    answer = make_response(thread, student)
    make_response(thread, student, body="Adding to my own answer.", parent=answer)
    assert told(student) == []
    assert smtp.inbox.messages == []


def test_a_reply_to_a_reply_tells_the_one_it_answers(smtp, thread, student, peer, other_peer):
    answer = make_response(thread, student)
    first = make_response(thread, peer, body="First reply.", parent=answer)
    make_response(thread, other_peer, body="Answering the first reply.", parent=first)
    assert len(told(peer, Kind.REPLY)) == 1
    assert len(told(student, Kind.REPLY)) == 1  # only the first reply answered the student


def test_anonymous_thread_names_nobody_in_subject_body_or_headers(smtp, group, student, peer, instructor):
    thread = AssignmentFactory(group=group, anonymous_to_peers=True)
    answer = make_response(thread, student)
    reply = make_response(thread, peer, body="A classmate's reply.", parent=answer)
    [mail] = smtp.inbox.to(student.email)
    everything = Inbox.everything(mail)
    for name in names_of(peer):
        assert name not in everything
    assert f"Classmate {reply.alias}" in mail["Subject"]
    [notification] = told(student)
    assert notifications.headline(notification) == (
        f"Classmate {reply.alias} replied to you in “{thread.brief.title}”"
    )
    # The teacher, who sees names in the thread, sees the name in the list too.
    teacher_reply_to_peer = make_response(thread, student, body="Back to you.", parent=reply)
    assert teacher_reply_to_peer.alias is not None
    [to_peer] = smtp.inbox.to(peer.email)
    for name in names_of(student):
        assert name not in Inbox.everything(to_peer)


def test_the_list_page_shows_the_pseudonym_to_students_and_the_name_to_teachers(
    group, student, peer, instructor, peer_client, instructor_client
):
    thread = AssignmentFactory(group=group, anonymous_to_peers=True)
    answer = make_response(thread, peer)
    teacher_reply = make_response(thread, instructor, body="What is your source?", parent=answer)
    reply = make_response(thread, student, body="The ministry's report.", parent=teacher_reply)
    make_response(thread, student, body="And a second point.", parent=answer)
    peer_page = client_page(peer_client)
    assert f"Classmate {reply.alias} replied to you" in peer_page
    assert "Tess Teacher replied to you" in peer_page  # teachers are never anonymous
    for name in names_of(student):
        assert name not in peer_page
    teacher_page = client_page(instructor_client)
    assert f"Sam Student (Classmate {reply.alias}) replied to you" in teacher_page


def client_page(client) -> str:
    return client.get(reverse("classroom:notification_list")).content.decode()


def test_a_deleted_reply_withdraws_its_unread_notification(thread, student, peer):
    answer = make_response(thread, student)
    reply = make_response(thread, peer, body="Wrong thread, sorry.", parent=answer)
    assert len(told(student)) == 1
    delete_response(response=reply, by=peer)
    assert told(student) == []


def test_a_read_notification_stays_when_its_reply_is_deleted(thread, student, peer):
    answer = make_response(thread, student)
    reply = make_response(thread, peer, body="A reply.", parent=answer)
    notifications.mark_read(user=student)
    delete_response(response=reply, by=peer)
    assert len(told(student)) == 1


def test_a_hidden_reply_withdraws_and_sends_no_mail(settings, thread, student, peer, instructor):
    NotificationSettings.objects.create(user=student, daily_digest=True)  # mail waits for the digest
    answer = make_response(thread, student)
    reply = make_response(thread, peer, body="Something rude.", parent=answer)
    assert len(told(student)) == 1
    hide_response(response=reply, by=instructor, reason="Rude.")
    assert told(student) == []
    with SmtpServer() as server:
        from classroom.mail import mailer_from_url

        settings.MAILERS = {"default": mailer_from_url(server.url, base_dir=settings.BASE_DIR)}
        notifications.send_due_mail(now=timezone.now() + timedelta(days=2))
        assert server.inbox.messages == []


def test_a_locked_thread_mails_no_one_what_was_waiting(settings, thread, student, peer, instructor):
    NotificationSettings.objects.create(user=student, daily_digest=True)
    answer = make_response(thread, student)
    make_response(thread, peer, body="A reply.", parent=answer)
    set_thread_lock(assignment=thread, locked=True, by=instructor)
    with SmtpServer() as server:
        from classroom.mail import mailer_from_url

        settings.MAILERS = {"default": mailer_from_url(server.url, base_dir=settings.BASE_DIR)}
        notifications.send_due_mail(now=timezone.now() + timedelta(days=2))
        assert server.inbox.messages == []


# ---- post first and the fair reveal ----------------------------------------------------------


def test_a_reply_the_student_cannot_see_yet_is_held_until_the_reveal(smtp, group, student, peer, instructor):
    thread = AssignmentFactory(group=group, reveal_quorum=100)
    answer = make_response(thread, student)
    make_response(thread, instructor, body="Good start; say more about the cause.", parent=answer)
    assert told(student) == [] and smtp.inbox.to(student.email) == []
    assert notifications.unread_count(student) == 0
    make_response(thread, peer)  # the whole class has answered: every answer opens
    notifications.release_held()
    notifications.send_due_mail()
    assert len(told(student, Kind.REPLY)) == 1
    assert len(smtp.inbox.to(student.email)) == 1


def test_a_new_discussion_that_opens_later_is_told_when_it_opens(smtp, group, student, instructor):
    later = timezone.now() + timedelta(days=1)
    rules = AssignmentRules(opens_at=later, due_at=later + timedelta(days=7))
    [thread] = assign_brief(brief=BriefFactory(), groups=[group], rules=rules, by=instructor)
    assert told(student) == []
    assert Notification.objects.filter(recipient=student, released_at__isnull=True).count() == 1
    notifications.release_held(now=later + timedelta(minutes=1))
    [notification] = told(student, Kind.NEW_THREAD)
    assert notification.assignment == thread
    assert told(instructor) == []  # their own action


# ---- the other kinds --------------------------------------------------------------------------


def test_feedback_tells_the_student_and_names_no_score_in_the_subject(smtp, thread, student, instructor):
    make_response(thread, student)
    save_feedback(
        assignment=thread, student=student, score=Decimal("8"), comment="Well argued.", by=instructor
    )
    [notification] = told(student, Kind.FEEDBACK)
    [mail] = smtp.inbox.to(student.email)
    assert "Feedback" in mail["Subject"]


def test_a_restatement_marked_fair_tells_its_author(smtp, group, student, peer):
    thread = AssignmentFactory(group=group, steelman=True)
    answer = make_response(thread, student)
    from classroom.actions import post_response

    reply = post_response(
        assignment=thread,
        author=peer,
        body="But the numbers say otherwise.",
        parent=answer,
        steelman="You say the policy worked because prices fell over the year.",
    )
    mark_steelman_fair(response=reply, by=student, fair=True)
    assert len(told(peer, Kind.FAIR)) == 1
    mark_steelman_fair(response=reply, by=student, fair=False)
    mark_steelman_fair(response=reply, by=student, fair=True)
    assert len(told(peer, Kind.FAIR)) == 1  # once per restatement


def test_reopening_tells_the_students_who_posted(smtp, thread, student, peer, instructor, co_instructor):
    make_response(thread, student)
    set_thread_lock(assignment=thread, locked=True, by=instructor)
    set_thread_lock(assignment=thread, locked=False, by=instructor)
    assert len(told(student, Kind.REOPENED)) == 1
    assert told(peer, Kind.REOPENED) == []  # never posted there
    assert len(told(co_instructor, Kind.REOPENED)) == 1
    assert told(instructor, Kind.REOPENED) == []


def test_due_soon_reminds_only_who_has_not_answered_and_only_once(smtp, group, student, peer):
    thread = AssignmentFactory(group=group, due_at=timezone.now() + timedelta(hours=20))
    make_response(thread, peer)
    assert notifications.remind_due_soon() == 1
    assert notifications.remind_due_soon() == 0
    assert len(told(student, Kind.DUE_SOON)) == 1
    assert told(peer, Kind.DUE_SOON) == []
    assert len(smtp.inbox.to(student.email)) == 0  # mail goes with the sweep's send
    notifications.send_due_mail()
    assert "due within 24 hours" in smtp.inbox.to(student.email)[0]["Subject"]


def test_instructor_digest_lists_who_has_not_posted(smtp, thread, group, student, peer, instructor):
    make_response(thread, peer)
    tomorrow = timezone.localdate() + timedelta(days=1)
    morning = datetime.combine(tomorrow, time(8, 0), tzinfo=timezone.get_default_timezone())
    notifications.instructor_digests(now=morning)
    notifications.instructor_digests(now=morning + timedelta(hours=1))
    notifications.send_due_mail(now=morning + timedelta(hours=1))
    [mail] = smtp.inbox.to(instructor.email)
    text = Inbox.text(mail)
    assert "Daily digest" in mail["Subject"]
    assert student.display_name in text and "Posted: 1" in text


# ---- mail: idempotent, retried, settings --------------------------------------------------------


def test_running_a_task_again_tells_nobody_twice(smtp, thread, student, peer):
    answer = make_response(thread, student)
    reply = make_response(thread, peer, body="A reply.", parent=answer)
    notifications.fan_out(Kind.REPLY, reply.pk, peer.pk)
    notifications.send_due_mail()
    assert len(told(student)) == 1
    assert len(smtp.inbox.to(student.email)) == 1


def test_a_server_refusing_for_a_while_gets_every_mail_once(settings, thread, student, peer, other_peer):
    from classroom.mail import mailer_from_url

    with SmtpServer(refuse=5) as server:
        settings.MAILERS = {"default": mailer_from_url(server.url, base_dir=settings.BASE_DIR)}
        answer = make_response(thread, student)
        for author in (peer, other_peer):
            make_response(thread, author, body=f"A reply by {author.username}.", parent=answer)
        now = timezone.now()
        for _ in range(10):
            now += timedelta(hours=2)  # past any backoff
            notifications.send_due_mail(now=now)
        assert server.inbox.refused == 5
        assert len(server.inbox.to(student.email)) == 2
        assert len({m["Message-ID"] for m in server.inbox.messages}) == 2
    stuck = Notification.objects.filter(email_due_at__isnull=False, email_sent_at__isnull=True)
    assert not stuck.exists()


def test_backoff_grows_and_is_capped():
    assert notifications.backoff(1) == timedelta(seconds=10)
    assert notifications.backoff(2) == timedelta(seconds=20)
    assert notifications.backoff(30) == timedelta(hours=1)


def test_a_kind_switched_off_sends_no_mail_but_keeps_the_bell(smtp, thread, student, peer):
    NotificationSettings.objects.create(user=student, email_off=[Kind.REPLY])
    answer = make_response(thread, student)
    make_response(thread, peer, body="A reply.", parent=answer)
    assert len(told(student)) == 1
    assert smtp.inbox.messages == []


def test_quiet_hours_hold_mail_until_they_end_in_the_persons_zone(student):
    student.time_zone = "America/Chicago"
    prefs = NotificationSettings(user=student, quiet_from=time(22, 0), quiet_until=time(7, 0))
    late_evening = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 23:00 in Chicago
    at = notifications.mail_time(student, Kind.REPLY, late_evening, prefs)
    assert at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 07:00 in Chicago
    noon = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert notifications.mail_time(student, Kind.REPLY, noon, prefs) == noon


def test_a_daily_digest_puts_several_notifications_in_one_mail(smtp, thread, student, peer, other_peer):
    NotificationSettings.objects.create(user=student, daily_digest=True)
    answer = make_response(thread, student)
    for author in (peer, other_peer):
        make_response(thread, author, body="A reply.", parent=answer)
    assert smtp.inbox.messages == []
    notifications.send_due_mail(now=timezone.now() + timedelta(days=1, hours=1))
    [mail] = smtp.inbox.to(student.email)
    assert "digest" in mail["Subject"] and Inbox.text(mail).count("replied to you") == 2
    # Its one-click unsubscribe stops every kind: the digest holds them all.
    url = mail["List-Unsubscribe"].strip("<>").removeprefix("https://agora.school.example")
    Client().post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert set(NotificationSettings.objects.get(user=student).email_off) >= set(Kind.values)


def test_no_mail_without_an_address(smtp, thread, peer):
    nomail = UserFactory(username="nomail", email="")
    Membership.objects.create(group=thread.group, student=nomail)
    answer = make_response(thread, nomail)
    make_response(thread, peer, body="A reply.", parent=answer)
    assert len(told(nomail)) == 1 and smtp.inbox.messages == []


# ---- pages -----------------------------------------------------------------------------------


def test_the_list_links_to_the_exact_response_and_marks_read(thread, student, peer, student_client):
    answer = make_response(thread, student)
    reply = make_response(thread, peer, body="A reply.", parent=answer)
    page = student_client.get(reverse("classroom:notification_list")).content.decode()
    [notification] = told(student)
    # Unread, its headline opens it through the form that marks it read on the way.
    opens = reverse("classroom:notification_read", args=[notification.pk])
    assert f'action="{opens}"' in page and 'name="next" value="open"' in page
    assert "1 unread" in page
    done = student_client.post(opens, {"next": "open"})
    assert done.status_code == 302 and done["Location"] == f"/a/{thread.pk}/#response-{reply.pk}"
    assert notifications.unread_count(student) == 0
    page = student_client.get(reverse("classroom:notification_list")).content.decode()
    assert f'href="/a/{thread.pk}/#response-{reply.pk}"' in page  # read, it is a plain link


def test_mark_all_read(thread, student, peer, other_peer, student_client):
    answer = make_response(thread, student)
    for author in (peer, other_peer):
        make_response(thread, author, body="A reply.", parent=answer)
    assert notifications.unread_count(student) == 2
    student_client.post(reverse("classroom:notification_read_all"))
    assert notifications.unread_count(student) == 0
    assert "All read" in student_client.get(reverse("classroom:notification_list")).content.decode()


def test_a_student_cannot_mark_another_persons_notification(thread, student, peer, peer_client):
    answer = make_response(thread, student)
    make_response(thread, peer, body="A reply.", parent=answer)
    [notification] = told(student)
    assert peer_client.post(reverse("classroom:notification_read", args=[notification.pk])).status_code == 404
    assert notifications.unread_count(student) == 1


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_page_queries_do_not_grow(
    count, group, student, student_client, instructor_client, django_assert_max_num_queries
):
    thread = AssignmentFactory(group=group, anonymous_to_peers=True)
    answer = make_response(thread, student)
    for n in range(count):
        peer = UserFactory(username=f"replier{n}")
        Membership.objects.create(group=group, student=peer)
        make_response(thread, peer, body=f"Reply {n}.", parent=answer)
    # session, user, the notifications, the groups the reader teaches
    with django_assert_max_num_queries(5):
        page = student_client.get(reverse("classroom:notification_list")).content.decode()
    assert page.count('class="notification ') == count
    with django_assert_max_num_queries(5):
        assert instructor_client.get(reverse("classroom:notification_list")).status_code == 200


def test_the_bell_counts_unread(thread, student, peer, student_client):
    answer = make_response(thread, student)
    make_response(thread, peer, body="A reply.", parent=answer)
    bell = student_client.get(reverse("classroom:notification_bell")).content.decode()
    assert re.search(r"</span>1<span class=\"visually-hidden\"> unread", bell)
    assert 'aria-live="polite"' in bell


def test_the_poll_brings_the_bell_when_a_notification_arrives(thread, student, peer, student_client):
    answer = make_response(thread, student)
    page = student_client.get(reverse("classroom:thread_detail", args=[thread.pk])).content.decode()
    poll = re.search(r'hx-get="([^"]*/poll/[^"]*)"', page).group(1).replace("&amp;", "&")
    assert student_client.get(poll, headers={"HX-Request": "true"}).status_code == 204
    other = AssignmentFactory(group=thread.group)
    other_answer = make_response(other, student)
    make_response(other, peer, body="A reply elsewhere.", parent=other_answer)  # another thread
    from classroom import caching

    caching.forget_everything()  # as if a second passed: the bell version is read again
    answered = student_client.get(poll, headers={"HX-Request": "true"})
    assert answered.status_code == 200
    body = answered.content.decode()
    assert '<span id="notification-bell-count" hx-swap-oob="innerHTML">' in body
    assert "1<span" in body
    assert answer.pk  # the thread itself did not change for the reply elsewhere


def test_settings_page_saves_and_refuses_half_quiet_hours(student, student_client):
    url = reverse("classroom:notification_settings")
    assert student_client.get(url).status_code == 200
    refused = student_client.post(url, {"email_on": ["reply"], "quiet_from": "22:00"})
    assert refused.status_code == 200 and "both ends" in refused.content.decode()
    assert not NotificationSettings.objects.filter(user=student).exists()
    saved = student_client.post(
        url, {"email_on": ["reply", "feedback"], "quiet_from": "22:00", "quiet_until": "07:00"}
    )
    assert saved.status_code == 302
    prefs = NotificationSettings.objects.get(user=student)
    assert Kind.REPLY not in prefs.email_off and Kind.NEW_THREAD in prefs.email_off
    assert prefs.quiet_from == time(22, 0)


def test_one_click_unsubscribe_from_the_mail_header(smtp, thread, student, peer, client):
    answer = make_response(thread, student)
    make_response(thread, peer, body="A reply.", parent=answer)
    [mail] = smtp.inbox.to(student.email)
    url = mail["List-Unsubscribe"].strip("<>").removeprefix("https://agora.school.example")
    assert client.get(url).status_code == 200  # a page with a button; GET changes nothing
    assert not NotificationSettings.objects.filter(user=student).exists()
    # RFC 8058: the mail program POSTs this body, with no cookie and no CSRF token.
    done = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert Kind.REPLY in NotificationSettings.objects.get(user=student).email_off


def test_a_forged_unsubscribe_link_is_404(client, student):
    token = notifications.unsubscribe_token(student, Kind.REPLY)
    assert (
        client.post(reverse("classroom:notification_unsubscribe", args=[token[:-2] + "xx"])).status_code
        == 404
    )


def test_a_failing_task_never_fails_the_post(thread, student, peer):
    answer = make_response(thread, student)
    with mock.patch.object(notifications, "fan_out", side_effect=RuntimeError("boom")):
        reply = make_response(thread, peer, body="Still posted.", parent=answer)
    assert reply.pk is not None


def test_the_bell_adds_no_query_to_the_empty_poll(student_client, thread, student, django_assert_num_queries):
    page = student_client.get(reverse("classroom:thread_detail", args=[thread.pk])).content.decode()
    poll = re.search(r'hx-get="([^"]*/poll/[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "&n=" in poll
    assert student_client.get(poll).status_code == 204  # reads the thread's state, kept a second
    with django_assert_num_queries(0):
        assert student_client.get(poll).status_code == 204
