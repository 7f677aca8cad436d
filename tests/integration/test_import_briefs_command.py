"""`manage.py import_briefs`: all or nothing, idempotent, and errors that name the file and line."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefs.models import Brief, Tag
from tests.factories import BriefFactory, InstructorFactory

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2] / "briefs" / "fixtures" / "briefs-russia-us-2025.txt"

GOOD = (
    "Talks resume in Riyadh\n"
    "Ministers met on Tuesday.\n"
    "The meeting signals more than it settles.\n"
    "Will the talks last?\n"
    "\n"
    "Russia proposed restoring direct flights.\n"
    "Who gains most from reopened air links?\n"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_briefs", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_file_imports_26_briefs():
    output = run(str(SEED))
    assert "26 created, 0 unchanged." in output
    assert Brief.objects.count() == 26
    first = Brief.objects.get(
        title="Kremlin Says Dialogue with Us Should Move Forward but Nobody Expects Quick Solutions"
    )
    assert first.commentary != ""
    assert first.question.endswith("?")


def test_importing_the_seed_file_again_changes_nothing():
    run(str(SEED))
    before = dict(Brief.objects.values_list("content_hash", "updated_at"))
    output = run(str(SEED))
    assert "0 created, 26 unchanged." in output
    assert Brief.objects.count() == 26
    assert dict(Brief.objects.values_list("content_hash", "updated_at")) == before


def test_reimport_with_different_whitespace_counts_as_unchanged(tmp_path):
    run(str(write(tmp_path, "a.txt", GOOD)))
    respaced = GOOD.replace("Ministers met", "Ministers   met").replace("\n", "  \r\n")
    output = run(str(write(tmp_path, "b.txt", respaced)))
    assert "0 created, 2 unchanged." in output
    assert Brief.objects.count() == 2


def test_dry_run_writes_nothing():
    output = run(str(SEED), "--dry-run")
    assert "26 briefs parsed" in output
    assert "nothing written" in output
    assert Brief.objects.count() == 0


def test_dry_run_with_a_tag_creates_no_tag():
    run(str(SEED), "--dry-run", "--tag", "russia")
    assert Tag.objects.count() == 0


def test_tag_option_tags_every_created_brief(tmp_path):
    run(str(write(tmp_path, "briefs.txt", GOOD)), "--tag", "Diplomacy", "--tag", "Russia")
    assert Brief.objects.count() == 2
    for brief in Brief.objects.all():
        assert sorted(brief.tags.values_list("name", flat=True)) == ["Diplomacy", "Russia"]


def test_tag_option_reuses_an_existing_tag_whatever_its_case(tmp_path):
    Tag.objects.create(name="Russia", slug="russia")
    run(str(write(tmp_path, "briefs.txt", GOOD)), "--tag", "russia")
    assert Tag.objects.count() == 1
    assert Tag.objects.get().briefs.count() == 2


def test_created_by_option_records_the_author(tmp_path):
    author = InstructorFactory(username="tess")
    run(str(write(tmp_path, "briefs.txt", GOOD)), "--created-by", "tess")
    assert Brief.objects.count() == 2
    assert set(Brief.objects.values_list("created_by", flat=True)) == {author.pk}


def test_without_created_by_the_briefs_have_no_author(tmp_path):
    run(str(write(tmp_path, "briefs.txt", GOOD)))
    assert set(Brief.objects.values_list("created_by", flat=True)) == {None}


def test_unknown_created_by_user_is_a_command_error_and_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="nobody"):
        run(str(write(tmp_path, "briefs.txt", GOOD)), "--created-by", "nobody")
    assert Brief.objects.count() == 0


def test_one_malformed_brief_among_good_ones_names_file_and_line_and_writes_nothing(tmp_path):
    malformed = GOOD + "\nLine a.\nLine b.\nLine c.\nLine d.\nA question after four lines?\n"
    path = write(tmp_path, "malformed.txt", malformed)
    with pytest.raises(CommandError) as raised:
        run(str(path))
    message = str(raised.value)
    assert str(path) in message
    assert "line 9" in message
    assert "nothing imported" in message
    assert Brief.objects.count() == 0


def test_text_after_the_last_question_names_file_and_line_and_writes_nothing(tmp_path):
    path = write(tmp_path, "trailing.txt", GOOD + "\nA summary whose question was forgotten.\n")
    with pytest.raises(CommandError, match=r"trailing\.txt: line 9: "):
        run(str(path))
    assert Brief.objects.count() == 0


def test_a_malformed_second_file_writes_nothing_from_the_first(tmp_path):
    good = write(tmp_path, "good.txt", GOOD)
    bad = write(tmp_path, "bad.txt", "Orphan question?\n")
    with pytest.raises(CommandError) as raised:
        run(str(good), str(bad))
    assert str(bad) in str(raised.value)
    assert "line 1" in str(raised.value)
    assert Brief.objects.count() == 0
    assert Tag.objects.count() == 0


def test_a_malformed_file_leaves_existing_briefs_alone(tmp_path):
    run(str(SEED))
    bad = write(tmp_path, "bad.txt", GOOD + "Trailing text.\n")
    with pytest.raises(CommandError):
        run(str(bad), "--tag", "new")
    assert Brief.objects.count() == 26
    assert Tag.objects.count() == 0


def test_missing_file_is_a_clear_command_error(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(CommandError) as raised:
        run(str(missing))
    assert str(raised.value) == f"{missing}: no such file"


def test_missing_second_file_writes_nothing_from_the_first(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(write(tmp_path, "good.txt", GOOD)), str(tmp_path / "missing.txt"))
    assert Brief.objects.count() == 0


def test_non_utf8_file_is_a_clear_command_error_naming_the_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Ministers met.\nWill they last?\nCaf\u00e9 talks.\nWho pays?\n".encode("latin-1"))
    with pytest.raises(CommandError) as raised:
        run(str(path))
    assert str(raised.value) == f"{path}: line 3: not valid UTF-8"
    assert Brief.objects.count() == 0


def test_utf8_file_with_bom_and_crlf_imports(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8"))
    assert "2 created, 0 unchanged." in run(str(path))
    assert Brief.objects.filter(title="Talks resume in Riyadh").exists()


def test_two_different_briefs_with_the_same_title_get_distinct_slugs(tmp_path):
    text = (
        "Talks resume\nMinisters met in Riyadh.\nWill they last?\n\n"
        "Talks resume\nMinisters met in Istanbul.\nWho sets the agenda?\n"
    )
    assert "2 created, 0 unchanged." in run(str(write(tmp_path, "same-title.txt", text)))
    slugs = sorted(Brief.objects.values_list("slug", flat=True))
    assert slugs == ["talks-resume", "talks-resume-2"]


def test_a_title_taken_by_an_existing_brief_gets_a_new_slug(tmp_path):
    BriefFactory(title="Talks resume", slug="talks-resume")
    run(str(write(tmp_path, "briefs.txt", "Talks resume\nMinisters met in Riyadh.\nWill they last?\n")))
    assert sorted(Brief.objects.values_list("slug", flat=True)) == ["talks-resume", "talks-resume-2"]


def test_the_same_brief_twice_in_one_run_is_created_once(tmp_path):
    first = write(tmp_path, "one.txt", GOOD)
    second = write(tmp_path, "two.txt", GOOD)
    assert "2 created, 0 unchanged." in run(str(first), str(second))
    assert Brief.objects.count() == 2


def test_verbosity_two_lists_the_created_titles(tmp_path):
    out = StringIO()
    call_command("import_briefs", str(write(tmp_path, "b.txt", GOOD)), verbosity=2, stdout=out)
    assert "  + Talks resume in Riyadh" in out.getvalue()
    assert "  + Russia proposed restoring direct flights" in out.getvalue()


def test_a_changed_headline_is_reported_and_renamed_only_with_update_titles(tmp_path):
    path = write(tmp_path, "briefs.txt", "Riyadh talks\nMinisters met.\nWill the talks last?\n")
    run(str(path))
    renamed = write(tmp_path, "renamed.txt", "Talks resume in Riyadh\nMinisters met.\nWill the talks last?\n")

    output = run(str(renamed))
    assert "changed: 'Riyadh talks' -> 'Talks resume in Riyadh'" in output
    assert "run again with --update-titles" in output
    assert "0 created, 1 unchanged." in output
    assert Brief.objects.get().title == "Riyadh talks"

    output = run(str(renamed), "--update-titles")
    assert "0 created, 1 retitled, 0 unchanged." in output
    assert Brief.objects.get().title == "Talks resume in Riyadh"
