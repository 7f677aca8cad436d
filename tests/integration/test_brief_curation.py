"""Curating the brief library: import with preview and confirm, create and edit with a
live preview, archive and restore, for each role."""

import html
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from briefs.importer import parse_briefs
from briefs.models import Brief, Tag
from tests.factories import BriefFactory, TagFactory, make_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def brief(instructor):
    """A brief the signed-in instructor owns: only owners edit and archive."""
    return BriefFactory(created_by=instructor)


def current(brief: Brief) -> Brief:
    """The library's newest version of `brief` (an edit of the text saves a new one)."""
    return Brief.objects.current().get(slug=brief.slug)


SEED = Path(__file__).resolve().parents[2] / "briefs" / "fixtures" / "briefs-russia-us-2025.txt"

LIST_URL = reverse("briefs:brief_list")
IMPORT_URL = reverse("briefs:brief_import")
NEW_URL = reverse("briefs:brief_create")
PREVIEW_URL = reverse("briefs:brief_preview")
HTMX = {"HX-Request": "true"}

# One brief with a headline and a commentary, one with a summary only.
TWO_BRIEFS = (
    "Talks resume in Riyadh\n"
    "Ministers met on Tuesday to restore embassy staff.\n"
    "The meeting signals more than it settles.\n"
    "Will the talks last?\n"
    "\n"
    "Russia proposed restoring direct flights between the two countries.\n"
    "Who gains most from reopened air links?\n"
)
# Line 1 starts a run of four lines before the question on line 5; line 7 ends without one.
MALFORMED = (
    "Talks resume in Riyadh\n"
    "Ministers met on Tuesday.\n"
    "The meeting signals more than it settles.\n"
    "A stray fourth line.\n"
    "Will the talks last?\n"
    "\n"
    "A summary whose question lost its mark.\n"
)


# ---- reading and submitting forms as a browser would ----------------------


