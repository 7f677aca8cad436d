"""Hostile input: XSS payloads in every place a user's text shows, and oversized input.

Every payload is posted through the real views (responses, replies, feedback, brief
import and form, group names, sign-up names); each page where the value shows is
parsed with html.parser and must hold no executable markup. Oversized input gets a
clear refusal in bounded time, and nothing is stored.
"""

import re
import time
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from briefs.forms import MAX_UPLOAD_BYTES
from briefs.models import Brief
from classroom import names
from classroom.models import Feedback, Group, Response, User
from classroom.text import ALLOWED_TAGS, BODY_MAX_CHARS, render_markdown
from tests.factories import AssignmentFactory, GroupFactory, UserFactory, make_response

# Executable payloads set window.__xss (or open a dialog) if they ever run; the browser
# tests look for both.
PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="window.__xss=1">',
    "<img src=x onerror=alert(1)//",
    '<svg onload="window.__xss=1">',
    "<svg><script>window.__xss=1</script></svg>",
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<object data="data:text/html,<script>window.__xss=1</script>"></object>',
    "<body onload=window.__xss=1>",
    '<a href="javascript:window.__xss=1">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    "[click](javascript:window.__xss=1)",
    "[click](JAVASCRIPT:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    '![x](x" onerror="window.__xss=1)',
    "![x](javascript:window.__xss=1)",
    '[ref]\n\n[ref]: javascript:window.__xss=1 "title"',
    '[x](https://example.org" onmouseover="window.__xss=1)',
    "<<script>window.__xss=1//<</script>",
    '<img """><script>window.__xss=1</script>">',
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    '"><img src=x onerror=window.__xss=1>',
    "'><svg/onload=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    '<div hx-get="/" hx-trigger="load" hx-on::load="window.__xss=1">htmx</div>',
    '<math><mi xlink:href="javascript:window.__xss=1">x</mi></math>',
    "<details open ontoggle=window.__xss=1>",
    "<!--<img src=x onerror=window.__xss=1>-->",
    "\u202egnp.exe <b onclick=window.__xss=1>\u202c name \u2066rtl\u2069",
    "{{ 7*7 }} {% csrf_token %} ${7*7}",
]

STATIC = "/static/"
# The page's own scripts: static files, and the translations of app.js (classroom/views/jscatalog.py).
OWN_SCRIPTS = (STATIC, "/i18n/js/")
URL_ATTRS = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcset", "ping", "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "math", "img", "image",
    "video", "audio", "source", "style", "template",
}  # fmt: skip
BODY_ATTRS = {"href", "title", "start", "rel"}


def is_bad_url(value: str) -> bool:
    # Browsers ignore control characters and spaces inside a scheme.
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    return squeezed.startswith(BAD_SCHEMES)


class ExecutableMarkup(HTMLParser):
    """Collects everything on a page that could run script, beyond the page's own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False
        self.body_count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on") or name in {"srcdoc", "style"}:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS and value and is_bad_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self.in_script = True
            if not (named.get("src") or "").startswith(OWN_SCRIPTS):
                self.problems.append(f"<script {attrs!r}>")
        elif tag == "body":
            self.body_count += 1
            if self.body_count > 1 or attrs:
                self.problems.append(f"<body {attrs!r}>")
        elif tag == "svg" and named.get("class") != "bar":
            self.problems.append(f"<svg {attrs!r}>")
        elif tag == "link" and not (named.get("href") or "").startswith(STATIC):
            self.problems.append(f"<link {attrs!r}>")
        elif tag == "meta" and not (
            {"charset"} & named.keys() or named.get("name") in {"viewport", "htmx-config"}
        ):
            self.problems.append(f"<meta {attrs!r}>")
        elif tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag} {attrs!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


class ResponseBodyMarkup(HTMLParser):
    """A stored response body may hold only the sanitiser's tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name not in BODY_ATTRS:
                self.problems.append(f"<{tag} {name}={value!r}>")
            elif name == "href" and not re.match(r"(?i)(https?:|mailto:)", value or ""):
                self.problems.append(f"<{tag} href={value!r}>")


def body_problems(html: str) -> list[str]:
    checker = ResponseBodyMarkup()
    checker.feed(html)
    checker.close()
    return checker.problems


def assert_no_executable_markup(html: str, where: str = "") -> None:
    checker = ExecutableMarkup()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    # The bodies are the only HTML that users write: they are held to the sanitiser's list.
    for body in re.findall(r'<div class="response-body">(.*?)</div>', html, flags=re.S):
        problems += body_problems(body)
    assert not problems, f"executable markup on {where}: {problems}"


