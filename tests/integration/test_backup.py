"""A backup taken while the site runs restores to exactly the data it copied."""

import pytest
from django.core.management import CommandError, call_command

from briefs.models import Brief
from classroom.models import Feedback, Membership, Response
from tests.factories import make_response

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict:
    return {
        "briefs": sorted(Brief.objects.values_list("title", flat=True)),
        "members": Membership.objects.count(),
        "responses": sorted(Response.objects.values_list("body", "parent_id", "version")),
        "feedback": sorted(Feedback.objects.values_list("comment", flat=True)),
    }


def test_backup_then_restore_round_trips_the_data(tmp_path, thread, student, instructor, group):
    from classroom.actions import save_feedback

    answer = make_response(thread, student, body="An answer worth keeping.")
    make_response(thread, instructor, body="A reply worth keeping.", parent=answer)
    save_feedback(assignment=thread, student=student, score=8, comment="Well argued.", by=instructor)
    before = snapshot()
    backup = tmp_path / "agora-backup"  # a SQLite file or a JSON dump, whatever the database
    call_command("backup_data", str(backup), verbosity=0)
    assert backup.stat().st_size > 0

    # Life goes on: a post is deleted, another added, the feedback changed...
    Response.objects.filter(pk=answer.pk).delete()
    make_response(thread, student, body="Written after the backup.")
    Feedback.objects.update(comment="Changed after the backup.")
    assert snapshot() != before

    call_command("restore_data", str(backup), yes=True, verbosity=0)
    assert snapshot() == before


def test_backup_refuses_to_overwrite_a_file(tmp_path, db):
    existing = tmp_path / "agora-backup"
    existing.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup_data", str(existing), verbosity=0)
    assert existing.read_text() == "keep me"


def test_restore_of_a_missing_file_changes_nothing(tmp_path, thread, student):
    make_response(thread, student, body="Still here.")
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore_data", str(tmp_path / "nothing"), yes=True, verbosity=0)
    assert Response.objects.filter(body="Still here.").exists()