class _FormReader(HTMLParser):
    """Collect each <form>: its attributes and the values it would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {"attrs": attributes, "fields": [], "buttons": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attributes.get("type") not in ("file", "submit", "checkbox", "radio"):
            self._form["fields"].append((attributes.get("name", ""), attributes.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._chunks = attributes.get("name", ""), []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._chunks.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._form is not None and self._textarea is not None:
            # Browsers drop one newline right after <textarea>.
            self._form["fields"].append((self._textarea, "".join(self._chunks).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_in(page: str) -> list[dict]:
    reader = _FormReader()
    reader.feed(page)
    return reader.forms


def confirm_form(page: str) -> dict | None:
    found = [form for form in forms_in(page) if ("step", "confirm") in form["fields"]]
    return found[0] if found else None


def textarea_value(page: str, name: str) -> str:
    for form in forms_in(page):
        for field, value in form["fields"]:
            if field == name:
                return value
    raise AssertionError(f"no field named {name!r}")


def submit(client: Client, form: dict):
    """Post a form the way a browser does: its action, its encoding, CRLF line breaks."""
    data = [
        (name, value.replace("\r\n", "\n").replace("\n", "\r\n")) for name, value in form["fields"] if name
    ]
    action = form["attrs"].get("action") or IMPORT_URL
    if form["attrs"].get("enctype") == "multipart/form-data":
        return client.post(action, dict(data))
    return client.post(action, urlencode(data), content_type="application/x-www-form-urlencoded")


def preview_import(client: Client, text: str = "", **extra):
    return client.post(IMPORT_URL, {"step": "preview", "text": text, **extra})


def import_text(client: Client, text: str, tags: str = ""):
    """Preview, then press the confirm button the preview page shows."""
    page = preview_import(client, text, tags=tags).content.decode()
    form = confirm_form(page)
    assert form is not None, "the preview shows no confirm button"
    return submit(client, form)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# ---- import: preview ------------------------------------------------------


def test_import_page_offers_upload_and_paste(instructor_client):
    response = instructor_client.get(IMPORT_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="file"' in page
    assert '<textarea name="text"' in page
    assert 'name="tags"' in page
    assert confirm_form(page) is None


def test_import_preview_shows_title_summary_commentary_and_question_of_every_brief(instructor_client):
    page = preview_import(instructor_client, TWO_BRIEFS).content.decode()
    assert "2 briefs read" in page
    assert "Talks resume in Riyadh" in page
    assert "Ministers met on Tuesday to restore embassy staff." in page
    assert "The meeting signals more than it settles." in page
    assert "Will the talks last?" in page
    # The second brief has no headline: its title comes from its summary.
    assert "<h3>Russia proposed restoring direct flights between the two countries</h3>" in page
    assert "Who gains most from reopened air links?" in page
    assert page.count('class="badge badge-done">New<') == 2
    assert "Add 2 briefs to the library" in page


def test_import_preview_writes_nothing(instructor_client):
    BriefFactory()
    before = Brief.objects.count()
    response = preview_import(instructor_client, TWO_BRIEFS, tags="Energy, Arctic")
    assert response.status_code == 200
    assert Brief.objects.count() == before
    assert not Tag.objects.exists()


def test_import_preview_marks_briefs_already_in_the_library(instructor_client):
    # Whitespace does not count: the library copy is the same brief.
    BriefFactory(
        title="Flights",
        summary="Russia  proposed restoring direct flights between the two countries.",
        question="Who gains most from   reopened air links?",
    )
    page = preview_import(instructor_client, TWO_BRIEFS).content.decode()
    cards = re.findall(r'<article class="brief-card import-card.*?</article>', page, re.S)
    assert len(cards) == 2
    assert "Talks resume in Riyadh" in cards[0]
    assert "New" in cards[0] and "Already in the library" not in cards[0]
    assert "Already in the library" in cards[1]
    assert "2 briefs read</strong>: 1 new" in page
    assert "Add 1 brief to the library" in page


def test_import_preview_lists_every_error_with_its_line_and_offers_no_confirm(instructor_client):
    response = preview_import(instructor_client, MALFORMED)
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "these 2 errors are" in page
    assert "Line 1: 4 lines before the question on line 5" in page
    assert "Line 7: text after the last question" in page
    assert confirm_form(response.content.decode()) is None
    assert not Brief.objects.exists()


def test_import_preview_errors_are_the_parsers_errors(instructor_client):
    """The page reads text with the same parser as `manage.py import_briefs`."""
    text = "?\nJust a summary.\nWhat now?\nOne\nTwo.\nThree.\nFour.\nWhy?\nTrailing text"
    page = html.unescape(preview_import(instructor_client, text).content.decode())
    errors = parse_briefs(text).errors
    assert len(errors) == 3
    for error in errors:
        assert f"Line {error.line}: {error.message}" in page
    assert "<h3>Just a summary</h3>" in page  # the readable brief is shown too


def test_import_preview_with_nothing_to_read_asks_for_text(instructor_client):
    page = preview_import(instructor_client, "  \n ").content.decode()
    assert "Upload a file or paste some briefs." in page
    assert confirm_form(page) is None


def test_pasted_text_comes_back_in_the_box_after_preview(instructor_client):
    page = preview_import(instructor_client, MALFORMED, tags="Energy").content.decode()
    assert textarea_value(page, "text") == MALFORMED  # exactly what was pasted, so line numbers match
    assert 'name="tags" value="Energy"' in page


def test_preview_query_count_does_not_grow_with_briefs(instructor_client, django_assert_max_num_queries):
    text = "\n".join(f"Summary number {n} about trade.\nWhat follows from trade {n}?\n" for n in range(60))
    with django_assert_max_num_queries(4):
        response = preview_import(instructor_client, text)
    assert "60 briefs read" in response.content.decode()


# ---- import: upload -------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_uploaded_file_is_previewed_and_its_text_comes_back_in_the_box(instructor_client):
    response = instructor_client.post(
        IMPORT_URL, {"step": "preview", "file": upload("briefs.txt", TWO_BRIEFS.encode())}
    )
    page = response.content.decode()
    assert "2 briefs read" in page
    assert textarea_value(page, "text") == TWO_BRIEFS
    assert not Brief.objects.exists()


def test_uploaded_file_with_bom_and_crlf_is_read(instructor_client):
    content = ("\ufeff" + TWO_BRIEFS.replace("\n", "\r\n")).encode()
    page = instructor_client.post(IMPORT_URL, {"step": "preview", "file": upload("b.txt", content)})
    assert "2 briefs read" in page.content.decode()


def test_file_that_is_not_utf8_gets_a_message_naming_the_line(instructor_client):
    content = b"Talks resume.\nWill they last?\n" + "Café talks began.\nWhy?\n".encode("latin-1")
    response = instructor_client.post(IMPORT_URL, {"step": "preview", "file": upload("latin.txt", content)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 3 of the file is not UTF-8 text." in page
    assert confirm_form(page) is None
    assert not Brief.objects.exists()


def test_file_over_2_mb_is_refused(instructor_client):
    brief = b"A summary of the talks that went on for a while.\nWhat happens next?\n\n"
    content = brief * (2 * 1024 * 1024 // len(brief) + 1)
    assert len(content) > 2 * 1024 * 1024
    response = instructor_client.post(IMPORT_URL, {"step": "preview", "file": upload("big.txt", content)})
    page = response.content.decode()
    assert "The file is larger than 2 MB" in page
    assert confirm_form(page) is None
    assert not Brief.objects.exists()


def test_file_just_under_2_mb_can_be_previewed_and_confirmed(instructor_client):
    """The confirm form sends the text back; it must fit the request limit for any accepted file.

    Non-Latin text triples in size when URL-encoded, so only a multipart confirm fits."""
    summary = "Министры встретились в Эр-Рияде и обсудили работу посольств. " * 60
    chunks, size, n = [], 0, 0
    while True:
        chunk = f"{summary}{n}.\nЧто изменится после встречи номер {n}?\n\n".encode()
        if size + len(chunk) > 2 * 1024 * 1024 - 1024:
            break
        chunks.append(chunk)
        size, n = size + len(chunk), n + 1
    content = b"".join(chunks)
    page = instructor_client.post(
        IMPORT_URL, {"step": "preview", "file": upload("ru.txt", content)}
    ).content.decode()
    assert f"{n} briefs read" in page
    response = submit(instructor_client, confirm_form(page))
    assert response.status_code == 302
    assert Brief.objects.count() == n


# ---- import: confirm ------------------------------------------------------


def test_confirm_adds_the_new_briefs_and_says_how_many(instructor_client, instructor):
    BriefFactory(
        summary="Russia proposed restoring direct flights between the two countries.",
        question="Who gains most from reopened air links?",
    )
    response = import_text(instructor_client, TWO_BRIEFS)
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert Brief.objects.count() == 2
    created = Brief.objects.get(title="Talks resume in Riyadh")
    assert created.summary == "Ministers met on Tuesday to restore embassy staff."
    assert created.commentary == "The meeting signals more than it settles."
    assert created.question == "Will the talks last?"
    assert created.created_by == instructor
    page = instructor_client.get(LIST_URL)
    assert messages_of(page) == ["1 brief added, 1 already in the library."]
    assert "Talks resume in Riyadh" in page.content.decode()


def test_second_import_of_the_same_text_creates_nothing(instructor_client):
    import_text(instructor_client, TWO_BRIEFS)
    assert Brief.objects.count() == 2
    before = dict(Brief.objects.values_list("content_hash", "updated_at"))

    page = preview_import(instructor_client, TWO_BRIEFS).content.decode()
    assert page.count("Already in the library") == 2
    assert "Every brief here is already in the library" in page
    assert confirm_form(page) is None

    # Even a confirm sent again (a double submit, a back button) adds nothing.
    response = instructor_client.post(IMPORT_URL, {"step": "confirm", "text": TWO_BRIEFS})
    assert response.status_code == 302
    assert Brief.objects.count() == 2
    assert dict(Brief.objects.values_list("content_hash", "updated_at")) == before
    assert messages_of(instructor_client.get(LIST_URL))[-1] == "0 briefs added, 2 already in the library."


def test_confirm_of_malformed_text_writes_nothing_and_shows_the_errors(instructor_client):
    response = instructor_client.post(IMPORT_URL, {"step": "confirm", "text": TWO_BRIEFS + MALFORMED})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Line 8: 4 lines before the question on line 12" in page
    assert not Brief.objects.exists()


def test_tags_given_at_import_go_on_the_new_briefs_only(instructor_client):
    old = BriefFactory(
        summary="Russia proposed restoring direct flights between the two countries.",
        question="Who gains most from reopened air links?",
    )
    energy = TagFactory(name="Energy", slug="energy")
    import_text(instructor_client, TWO_BRIEFS, tags='energy, Arctic & "North", ')
    new = Brief.objects.get(title="Talks resume in Riyadh")
    assert sorted(tag.name for tag in new.tags.all()) == ['Arctic & "North"', "Energy"]
    assert energy in new.tags.all()  # an existing tag is reused, whatever its case
    assert not old.tags.exists()


def test_uploaded_seed_file_imports_like_the_command(instructor_client):
    content = SEED.read_bytes()
    page = instructor_client.post(IMPORT_URL, {"step": "preview", "file": upload("seed.txt", content)})
    response = submit(instructor_client, confirm_form(page.content.decode()))
    assert response.status_code == 302
    assert Brief.objects.count() == 26
    out = StringIO()
    call_command("import_briefs", str(SEED), stdout=out)
    assert "0 created, 26 unchanged." in out.getvalue()


# ---- create and edit ------------------------------------------------------


def brief_data(**overrides) -> dict:
    data = {
        "title": "Embassies reopen",
        "summary": "Both sides agreed to restore embassy staff. Talks continue in May.",
        "commentary": "Staffing is the easy part.",
        "question": "What would make the agreement last?",
        "source_url": "",
        "tags_text": "",
    }
    return data | overrides


def test_new_brief_form_shows_fields_and_an_empty_preview(instructor_client):
    response = instructor_client.get(NEW_URL)
    page = response.content.decode()
    assert response.status_code == 200
    for name in ("title", "summary", "commentary", "question", "source_url", "tags_text"):
        assert f'name="{name}"' in page
    assert f'hx-post="{PREVIEW_URL}"' in page
    assert 'id="brief-preview"' in page
    assert "Start typing the summary and question" in page


def test_instructor_creates_a_brief_and_lands_on_it(instructor_client, instructor):
    response = instructor_client.post(NEW_URL, brief_data(tags_text="Diplomacy, Embassies"))
    brief = Brief.objects.get()
    assert response.status_code == 302
    assert response["Location"] == brief.get_absolute_url()
    assert brief.title == "Embassies reopen"
    assert brief.slug == "embassies-reopen"
    assert brief.created_by == instructor
    assert sorted(tag.name for tag in brief.tags.all()) == ["Diplomacy", "Embassies"]
    page = instructor_client.get(response["Location"])
    assert messages_of(page) == ["Brief added to the library."]
    assert "What would make the agreement last?" in page.content.decode()


def test_empty_title_is_derived_from_the_summary(instructor_client):
    instructor_client.post(NEW_URL, brief_data(title="  "))
    assert Brief.objects.get().title == "Both sides agreed to restore embassy staff"


def test_question_without_question_mark_is_an_inline_error_keeping_the_input(instructor_client):
    response = instructor_client.post(NEW_URL, brief_data(question="Say what would make it last"))
    page = response.content.decode()
    assert response.status_code == 200
    assert not Brief.objects.exists()
    field = re.search(r'<div class="field has-error">.*?</div>', page, re.S).group(0)
    assert 'name="question"' in field
    assert "End the question with a question mark." in field
    assert textarea_value(page, "question") == "Say what would make it last"
    assert textarea_value(page, "summary") == brief_data()["summary"]


def test_duplicate_of_a_library_brief_is_refused_with_a_message(instructor_client):
    BriefFactory(
        title="Already here",
        summary="Both sides agreed to restore embassy staff.  Talks continue in May.",
        question="What would make the agreement\nlast?",
    )
    response = instructor_client.post(NEW_URL, brief_data(title="Another title"))
    assert response.status_code == 200
    assert "The library already has this brief: “Already here”." in response.content.decode()
    assert Brief.objects.count() == 1


def test_tags_are_comma_separated_text_and_reuse_existing_tags(instructor_client):
    energy = TagFactory(name="Energy", slug="energy")
    instructor_client.post(NEW_URL, brief_data(tags_text=" energy , Arctic,, Arctic ,"))
    brief = Brief.objects.get()
    assert sorted(tag.name for tag in brief.tags.all()) == ["Arctic", "Energy"]
    assert energy in brief.tags.all()
    assert Tag.objects.count() == 2


def test_edit_form_shows_the_current_brief_and_its_tags(instructor_client, brief):
    brief.tags.add(TagFactory(name="Energy", slug="energy"), TagFactory(name="Arctic", slug="arctic"))
    response = instructor_client.get(reverse("briefs:brief_edit", args=[brief.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert textarea_value(page, "summary") == brief.summary
    assert 'name="tags_text" value="Arctic, Energy"' in page
    assert brief.question in page  # in the form and in the preview


def test_a_co_owner_edits_a_brief_as_a_new_version_keeping_its_slug(client, instructor, other_instructor):
    first = BriefFactory(created_by=instructor, owners=[instructor, other_instructor])
    client.force_login(other_instructor)
    response = client.post(
        reverse("briefs:brief_edit", args=[first.slug]), brief_data(title="New title", tags_text="Trade")
    )
    assert response.status_code == 302
    brief = current(first)
    assert response["Location"] == brief.get_absolute_url() == first.get_absolute_url()
    assert (brief.title, brief.version, brief.first_version) == ("New title", 2, first)
    assert brief.summary == brief_data()["summary"]
    assert brief.created_by == other_instructor
    assert set(brief.owners.all()) == {instructor, other_instructor}
    assert [tag.name for tag in brief.tags.all()] == ["Trade"]
    assert messages_of(client.get(response["Location"])) == [
        "Saved as version 2. Threads assigned with version 1 keep it until their teacher moves them to this one."
    ]
    first.refresh_from_db()
    assert first.title.startswith("Brief number") and first.superseded_at is not None


def test_an_instructor_who_does_not_own_a_brief_cannot_edit_or_archive_it(
    client, instructor, other_instructor
):
    brief = BriefFactory(created_by=instructor)
    client.force_login(other_instructor)
    page = client.get(brief.get_absolute_url()).content.decode()
    assert "Assign to groups" in page
    assert reverse("briefs:brief_edit", args=[brief.slug]) not in page
    assert "Archive" not in page
    assert client.get(reverse("briefs:brief_edit", args=[brief.slug])).status_code == 404
    assert client.post(reverse("briefs:brief_edit", args=[brief.slug]), brief_data()).status_code == 404
    assert client.post(reverse("briefs:brief_archive", args=[brief.slug])).status_code == 404
    assert list(Brief.objects.values_list("title", "archived_at", "version")) == [(brief.title, None, 1)]


def test_edit_with_empty_title_derives_it_and_empty_tags_clear_them(instructor_client, brief):
    brief.tags.add(TagFactory())
    instructor_client.post(reverse("briefs:brief_edit", args=[brief.slug]), brief_data(title=""))
    brief = current(brief)
    assert brief.title == "Both sides agreed to restore embassy staff"
    assert not brief.tags.exists()


def test_saving_a_brief_unchanged_is_not_a_duplicate_of_itself(instructor_client, brief):
    data = brief_data(
        title=brief.title, summary=brief.summary, question=brief.question, commentary=brief.commentary
    )
    response = instructor_client.post(reverse("briefs:brief_edit", args=[brief.slug]), data)
    assert response.status_code == 302
    assert Brief.objects.get().version == 1  # nothing students read changed: no new version


def test_editing_into_a_copy_of_another_brief_is_refused(instructor_client, brief):
    other = BriefFactory(title="The other one")
    data = brief_data(summary=other.summary, question=other.question)
    response = instructor_client.post(reverse("briefs:brief_edit", args=[brief.slug]), data)
    assert response.status_code == 200
    assert "The library already has this brief: “The other one”." in response.content.decode()
    assert Brief.objects.get(pk=brief.pk).summary == brief.summary


def test_edit_question_without_question_mark_is_an_inline_error(instructor_client, brief):
    url = reverse("briefs:brief_edit", args=[brief.slug])
    page = instructor_client.post(url, brief_data(question="No mark here")).content.decode()
    assert "End the question with a question mark." in page
    assert textarea_value(page, "question") == "No mark here"
    assert Brief.objects.get(pk=brief.pk).question == brief.question


def test_edit_of_unknown_brief_is_404(instructor_client):
    assert instructor_client.get(reverse("briefs:brief_edit", args=["no-such-brief"])).status_code == 404


# ---- live preview ---------------------------------------------------------


def test_live_preview_returns_the_partial_as_students_will_see_it(instructor_client):
    response = instructor_client.post(PREVIEW_URL, brief_data(), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.strip().startswith('<div id="brief-preview"')
    assert "Embassies reopen" in page
    assert "Both sides agreed to restore embassy staff." in page
    assert "Staffing is the easy part." in page
    assert re.search(r'class="brief-question".*What would make the agreement last\?', page, re.S)
    assert not Brief.objects.exists()


def test_live_preview_escapes_user_text(instructor_client):
    data = brief_data(
        title="<b>Bold</b>",
        summary="<script>alert(1)</script> Ministers met.",
        commentary='<img src=x onerror="alert(2)">',
        question="<a href='javascript:alert(3)'>Why</a>?",
    )
    page = instructor_client.post(PREVIEW_URL, data, headers=HTMX).content.decode()
    assert "<script>" not in page
    assert "<img" not in page
    assert "<b>" not in page
    assert "<a href='javascript" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ministers met." in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_live_preview_derives_the_title_when_it_is_empty(instructor_client):
    page = instructor_client.post(PREVIEW_URL, brief_data(title=""), headers=HTMX).content.decode()
    assert "Both sides agreed to restore embassy staff" in page


def test_live_preview_without_a_summary_asks_for_one(instructor_client):
    page = instructor_client.post(PREVIEW_URL, {"question": "Why?"}, headers=HTMX).content.decode()
    assert "Start typing the summary and question" in page


# ---- archive --------------------------------------------------------------


def archive_url(brief: Brief) -> str:
    return reverse("briefs:brief_archive", args=[brief.slug])


def test_archived_brief_leaves_the_library_list(instructor_client, brief):
    response = instructor_client.post(archive_url(brief))
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    brief.refresh_from_db()
    assert brief.archived_at is not None
    page = instructor_client.get(LIST_URL)
    assert f'href="{brief.get_absolute_url()}"' not in page.content.decode()
    assert "0 briefs" in page.content.decode()
    assert messages_of(page) == [
        f"“{brief.title}” is archived. Its threads stay open; it is gone from the library."
    ]


def test_threads_of_an_archived_brief_stay_reachable(client, instructor, student, thread):
    make_response(thread, student, body="My answer before the archive.")
    client.force_login(instructor)
    client.post(archive_url(thread.brief))
    url = reverse("classroom:thread_detail", args=[thread.pk])
    for person in (instructor, student):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert thread.brief.question in response.content.decode()
        assert "My answer before the archive." in response.content.decode()


def test_archiving_again_restores_the_brief(instructor_client, brief):
    instructor_client.post(archive_url(brief))
    response = instructor_client.post(archive_url(brief))
    assert response.status_code == 302
    assert response["Location"] == brief.get_absolute_url()
    brief.refresh_from_db()
    assert brief.archived_at is None
    assert brief.title in instructor_client.get(LIST_URL).content.decode()


def test_archived_brief_page_offers_restore(instructor_client, brief):
    instructor_client.post(archive_url(brief))
    page = instructor_client.get(brief.get_absolute_url()).content.decode()
    assert "Restore to the library" in page


# ---- who may do what ------------------------------------------------------

# (URL name, method, takes a brief slug)
CURATION_URLS = [
    ("brief_import", "get", False),
    ("brief_import", "post", False),
    ("brief_create", "get", False),
    ("brief_create", "post", False),
    ("brief_edit", "get", True),
    ("brief_edit", "post", True),
    ("brief_preview", "post", False),
    ("brief_archive", "post", True),
]
POST_ONLY = ["brief_preview", "brief_archive"]


def curation_url(name: str, takes_slug: bool, brief: Brief) -> str:
    return reverse(f"briefs:{name}", args=[brief.slug] if takes_slug else [])


def send(client: Client, method: str, url: str):
    if method == "get":
        return client.get(url)
    return client.post(url, brief_data() | {"step": "preview", "text": TWO_BRIEFS})


@pytest.fixture
def request_fixture(request):
    """Look a fixture up by name, for tests parametrized over people."""
    return request.getfixturevalue


@pytest.mark.parametrize(("name", "method", "takes_slug"), CURATION_URLS)
def test_anonymous_visitor_is_sent_to_login(client, brief, name, method, takes_slug):
    response = send(client, method, curation_url(name, takes_slug, brief))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method", "takes_slug"), CURATION_URLS)
def test_student_gets_404(student_client, brief, name, method, takes_slug):
    before = list(Brief.objects.values_list("title", "summary", "archived_at"))
    assert send(student_client, method, curation_url(name, takes_slug, brief)).status_code == 404
    assert list(Brief.objects.values_list("title", "summary", "archived_at")) == before


@pytest.mark.parametrize(("name", "method", "takes_slug"), CURATION_URLS)
@pytest.mark.parametrize("who", ["instructor", "other_instructor"])
def test_any_instructor_adds_to_the_library_and_owners_change_their_briefs(
    client, request_fixture, who, name, method, takes_slug
):
    brief = BriefFactory(created_by=request_fixture("instructor"))
    client.force_login(request_fixture(who))
    response = send(client, method, curation_url(name, takes_slug, brief))
    if takes_slug and who == "other_instructor":
        assert response.status_code == 404  # another's brief: found and assigned, not changed
        return
    assert response.status_code in (200, 302)
    assert not response.get("Location", "").startswith(reverse("login"))


@pytest.mark.parametrize("name", POST_ONLY)
def test_get_on_a_post_only_url_is_405(instructor_client, brief, name):
    url = curation_url(name, name == "brief_archive", brief)
    assert instructor_client.get(url).status_code == 405
    brief.refresh_from_db()
    assert brief.archived_at is None


@pytest.mark.parametrize("name", ["brief_import", "brief_create", "brief_edit"])
def test_other_methods_are_405(instructor_client, brief, name):
    url = curation_url(name, name == "brief_edit", brief)
    assert instructor_client.put(url).status_code == 405
    assert instructor_client.delete(url).status_code == 405


@pytest.mark.parametrize(
    ("name", "takes_slug"), [("brief_import", False), ("brief_preview", False), ("brief_archive", True)]
)
def test_curation_posts_need_the_csrf_token(instructor, brief, name, takes_slug):
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    response = client.post(curation_url(name, takes_slug, brief), brief_data())
    assert response.status_code == 403


# ---- slugs ----------------------------------------------------------------


@pytest.mark.parametrize("title", ["Import", "New", "Preview"])
def test_created_brief_slug_never_takes_a_library_url(instructor_client, title):
    response = instructor_client.post(NEW_URL, brief_data(title=title))
    brief = Brief.objects.get()
    assert brief.slug not in ("import", "new", "preview")
    assert response["Location"] == brief.get_absolute_url()
    assert instructor_client.get(brief.get_absolute_url()).status_code == 200
    assert "Import briefs" in instructor_client.get(IMPORT_URL).content.decode()


def test_imported_brief_slugs_never_take_library_urls(instructor_client):
    text = "".join(
        f"{title}\nA summary about {title.lower()}.\nWhat about {title}?\n\n"
        for title in ("Import", "New", "Preview")
    )
    import_text(instructor_client, text)
    assert Brief.objects.count() == 3
    for brief in Brief.objects.all():
        assert brief.slug not in ("import", "new", "preview")
        page = instructor_client.get(brief.get_absolute_url())
        assert page.status_code == 200
        assert f"What about {brief.title}?" in page.content.decode()


def test_briefs_with_the_same_title_get_different_slugs(instructor_client):
    instructor_client.post(NEW_URL, brief_data())
    instructor_client.post(NEW_URL, brief_data(question="Who benefits from the agreement?"))
    assert sorted(Brief.objects.values_list("slug", flat=True)) == ["embassies-reopen", "embassies-reopen-2"]


# ---- import: a brief in the library under another headline -----------------


def renamed_in_library(owner) -> Brief:
    """TWO_BRIEFS's first brief, in the library under an older headline."""
    brief = BriefFactory(
        title="Riyadh talks",
        summary="Ministers met on Tuesday to restore embassy staff.",
        commentary="The meeting signals more than it settles.",
        question="Will the talks last?",
    )
    brief.owners.add(owner)
    return brief