def page(client: Client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert_no_executable_markup(html, url)
    return html


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def one_line(payload: str) -> str:
    return " ".join(payload.split())


# ---- the corpus through every place ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_answer_reply_and_feedback_never_renders_as_markup(
    payload, instructor_client, student, thread
):
    classmate = UserFactory(username="cara", first_name="Cara", last_name="Classmate")
    thread.group.memberships.create(student=classmate)
    sam, cara = client_for(student), client_for(classmate)

    posted = sam.post(
        reverse("classroom:response_create", args=[thread.pk]),
        {"body": payload},
        headers={"HX-Request": "true"},
    )
    assert posted.status_code == 200
    assert_no_executable_markup(posted.content.decode(), "the htmx answer")
    answer = Response.objects.get(assignment=thread, author=student)
    assert not body_problems(answer.body_html)

    replied = cara.post(
        reverse("classroom:response_reply", args=[answer.pk]),
        {"body": payload},
        headers={"HX-Request": "true"},
    )
    assert replied.status_code == 200
    assert_no_executable_markup(replied.content.decode(), "the htmx reply")
    reply = Response.objects.get(assignment=thread, author=classmate)
    assert reply.parent_id == answer.pk
    assert not body_problems(reply.body_html)

    saved = instructor_client.post(
        reverse("classroom:feedback_save", args=[thread.pk, student.pk]), {"score": "", "comment": payload}
    )
    assert saved.status_code in (200, 302)
    assert Feedback.objects.get(assignment=thread, student=student).comment == payload.strip()

    thread_url = thread.get_absolute_url()
    for client in (instructor_client, sam, cara):
        html = page(client, thread_url)
        assert f'id="response-{answer.pk}"' in html and f'id="response-{reply.pk}"' in html
    page(cara, thread_url, **{"HX-Request": "true"})
    page(sam, reverse("classroom:response_edit", args=[answer.pk]))
    page(cara, reverse("classroom:response_reply", args=[answer.pk]))
    report = page(instructor_client, reverse("classroom:assignment_report", args=[thread.pk]))
    assert escape(payload.strip()) in report  # the feedback box holds the comment, escaped
    assert escape(payload.strip()).replace("\n", "<br>") in page(sam, thread_url)  # the feedback note


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_imported_brief_never_renders_as_markup(payload, instructor_client, group):
    line = one_line(payload)
    text = f"{line} headline\nSummary {line} end.\nCommentary {line} end.\nQuestion {line} now?\n"
    url = reverse("briefs:brief_import")

    preview = instructor_client.post(url, {"step": "preview", "text": text})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert_no_executable_markup(html, "the import preview")
    assert escape(f"Summary {line} end.") in html

    confirmed = instructor_client.post(url, {"step": "confirm", "text": text})
    assert confirmed.status_code == 302
    brief = Brief.objects.get(summary=f"Summary {line} end.")
    assert brief.title == f"{line} headline"
    assert_brief_pages_are_inert(instructor_client, brief, group)


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_brief_form_never_renders_as_markup(payload, instructor_client, group):
    data = {
        "title": one_line(payload)[:200],
        "summary": f"Summary {payload}",
        "commentary": f"Commentary {payload}",
        "question": f"Question {payload} now?",
        "source_url": "",
        "tags_text": one_line(payload)[:300],
    }
    preview = instructor_client.post(reverse("briefs:brief_preview"), data, headers={"HX-Request": "true"})
    assert preview.status_code == 200
    assert_no_executable_markup(preview.content.decode(), "the brief preview")

    created = instructor_client.post(reverse("briefs:brief_create"), data)
    assert created.status_code == 302, created.content.decode()[:2000]
    brief = Brief.objects.get(summary=f"Summary {payload}".strip())
    assert_brief_pages_are_inert(instructor_client, brief, group)


def test_brief_form_refuses_script_links_as_source_url(instructor_client):
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"):
        data = {"title": "", "summary": "A summary.", "question": "Why?", "source_url": url}
        refused = instructor_client.post(reverse("briefs:brief_create"), data)
        assert refused.status_code == 200
        assert "Enter a valid URL." in refused.content.decode()
    assert not Brief.objects.exists()


