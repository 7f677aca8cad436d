"""One submit sent twice at once to a real server stores one response, and both copies show it.

A double click, or a retry while the first request is still running: the same form
(same session, same CSRF token, same client_token) arrives twice at the same moment.
gunicorn has 2 sync workers, so the two copies run in two processes at once, against
the file SQLite database of tests/servers.py (the suite's own is in memory, where this
race cannot happen), or the PostgreSQL test database in CI's second pass. Each student
of a small class does it once, for an answer and then for a reply. The last test sends
an answer again after its first copy was stored, as a retry does when the answer to the
first was lost: it must land on the same page as the first copy.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.burst import ARTICLE, CLIENT_TOKEN_FIELD, CSRF_FIELD, FORM_ERROR, Student
from tests.servers import served_class

STUDENTS = 4  # each one is a repetition of the race
ANSWER_POSTED, REPLY_POSTED = "Your answer is posted.", "Your reply is posted."


@pytest.fixture
def site(transactional_db, tmp_path):
    with served_class(tmp_path, students=STUDENTS) as site:
        yield site


def students(site) -> list[Student]:
    config = site.burst_config()
    return [Student(n, session, config, log=[]) for n, session in enumerate(site.plan["sessions"])]


def answer_form(student: Student, assignment: int) -> dict:
    """The answer form as the thread page renders it: the CSRF token and a new client_token."""
    status, page, _ = student.request("GET", f"/a/{assignment}/")
    assert status == 200
    return {
        "csrfmiddlewaretoken": CSRF_FIELD.search(page).group(1),
        "client_token": CLIENT_TOKEN_FIELD.search(page).group(1),
        "body": student.text("answer"),
    }


def send_twice_at_once(student: Student, path: str, form: dict) -> list[tuple[int, str]]:
    """Both copies wait at a barrier, then each goes on its own connection: (status, page) of each."""
    barrier = threading.Barrier(2)

    def send(_copy: int) -> tuple[int, str]:
        barrier.wait(timeout=10)
        status, page, _ = student.request("POST", path, form)
        return status, page

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(send, range(2)))


def shown(page: str) -> tuple[list[int], list[int]]:
    """The responses a page shows, and which of them are the viewer's own."""
    articles = ARTICLE.findall(page)
    return [int(pk) for pk, _ in articles], [int(pk) for pk, classes in articles if "is-own" in classes]


def form_errors(*answers: tuple[int, str]) -> list[list[str]]:
    return [FORM_ERROR.findall(page) for _, page in answers]


def stored_with(site, token: str) -> list[dict]:
    return [
        row
        for row in site.database.responses(site.plan["assignment"])
        if row["client_token"] == uuid.UUID(token)
    ]


def test_one_answer_sent_twice_at_once_is_stored_once_and_both_copies_show_it(site):
    assignment = site.plan["assignment"]
    for student in students(site):
        form = answer_form(student, assignment)
        first, second = send_twice_at_once(student, f"/a/{assignment}/responses/", form)

        assert first[0] == second[0] == 200
        assert ANSWER_POSTED in first[1] and ANSWER_POSTED in second[1], form_errors(first, second)
        stored = stored_with(site, form["client_token"])
        assert len(stored) == 1
        # Both show the stored answer as the student's own (both also reveal the
        # classmates' answers: the last test).
        assert shown(first[1])[1] == shown(second[1])[1] == [stored[0]["id"]]
        author_answers = [
            row
            for row in site.database.responses(assignment)
            if row["author"] == stored[0]["author"] and row["parent"] is None
        ]
        assert len(author_answers) == 1
    assert site.database.integrity()["problems"] == []


def test_one_reply_sent_twice_at_once_is_stored_once_and_both_copies_show_it(site):
    assignment = site.plan["assignment"]
    for student in students(site):
        form = answer_form(student, assignment)
        answered = student.post("answer", f"/a/{assignment}/responses/", form)
        own_answer = shown(answered)[1][0]
        reply = form | {"client_token": str(uuid.uuid4()), "body": student.text("reply")}
        first, second = send_twice_at_once(student, f"/r/{own_answer}/reply/", reply)

        assert first[0] == second[0] == 200
        assert REPLY_POSTED in first[1] and REPLY_POSTED in second[1], form_errors(first, second)
        stored = stored_with(site, reply["client_token"])
        assert len(stored) == 1
        assert stored[0]["parent"] == own_answer
        assert shown(first[1]) == shown(second[1]) == ([stored[0]["id"]], [stored[0]["id"]])
    assert site.database.integrity()["problems"] == []


def test_an_answer_sent_again_after_the_first_copy_was_stored_gets_the_same_page(site):
    """A retry whose first try was stored, but whose answer never reached the browser.

    Post-first: the page the student still has hides the classmates' answers, so the
    retry must reveal them as the first copy's answer did. In a double click, the second
    copy meets the same case whenever the first commits before the second starts.
    """
    assignment = site.plan["assignment"]
    path = f"/a/{assignment}/responses/"
    *classmates, student = students(site)
    for classmate in classmates:
        assert classmate.post("answer", path, answer_form(classmate, assignment))
    form = answer_form(student, assignment)
    first = student.request("POST", path, form)[:2]
    again = student.request("POST", path, form)[:2]

    assert ANSWER_POSTED in first[1] and ANSWER_POSTED in again[1]
    assert len(stored_with(site, form["client_token"])) == 1
    assert len(shown(first[1])[0]) == STUDENTS
    assert shown(again[1]) == shown(first[1])
