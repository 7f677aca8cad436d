"""Every screen a person sees passes axe-core and fits the window, on a laptop and a phone, light and dark.

One live server and one browser for the module: each screen is loaded once per width
(1280 and 390 px) and colour scheme (the system's light or dark, `emulate_media`),
axe-core (vendored in tests/browser/vendor, not shipped to users) runs on it, and
the page may not scroll sideways. The class's data holds a 200-character name and a
300-character unbroken word wherever a person can type one, so a layout that only fits
polite data fails here. A failure lists every screen that fails, not only the first.

AGORA_SCREENSHOTS=folder keeps a full-page screenshot of each screen in each combination;
AGORA_SCREENS=report,group looks at those screens only (while fixing them);
AGORA_SCREEN_LANGUAGE=de shows them in that language (every browser asks for it once
signed in), to look at a translation's long words and plural forms.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from briefs.actions import save_brief
from briefs.models import Brief
from classroom.actions import (
    extend_due,
    hide_response,
    make_set_password_link,
    save_feedback,
    set_highlight,
    set_stance,
    set_thread_lock,
)
from classroom.models import Assignment, Invitation
from classroom.notifications import unsubscribe_token
from tests.factories import (
    AssignmentFactory,
    BriefFactory,
    GroupFactory,
    InstructorFactory,
    TagFactory,
    UserFactory,
    make_response,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WIDTHS = [1280, 390]
SCHEMES = ["light", "dark"]
LONG_WORD = "W" * 300
# 200 characters: Django's first_name holds 150, so the rest is the last name.
LONG_FIRST, LONG_LAST = "Maximiliana" + "x" * 139, "Y" * 49
LANGUAGE = os.environ.get("AGORA_SCREEN_LANGUAGE", "")

# What axe finds, as "rule (impact) ×n: target, target" lines; only serious and critical count.
RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}
"""

# The elements that reach past the window's right edge, innermost first, for the failure message.
STICKING_OUT = """
() => [...document.querySelectorAll("body *")]
  .filter((element) => !element.closest(".visually-hidden"))
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((element) => ![...element.children].some((child) => child.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 3)
  .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`)
"""


def button(context: str, text: str) -> str:
    """A button's name as the screens show it (AGORA_SCREEN_LANGUAGE), for clicking it."""
    with translation.override(LANGUAGE or "en"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def speak(page) -> None:
    """The page's browser asks for AGORA_SCREEN_LANGUAGE from now on (after logging in in English)."""
    if LANGUAGE:
        page.context.set_extra_http_headers({"Accept-Language": LANGUAGE})


@dataclass
class Screen:
    name: str
    who: str  # the browser context: "anonymous", "student", "teacher", "leaver" or "admin"
    path: str
    # Gets the page from `path` to the screen (fills and submits a form); None: `path` is the screen.
    then: Callable | None = None


def submit_text(text: str, field: str = "text") -> Callable:
    def fill(page):
        page.locator(f"textarea[name='{field}']").last.fill(text)
        with page.expect_navigation():
            page.get_by_role("button", name=button("verb", "Preview")).click()

    return fill


def post_without_csrf_token(page):
    """A form posted without its token: Django's CSRF failure page, as a person would meet it."""
    with page.expect_navigation():
        page.evaluate(
            """() => { const form = document.createElement("form"); form.method = "post";
                       form.action = "/profile/"; document.body.append(form); form.submit(); }"""
        )


def preview_answer(page):
    """The composer's Preview, as a student presses it: the preview replaces the writing box."""
    page.locator("textarea[name='body']").fill(f"A **draft** answer with a list:\n\n- one\n- {LONG_WORD}")
    page.get_by_role("button", name=button("verb", "Preview")).click()
    page.locator("#answer-preview").wait_for()


def log_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name=button("", "Log out")).click()