def assert_brief_pages_are_inert(client: Client, brief: Brief, group: Group) -> None:
    detail = page(client, brief.get_absolute_url())
    assert escape(brief.summary) in detail
    page(client, reverse("briefs:brief_list"))
    page(client, reverse("briefs:brief_list") + "?q=Summary", **{"HX-Request": "true"})
    page(client, reverse("briefs:brief_edit", args=[brief.slug]))
    thread = AssignmentFactory(brief=brief, group=group)
    page(client, thread.get_absolute_url())
    page(client, reverse("classroom:assignment_create") + "?q=Summary")
    student = group.memberships.first().student
    html = page(client_for(student), thread.get_absolute_url())
    assert escape(brief.question) in html
    page(client_for(student), reverse("classroom:home"))


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_as_group_name_never_renders_as_markup(payload, instructor_client, instructor, student):
    name = payload[:120]
    created = instructor_client.post(reverse("classroom:group_create"), {"name": name}, follow=True)
    assert created.status_code == 200
    assert_no_executable_markup(created.content.decode(), "the new group page")
    group = Group.objects.get(instructors=instructor)
    assert group.name == name.strip()
    group.memberships.create(student=student)
    thread = AssignmentFactory(group=group)
    make_response(thread, student, body="An ordinary answer.")

    assert escape(group.name) in page(instructor_client, reverse("classroom:home"))
    page(instructor_client, group.get_absolute_url())
    page(instructor_client, reverse("classroom:group_dashboard", args=[group.pk]))
    page(instructor_client, reverse("classroom:assignment_report", args=[thread.pk]))
    page(instructor_client, reverse("classroom:assignment_create"))
    page(instructor_client, thread.get_absolute_url())
    page(client_for(student), reverse("classroom:home"))
    page(client_for(student), thread.get_absolute_url())
    assert escape(group.name) in page(Client(), reverse("classroom:join_group", args=[group.join_code]))


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_as_student_name_never_renders_as_markup(payload, instructor_client, instructor):
    group = GroupFactory(name="Period 3", instructors=[instructor])
    thread = AssignmentFactory(group=group)
    newcomer = Client()
    signup = {"name": one_line(payload)[:140], "username": "newcomer", "password": "a-Strong-pass-123"}
    joined = newcomer.post(reverse("classroom:join_group", args=[group.join_code]), signup, follow=True)
    assert joined.status_code == 200
    assert_no_executable_markup(joined.content.decode(), "the welcome page")
    if names.name_problem(payload):
        # Direction controls are refused at sign-up; an account named so before that rule
        # (or by a restore) must still render harmlessly, so it is made directly.
        assert str(names.DIRECTION_IN_NAME) in joined.content.decode()
        assert not User.objects.filter(username="newcomer").exists()
        UserFactory(username="newcomer", first_name=payload[:150].strip(), last_name=one_line(payload)[:150])
        group.memberships.create(student=User.objects.get(username="newcomer"))
        newcomer.force_login(User.objects.get(username="newcomer"))
    else:
        stored = User.objects.get(username="newcomer")
        assert f"{stored.first_name} {stored.last_name}".strip() == " ".join(signup["name"].split())
    user = User.objects.get(username="newcomer")
    answer = make_response(thread, user, body="My answer.")
    classmate = UserFactory(username="cara", first_name="Cara", last_name="Classmate")
    group.memberships.create(student=classmate)
    make_response(thread, classmate, body="Cara's answer.")
    make_response(thread, classmate, body="A reply to the newcomer.", parent=answer)

    assert escape(user.display_name) in page(instructor_client, group.get_absolute_url())
    assert escape(user.display_name) in page(
        instructor_client, reverse("classroom:assignment_report", args=[thread.pk])
    )
    page(instructor_client, reverse("classroom:group_dashboard", args=[group.pk]))
    page(instructor_client, thread.get_absolute_url())
    page(instructor_client, reverse("classroom:moderation_log", args=[thread.pk]))
    page(client_for(classmate), thread.get_absolute_url())
    page(newcomer, thread.get_absolute_url())
    page(newcomer, reverse("classroom:home"))


def test_corpus_covers_every_family_of_trick():
    corpus = "\n".join(PAYLOADS).lower()
    for trick in (
        "<script",
        "onerror",
        "javascript:",
        "data:",
        "<svg",
        "](",
        "![",
        "\u202e",
        "<iframe",
        "hx-",
    ):
        assert trick in corpus
    assert len(PAYLOADS) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_markdown_keeps_only_the_allowed_tags_and_safe_links(payload):
    assert not body_problems(render_markdown(payload))


