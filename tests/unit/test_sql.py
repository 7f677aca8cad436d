"""classroom/sql.py: every hand-written query reads what the ORM reads, field by field."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from classroom import sql
from classroom.models import Assignment, Group
from classroom.permissions import assignment_with_role

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_the_hand_written_assignment_query_reads_what_the_orm_reads(
    instructor, other_instructor, student, outsider, group, thread
):
    """assignment_with_role() (every thread view's query) equals the ORM's objects, field by field."""
    thread.due_at = timezone.now() + timedelta(days=2)
    thread.locked_at = timezone.now()
    thread.stance, thread.anonymous_to_peers, thread.reveal_quorum = True, True, 60
    thread.save()
    group.archived_at = timezone.now()
    group.save()
    group.instructors.add(other_instructor)
    expected = Assignment.objects.select_related("brief", "group").get(pk=thread.pk)
    roles = {
        instructor: Group.TEACHER,
        other_instructor: Group.TEACHER,
        student: Group.STUDENT,
        outsider: None,
    }
    for user, role in roles.items():
        loaded = assignment_with_role(thread.pk, user)
        assert field_values(loaded) == field_values(expected)
        assert field_values(loaded.brief) == field_values(expected.brief)
        assert field_values(loaded.group) == field_values(expected.group)
        assert timezone.is_aware(loaded.due_at) and loaded.stance is True  # converted, not raw text or 1
        assert loaded.group.role_of(user) == role
    assert assignment_with_role(thread.pk, AnonymousUser()).group.role_of(AnonymousUser()) is None
    assert assignment_with_role(thread.pk + 1000, student) is None


def test_the_signed_in_user_is_read_as_the_orm_reads_it(student):
    from classroom.auth import UserBackend

    student.last_login = timezone.now()
    student.save()
    loaded = UserBackend().get_user(student.pk)
    assert field_values(loaded) == field_values(type(student).objects.get(pk=student.pk))
    assert timezone.is_aware(loaded.last_login) and loaded.is_active is True
    student.is_active = False
    student.save()
    assert UserBackend().get_user(student.pk) is None  # a deactivated account is signed out
    assert UserBackend().get_user(student.pk + 1000) is None


def test_a_database_session_loads_until_it_expires(student):
    from django.contrib.sessions.models import Session

    from classroom.sessions import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(student.pk)
    session.create()
    assert SessionStore(session.session_key).load() == {"_auth_user_id": str(student.pk)}
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(session.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new key is made when it is saved, as Django's engine does


def test_taking_the_next_version_returns_the_thread_as_the_orm_reads_it(thread):
    thread.due_at = timezone.now() + timedelta(days=2)
    thread.stance, thread.reveal_quorum = True, 60
    thread.save()
    before = Assignment.objects.get(pk=thread.pk).version
    bumped = sql.bump_version(thread.pk)
    expected = Assignment.objects.get(pk=thread.pk)
    assert expected.version == before + 1
    assert field_values(bumped) == field_values(expected)
    assert timezone.is_aware(bumped.due_at) and bumped.stance is True
    assert sql.bump_version(thread.pk + 1000) is None


def test_the_role_query_says_who_teaches_and_who_belongs(
    instructor, other_instructor, student, outsider, group
):
    assert sql.role_in_group(group.pk, instructor.pk) == 2
    assert sql.role_in_group(group.pk, student.pk) == 1
    assert sql.role_in_group(group.pk, outsider.pk) == 0
    assert sql.role_in_group(group.pk, other_instructor.pk) == 0
    assert Group.objects.get(pk=group.pk).role_of(student) == Group.STUDENT


def test_the_hand_written_throttle_count_counts_what_the_orm_reads():
    """count_hit() inserts a row at 1, then adds one per hit, and returns what the ORM reads."""
    from datetime import UTC, datetime

    from classroom.models import ThrottleCount

    expires_at = datetime(2027, 1, 1, 12, 15, tzinfo=UTC)
    assert [sql.count_hit("throttle:test:a", expires_at) for _ in range(3)] == [1, 2, 3]
    assert sql.count_hit("throttle:test:b", expires_at) == 1
    rows = {row.key: (row.count, row.expires_at) for row in ThrottleCount.objects.all()}
    assert rows == {"throttle:test:a": (3, expires_at), "throttle:test:b": (1, expires_at)}


def test_the_assignment_query_brings_the_readers_seat_and_the_class_size(
    student, peer, outsider, group, thread
):
    from classroom.models import Membership, Participation
    from tests.factories import make_response

    make_response(thread, student, body="My answer, which gives me a seat.")
    for user in (student, peer, outsider):
        loaded = assignment_with_role(thread.pk, user)
        expected = Participation.objects.filter(assignment=thread, student=user).first()
        seat = loaded.read_with["seat"]
        assert (field_values(seat) if seat else None) == (field_values(expected) if expected else None)
        assert loaded.read_with["members"] == Membership.objects.filter(group=group).count()
        assert loaded.read_with["user"] == user.pk


def test_the_changed_families_read_what_the_orm_reads(thread, student, peer, other_peer, instructor):
    """sql.changed_families(): every response of the families changed after a version, with authors."""
    from django.db.models import Q

    from classroom.actions import edit_response
    from classroom.models import Response
    from tests.factories import make_response

    untouched = make_response(thread, peer, body="An answer nobody touches again.")
    make_response(thread, other_peer, parent=untouched, body="A reply to it.")
    answer = make_response(thread, student, body="An answer that gets a reply later.")
    first_reply = make_response(thread, peer, parent=answer, body="A first reply.")
    edited = make_response(thread, other_peer, body="An answer edited later.")
    since = Assignment.objects.get(pk=thread.pk).version
    make_response(thread, instructor, parent=first_reply, body="A reply to the first reply.")
    edit_response(response=edited, body="An answer, edited.", by=other_peer)
    loaded = sql.changed_families(thread.pk, since)
    families = Q(pk__in=[answer.pk, edited.pk]) | Q(parent_id__in=[answer.pk, edited.pk])
    expected = list(Response.objects.filter(families, assignment=thread).select_related("author"))
    assert [field_values(r) for r in loaded] == [field_values(r) for r in expected]
    assert [field_values(r.author) for r in loaded] == [field_values(r.author) for r in expected]
    assert all(timezone.is_aware(r.created_at) for r in loaded)
    assert sql.changed_families(thread.pk, Assignment.objects.get(pk=thread.pk).version) == []


def test_the_changed_families_read_the_thread_once_on_a_thread_newer_than_the_statistics(
    thread, student, peer, other_peer
):
    """On PostgreSQL, in a live class the thread grows faster than autovacuum analyzes it (a
    test database is never analyzed at all): the statement must read the thread's rows a few
    times at most, not once for each of them (a match on COALESCE(parent, id) was planned as a
    nested loop over the whole thread, 35 ms a post at 300 responses)."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from classroom.models import Response
    from tests.factories import make_response

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan")
    answer = make_response(thread, peer)
    make_response(thread, other_peer)
    for n in range(40):
        make_response(thread, (peer, other_peer)[n % 2], parent=answer, body=f"Reply {n} to the answer.")
    make_response(thread, student)
    since = Assignment.objects.get(pk=thread.pk).version - 1
    with CaptureQueriesContext(connection) as captured:
        assert len(sql.changed_families(thread.pk, since)) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + captured.captured_queries[0]["sql"])
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def rows_read(node: dict) -> int:
        own = 0
        if node.get("Relation Name") == Response._meta.db_table:
            removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
            own = (node["Actual Rows"] + removed) * node["Actual Loops"]
        return own + sum(rows_read(child) for child in node.get("Plans", []))

    responses = Response.objects.filter(assignment=thread).count()
    assert rows_read(plan[0]["Plan"]) <= 4 * responses