@pytest.fixture
def school(instructor, password):
    """A class with a thread in each state a student can meet, and long words in every name."""
    student = UserFactory(
        username="maximiliana", first_name=LONG_FIRST, last_name=LONG_LAST, password=password
    )
    peers = [
        UserFactory(username=f"peer{n}", first_name=f"Peer{n}", last_name=LONG_WORD[:100], password=None)
        for n in range(3)
    ]
    leaver = UserFactory(username="leaver", first_name="Lee", last_name="Leaver", password=password)
    UserFactory(username="admin", is_staff=True, is_superuser=True, password=password)
    group = GroupFactory(
        name=f"Period 3 · {LONG_WORD[:100]}", instructors=[instructor], students=[student, *peers, leaver]
    )
    tag = TagFactory(name="elections")

    def brief(n: int, **extra) -> Brief:
        made = BriefFactory(
            title=f"Brief {n}: a headline about the news of the week",
            summary=f"Summary {n}: {LONG_WORD} ministers met. They talked about trade and energy for hours.",
            commentary="The meeting matters more for what it signals than for what it settles.",
            created_by=instructor,
            **extra,
        )
        made.tags.add(tag)
        return made

    def thread(n: int, **rules) -> Assignment:
        return AssignmentFactory(group=group, brief=brief(n), points=10, created_by=instructor, **rules)

    before = thread(1, post_first=True, stance=True)
    set_stance(assignment=before, student=peers[0], value=4, moment="before")
    make_response(before, peers[0], body=f"A peer's answer {LONG_WORD}.")

    after = thread(2, steelman=True, min_words=3)
    peer_answer = make_response(after, peers[0], body=f"I think the talks matter. {LONG_WORD}")
    own = make_response(after, student, body=f"My own answer, **with** a point. {LONG_WORD}")
    make_response(after, instructor, body="A teacher's reply, with a question back.", parent=own)
    save_feedback(assignment=after, student=student, score=8, comment=f"Good. {LONG_WORD}", by=instructor)
    hidden = make_response(after, peers[1], body="Something rude and off topic.")
    hide_response(response=hidden, by=instructor, reason=f"Off topic {LONG_WORD[:50]}")
    set_highlight(response=peer_answer, by=instructor, highlighted=True)
    extend_due(assignment=after, student=peers[2], due_at=timezone.now() + timedelta(days=9), by=instructor)

    closed = thread(3)
    make_response(closed, student, body="Written while it was open.")
    Assignment.objects.filter(pk=closed.pk).update(
        opens_at=timezone.now() - timedelta(days=9), due_at=timezone.now() - timedelta(days=2)
    )

    locked = thread(4)
    make_response(locked, peers[0], body="Written before the lock.")
    set_thread_lock(assignment=locked, locked=True, by=instructor)

    anonymous = thread(5, anonymous_to_peers=True, post_first=False)
    make_response(anonymous, peers[0], body="Anonymous to classmates.")
    make_response(anonymous, student, body="Mine, anonymous too.")

    fair = thread(6, reveal_quorum=90, post_first=True)
    make_response(fair, student, body="Waiting for the class.")

    stance = thread(7, stance=True, post_first=False)
    set_stance(assignment=stance, student=student, value=2, moment="before")
    make_response(stance, student, body="After choosing a stance.")

    unanswered = thread(9)  # the answer form, for the composer's preview

    # A thread assigned with a brief that has a newer version since.
    old = thread(8)
    newer = Brief.objects.get(pk=old.brief.pk)
    newer.summary = f"{newer.summary} A sentence added later."
    newer = save_brief(brief=newer, by=instructor)

    # The student is invited to another teacher's group; the leaver is invited to ours.
    other = InstructorFactory(username="otherteacher", first_name="Omar", last_name="Other")
    elsewhere = GroupFactory(name=f"Elsewhere {LONG_WORD[:80]}", instructors=[other])
    Invitation.objects.create(group=elsewhere, invitee=student, invited_by=other)
    outsider = UserFactory(username="outsider", password=None)
    Invitation.objects.create(group=group, invitee=outsider, invited_by=instructor)

    # A set-password link for a peer (made by the teacher on the group page), so the group
    # page lists one and the student's own page to set a password can be opened.
    _, set_password_path = make_set_password_link(group=group, student=peers[1], by=instructor)

    # A library of more briefs than one page holds, so the library pages.
    for n in range(20, 45):
        brief(n)

    return {
        "group": group,
        "elsewhere": elsewhere,
        "student": student,
        "peer": peers[0],
        "threads": {
            "before": before,
            "after": after,
            "closed": closed,
            "locked": locked,
            "anonymous": anonymous,
            "fair": fair,
            "stance": stance,
            "old": old,
            "unanswered": unanswered,
        },
        "peer_answer": peer_answer,
        "own": own,
        "newer": newer,
        "set_password_path": set_password_path,
        "unsubscribe_path": reverse(
            "classroom:notification_unsubscribe", args=[unsubscribe_token(student, "reply")]
        ),
    }