def test_import_preview_reports_a_changed_headline_and_offers_its_owner_to_update_it(
    instructor_client, instructor
):
    renamed_in_library(instructor)
    page = html.unescape(preview_import(instructor_client, TWO_BRIEFS).content.decode())
    assert "2 briefs read</strong>: 1 new, 1 with a changed title" in page
    cards = re.findall(r'<article class="brief-card import-card.*?</article>', page, re.S)
    assert "Title changed" in cards[0]
    assert "Riyadh talks</a> → <strong>Talks resume in Riyadh</strong>" in page
    assert 'name="retitle"' in page and 'form="import-confirm"' in page
    assert Brief.objects.get(title="Riyadh talks")  # a preview writes nothing


def test_confirming_with_update_ticked_renames_the_brief_in_place(instructor_client, instructor):
    brief = renamed_in_library(instructor)
    response = instructor_client.post(
        IMPORT_URL, {"step": "confirm", "text": TWO_BRIEFS, "retitle": brief.content_hash}, follow=True
    )
    assert "1 brief added, 1 title updated." in messages_of(response)
    brief.refresh_from_db()
    assert brief.title == "Talks resume in Riyadh"
    assert brief.version == 1 and brief.superseded_at is None
    assert Brief.objects.count() == 2


def test_confirming_with_update_unticked_keeps_the_title(instructor_client, instructor):
    brief = renamed_in_library(instructor)
    response = instructor_client.post(IMPORT_URL, {"step": "confirm", "text": TWO_BRIEFS}, follow=True)
    assert "1 brief added, 1 already in the library." in messages_of(response)
    brief.refresh_from_db()
    assert brief.title == "Riyadh talks"