def test_the_response_query_reads_what_the_orm_reads_with_role_and_seat(
    instructor, student, peer, outsider, group, thread
):
    """response_with_role() (the reply, edit and delete views' query) equals the ORM's objects."""
    from classroom.models import Membership, Participation, Response
    from tests.factories import make_response

    answer = make_response(thread, peer, body="An answer to reply to.")
    Response.objects.filter(pk=answer.pk).update(hidden_at=timezone.now(), client_token="0" * 32)
    expected = Response.objects.select_related("author", "assignment__brief", "assignment__group").get(
        pk=answer.pk
    )
    roles = {instructor: 2, student: 1, peer: 1, outsider: 0}
    for user, role in roles.items():
        found = sql.response_with_role(answer.pk, user.pk)
        response, author, assignment, brief, group_read, code, seat, members, has_feedback = found
        assert has_feedback is False
        assert field_values(response) == field_values(expected)
        assert field_values(author) == field_values(expected.author)
        assert field_values(assignment) == field_values(expected.assignment)
        assert field_values(brief) == field_values(expected.assignment.brief)
        assert field_values(group_read) == field_values(expected.assignment.group)
        assert timezone.is_aware(response.hidden_at) and response.client_token == expected.client_token
        assert code == role
        own = Participation.objects.filter(assignment=thread, student=user).first()
        assert (field_values(seat) if seat else None) == (field_values(own) if own else None)
        assert members == Membership.objects.filter(group=group).count()
    assert sql.response_with_role(answer.pk + 1000, student.pk) is None