def screens(school) -> list[Screen]:
    group, threads = school["group"], school["threads"]
    after = threads["after"]
    brief = after.brief
    roster = f"username,name,email\nnewkid,New {LONG_WORD[:120]},new@school.example\noutsider,,\npeer0,,\n"
    briefs = (
        f"{LONG_WORD} is new here and long.\nWill it fit?\n\n"
        f"{brief.title}\n{brief.summary}\n{brief.commentary}\n{brief.question}\n"
    )
    return [
        # Nobody signed in.
        Screen("login", "anonymous", "/accounts/login/"),
        Screen("password-reset", "anonymous", "/accounts/password_reset/"),
        Screen("password-reset-done", "anonymous", "/accounts/password_reset/done/"),
        Screen("password-reset-unsent", "anonymous", "/accounts/password_reset/unsent/"),
        Screen("password-reset-bad-link", "anonymous", "/accounts/reset/MQ/not-a-token/"),
        Screen("password-reset-complete", "anonymous", "/accounts/reset/done/"),
        Screen("set-password-bad-link", "anonymous", "/accounts/set-password/MQ/not-a-token/"),
        Screen("set-password", "anonymous", school["set_password_path"]),
        Screen("join", "anonymous", "/join/"),
        Screen("join-unknown-code", "anonymous", "/join/NOSUCHCODE/"),
        Screen("join-sign-up", "anonymous", f"/join/{group.join_code}/"),
        Screen("not-found", "anonymous", "/no/such/page/"),
        # The student.
        Screen("student-home", "student", "/"),
        Screen("thread-before-answering", "student", threads["before"].get_absolute_url()),
        Screen("thread-after-answering", "student", after.get_absolute_url()),
        Screen("thread-closed", "student", threads["closed"].get_absolute_url()),
        Screen("thread-locked", "student", threads["locked"].get_absolute_url()),
        Screen("thread-anonymous", "student", threads["anonymous"].get_absolute_url()),
        Screen("thread-fair-reveal-waiting", "student", threads["fair"].get_absolute_url()),
        Screen("thread-stance", "student", threads["stance"].get_absolute_url()),
        Screen("reply-page", "student", f"/r/{school['peer_answer'].pk}/reply/"),
        Screen("edit-page", "student", f"/r/{school['own'].pk}/edit/"),
        Screen("response-page", "student", f"/r/{school['own'].pk}/"),
        Screen("profile", "student", "/profile/"),
        Screen("composer-preview", "student", threads["unanswered"].get_absolute_url(), preview_answer),
        Screen("notifications", "student", "/notifications/"),
        Screen("notification-settings", "student", "/notifications/settings/"),
        Screen("unsubscribe", "anonymous", school["unsubscribe_path"]),
        Screen("password-change", "student", "/accounts/password_change/"),
        Screen("password-change-done", "student", "/accounts/password_change/done/"),
        Screen("join-signed-in", "student", f"/join/{school['elsewhere'].join_code}/"),
        Screen("csrf-failure", "student", "/profile/", post_without_csrf_token),
        Screen("not-found-signed-in", "student", f"{group.get_absolute_url()}report/"),
        Screen("logged-out", "leaver", "/", log_out),
        # The teacher.
        Screen("teacher-home", "teacher", "/"),
        Screen("group-new", "teacher", "/groups/new/"),
        Screen("group", "teacher", group.get_absolute_url()),
        Screen("dashboard", "teacher", f"{group.get_absolute_url()}dashboard/"),
        Screen("gradebook", "teacher", f"{group.get_absolute_url()}gradebook/"),
        Screen("notifications-teacher", "teacher", "/notifications/"),
        Screen("assign-again", "teacher", f"/assign/?rules_from={after.pk}"),
        Screen(
            "set-password-link",
            "teacher",
            f"{group.get_absolute_url()}students/{school['peer'].pk}/set-password-link/",
        ),
        Screen("roster-import", "teacher", f"{group.get_absolute_url()}students/import/"),
        Screen(
            "roster-preview", "teacher", f"{group.get_absolute_url()}students/import/", submit_text(roster)
        ),
        Screen("assign", "teacher", "/assign/"),
        Screen("assign-brief", "teacher", f"/assign/?brief={school['newer'].slug}"),
        Screen("thread-teacher", "teacher", after.get_absolute_url()),
        Screen("thread-settings", "teacher", f"{after.get_absolute_url()}settings/"),
        Screen("thread-brief-version", "teacher", f"{threads['old'].get_absolute_url()}brief-version/"),
        Screen("report", "teacher", f"{after.get_absolute_url()}report/"),
        Screen("moderation-log", "teacher", f"{after.get_absolute_url()}log/"),
        Screen("library", "teacher", "/briefs/"),
        Screen("library-search", "teacher", "/briefs/?q=Summary&tag=elections"),
        Screen("library-list", "teacher", "/briefs/?view=list"),
        Screen("brief", "teacher", f"/briefs/{school['newer'].slug}/"),
        Screen("brief-version", "teacher", f"/briefs/{school['newer'].slug}/versions/1/"),
        Screen("brief-new", "teacher", "/briefs/new/"),
        Screen("brief-edit", "teacher", f"/briefs/{brief.slug}/edit/"),
        Screen("brief-import", "teacher", "/briefs/import/"),
        Screen("brief-import-preview", "teacher", "/briefs/import/", submit_text(briefs)),
        # The site's administrator.
        Screen("lti-configuration", "admin", "/lti/"),
        # Error pages Django renders with no request at all: served as they are rendered.
        Screen("forbidden", "teacher", "/__error__/403"),
        Screen("server-error", "teacher", "/__error__/500"),
        Screen("bad-request", "teacher", "/__error__/400"),
    ]