# ---- size limits ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_body_one_character_over_the_limit_is_refused_and_nothing_is_stored(htmx, student_client, thread):
    body = "a" * (BODY_MAX_CHARS + 1)
    headers = {"HX-Request": "true"} if htmx else {}
    refused = student_client.post(
        reverse("classroom:response_create", args=[thread.pk]), {"body": body}, headers=headers
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert re.search(r"at most 10,?000 characters", html)
    assert body in html  # the text stays in the box, to be shortened
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_reply_over_the_limit_is_refused_and_nothing_is_stored(student_client, student, thread):
    answer = make_response(thread, student)
    refused = student_client.post(
        reverse("classroom:response_reply", args=[answer.pk]),
        {"body": "b" * (BODY_MAX_CHARS + 1)},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 200
    assert re.search(r"at most 10,?000 characters", refused.content.decode())
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_megabyte_post_to_the_response_endpoint_is_refused_clearly(student_client, thread):
    body = "word " * 200_000  # 1 MB
    started = time.process_time()
    refused = student_client.post(reverse("classroom:response_create", args=[thread.pk]), {"body": body})
    assert time.process_time() - started < 5
    assert refused.status_code == 200
    assert re.search(r"at most 10,?000 characters", refused.content.decode())
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_post_over_the_request_size_limit_is_a_bad_request_not_a_server_error(
    student_client, settings, thread
):
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    refused = student_client.post(reverse("classroom:response_create", args=[thread.pk]), {"body": body})
    assert refused.status_code == 400
    assert "it is too large: shorten it or split it" in refused.content.decode()
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_brief_upload_over_two_megabytes_is_refused(instructor_client):
    line = b"Summary of a long brief that goes on.\nWhy?\n"
    content = line * (MAX_UPLOAD_BYTES // len(line) + 1)
    assert len(content) > MAX_UPLOAD_BYTES
    upload = SimpleUploadedFile("briefs.txt", content, content_type="text/plain")
    refused = instructor_client.post(reverse("briefs:brief_import"), {"step": "confirm", "file": upload})
    assert refused.status_code == 200
    assert "The file is larger than 2 MB" in refused.content.decode()
    assert not Brief.objects.exists()


@pytest.mark.django_db
def test_paste_of_more_lines_than_the_limit_is_refused_naming_the_line(instructor_client):
    text = "A line of text.\n" * 100_001
    started = time.process_time()
    refused = instructor_client.post(reverse("briefs:brief_import"), {"step": "confirm", "text": text})
    assert time.process_time() - started < 5
    assert refused.status_code == 200
    assert "Line 100001: more than 100000 lines" in refused.content.decode()
    assert not Brief.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "line",
    ["No question", "Why?"],
    ids=["text-after-the-last-question", "a-hundred-thousand-errors"],
)
def test_hundred_thousand_line_paste_is_refused_naming_a_line_in_bounded_time(line, instructor_client):
    text = (line + "\n") * 100_000
    started = time.process_time()
    refused = instructor_client.post(reverse("briefs:brief_import"), {"step": "confirm", "text": text})
    elapsed = time.process_time() - started
    assert refused.status_code == 200
    html = refused.content.decode()
    assert re.search(r"Line 1: ", html)
    if line == "Why?":
        assert "these 100000 errors are fixed" in html
        assert "… and 99950 more." in html
    assert elapsed < 5, f"{elapsed:.1f} s"
    assert len(html) < 2 * len(text) + 200_000  # the page does not blow up beyond the text it echoes
    assert not Brief.objects.exists()


NESTED = {
    "blockquotes": ">" * 5000 + " <script>window.__xss=1</script>",
    "lists": "".join("  " * depth + "- [x](javascript:alert(1))\n" for depth in range(300))[:BODY_MAX_CHARS],
    "list-markers": "- " * 4970 + "<img src=x onerror=alert(1)>",
    "emphasis": "*a **" * 2000,
    "brackets": "[" * 4990 + "x" + "](javascript:alert(1))",
    "links-in-links": "[a](<" * 2000,
    "backticks": "`" * BODY_MAX_CHARS,
    "mixed": "> - > 1. > * " * 700 + "<svg onload=alert(1)>",
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_markdown_renders_quickly_and_sanitised(text):
    assert len(text) <= BODY_MAX_CHARS
    started = time.process_time()
    html = render_markdown(text)
    assert time.process_time() - started < 1
    assert not body_problems(html)


@pytest.mark.django_db
def test_deeply_nested_answer_posts_and_its_thread_renders_quickly(student_client, thread):
    started = time.process_time()
    posted = student_client.post(
        reverse("classroom:response_create", args=[thread.pk]), {"body": NESTED["blockquotes"]}
    )
    assert posted.status_code == 302
    page(student_client, thread.get_absolute_url())
    assert time.process_time() - started < 2
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_ten_thousand_line_answer_renders_within_limits(student_client, thread):
    body = "\n".join("x" for _ in range(BODY_MAX_CHARS // 2))
    started = time.process_time()
    posted = student_client.post(reverse("classroom:response_create", args=[thread.pk]), {"body": body})
    assert posted.status_code == 302
    page(student_client, thread.get_absolute_url())
    assert time.process_time() - started < 2


def test_checker_accepts_an_ordinary_page_and_catches_an_obfuscated_link():
    assert_no_executable_markup(
        '<html><head><meta charset="utf-8"><link rel="stylesheet" href="/static/a.css">'
        '<script src="/static/js/app.js" defer></script></head><body><a href="/x">x</a>'
        '<div class="response-body"><p><a href="https://example.org" rel="noopener">y</a></p></div></body></html>'
    )
    with pytest.raises(AssertionError):
        assert_no_executable_markup(
            '<div class="response-body"><p><a href="java&#x09;script:x">y</a></p></div>'
        )