def test_the_post_state_reads_seat_alias_submit_reply_and_answers_as_the_orm_does(
    instructor, student, peer, other_peer, thread
):
    """post_state(): what posting reads under the thread lock, against the ORM's reads."""
    import uuid

    from django.db.models import Max

    from classroom.actions import delete_response
    from classroom.models import Participation, Response
    from tests.factories import make_response

    token = uuid.uuid4()
    answer = make_response(thread, peer, body="An answer.")
    Response.objects.filter(pk=answer.pk).update(client_token=token)
    reply = make_response(thread, other_peer, parent=answer, body="A reply.")
    mine = make_response(thread, student, body="My first answer, deleted later.")
    delete_response(response=mine, by=student)

    def orm_state(author, client_token, parent_id):
        seat = Participation.objects.filter(assignment=thread, student=author).first()
        alias = (Participation.objects.filter(assignment=thread).aggregate(n=Max("alias"))["n"] or 0) + 1
        earlier = client_token and Response.objects.filter(author=author, client_token=client_token).first()
        parent = Response.objects.filter(pk=parent_id).first()
        answers = Response.objects.filter(assignment=thread, author=author, parent=None)
        last = answers.order_by("-created_at", "-id").values_list("body", flat=True).first()
        return seat, alias, earlier, parent, answers.filter(deleted_at=None).count(), last

    def values(state):
        return [field_values(part) if hasattr(part, "_meta") else part for part in state]

    cases = [
        (peer, token, reply.pk),  # a stored submit, replying to a reply
        (peer, uuid.uuid4(), answer.pk),  # a new submit
        (student, None, None),  # no token; a deleted answer of their own
        (instructor, token, answer.pk),  # the same token is another author's submit; no seat
        (other_peer, None, answer.pk + 1000),  # replying to a response that is gone
    ]
    for author, client_token, parent_id in cases:
        state = sql.post_state(thread.pk, author.pk, client_token, parent_id)
        assert values(state) == values(orm_state(author, client_token, parent_id)), author
    assert sql.post_state(thread.pk, peer.pk, token, None)[2].pk == answer.pk
    assert sql.post_state(thread.pk, peer.pk, None, None)[4:] == (1, "An answer.")
    assert sql.post_state(thread.pk, student.pk, None, None)[4:] == (0, "My first answer, deleted later.")


def test_the_thread_queries_say_whether_the_reader_has_feedback(instructor, student, peer, thread):
    from classroom.actions import save_feedback
    from tests.factories import make_response

    answer = make_response(thread, peer, body="An answer.")
    save_feedback(assignment=thread, student=student, score=None, comment="Well argued.", by=instructor)
    for user, expected in ((student, True), (peer, False), (instructor, False)):
        assert assignment_with_role(thread.pk, user).read_with["has_feedback"] is expected
        assert sql.assignment_with_role(thread.pk, user.pk)[-1] is expected
        assert sql.response_with_role(answer.pk, user.pk)[-1] is expected