def test_only_the_given_title_update_is_offered_when_only_titles_changed(instructor_client, instructor):
    brief = renamed_in_library(instructor)
    text = TWO_BRIEFS.split("\n\n")[0] + "\n"
    page = preview_import(instructor_client, text).content.decode()
    assert "Update the ticked title" in page
    response = instructor_client.post(
        IMPORT_URL, {"step": "confirm", "text": text, "retitle": brief.content_hash}, follow=True
    )
    assert "0 briefs added, 1 title updated." in messages_of(response)


def test_an_instructor_who_does_not_own_the_brief_sees_the_change_but_cannot_update_it(
    other_instructor_client, instructor
):
    brief = renamed_in_library(instructor)
    text = TWO_BRIEFS.split("\n\n")[0] + "\n"
    page = html.unescape(preview_import(other_instructor_client, text).content.decode())
    assert "Title changed" in page
    assert 'name="retitle"' not in page
    assert "Only the brief's owners can change its title" in page
    assert confirm_form(page) is None
    # A hand-made confirm naming the brief changes nothing.
    other_instructor_client.post(IMPORT_URL, {"step": "confirm", "text": text, "retitle": brief.content_hash})
    brief.refresh_from_db()
    assert brief.title == "Riyadh talks"


def test_a_brief_without_a_headline_is_not_reported_as_changed(instructor_client, instructor):
    BriefFactory(
        title="Air links",
        summary="Russia proposed restoring direct flights between the two countries.",
        question="Who gains most from reopened air links?",
    ).owners.add(instructor)
    page = preview_import(instructor_client, TWO_BRIEFS).content.decode()
    assert "Title changed" not in page and "changed title" not in page