def serve_error_pages(context, base_url: str) -> None:
    """403, 400 and 500 pages cannot be reached by a person on purpose: the browser is served them as rendered."""
    pages = {code: render_to_string(f"{code}.html") for code in ("400", "403", "500")}
    context.route(
        f"{base_url}/__error__/*",
        lambda route: route.fulfill(
            status=int(route.request.url[-3:]), content_type="text/html", body=pages[route.request.url[-3:]]
        ),
    )


def test_every_screen_passes_axe_and_fits_the_window(live_server, new_context, login, school):
    contexts = {}
    for who in ("anonymous", "student", "teacher", "leaver", "admin"):
        context = new_context()
        context.add_init_script(path=str(AXE))
        serve_error_pages(context, live_server.url)
        contexts[who] = context.new_page()
    login(contexts["student"], "maximiliana")
    login(contexts["teacher"], "teacher")
    login(contexts["admin"], "admin")
    for page in contexts.values():
        speak(page)
    folder = os.environ.get("AGORA_SCREENSHOTS")
    only = set(filter(None, os.environ.get("AGORA_SCREENS", "").split(",")))

    failures: dict[str, list[str]] = {}
    for width in WIDTHS:
        for scheme in SCHEMES:
            for page in contexts.values():
                page.set_viewport_size({"width": width, "height": 900})
                page.emulate_media(color_scheme=scheme)
            for screen in screens(school):
                if only and screen.name not in only:
                    continue
                page = contexts[screen.who]
                if screen.who == "leaver":
                    page.context.set_extra_http_headers({})
                    login(page, "leaver")
                    speak(page)
                page.goto(f"{live_server.url}{screen.path}")
                if screen.then:
                    screen.then(page)
                label = f"{screen.name} at {width} {scheme}"
                if folder:
                    page.screenshot(
                        path=str(Path(folder) / f"{screen.name}-{width}-{scheme}.png"), full_page=True
                    )
                problems = page.evaluate(RUN_AXE)
                extra = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if extra > 0:
                    problems.append(
                        f"{extra} px wider than the window: {', '.join(page.evaluate(STICKING_OUT))}"
                    )
                if problems:
                    failures[label] = problems
    assert not failures, "\n".join(f"{label}: {'; '.join(problems)}" for label, problems in failures.items())
