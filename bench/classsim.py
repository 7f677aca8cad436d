"""A class, simulated: N students in a live discussion for a while, and their teacher grading.

A load generator in its own process, standard library only (like bench/burst.py, whose
Student it grows), speaking HTTP on loopback as a browser with htmx does. Each student
opens the thread page at some moment of the first seconds and keeps it open: every
`poll_every` seconds it asks the poll URL the page carries (version, epoch, frame,
ticket) and follows what comes back (a 204 keeps the URL; any answer that carries a new
`#thread-poll` element replaces it), as htmx's `every 5s` does. Reading costs the
server nothing. After a think time the student answers (htmx POST, with the page's
`seen` version as static/js/app.js adds it), later replies to classmates' answers it
has seen on its page (the reply form's GET, then its POST), and some students edit
their answer once (the edit form's GET, then its POST). The teacher opens the thread's
report, grades the students who answered one by one (the row's htmx POST) and reloads
the report now and then. Students are spread over `ports` (several instances).

Every post carries its form's client_token; the log says which were confirmed, so the
audit matches acknowledged posts with stored rows by token (bench/audit.py), whatever
the page showed. Nothing runs past `duration` + GRACE seconds.

    python -m bench.classsim CONFIG.json OUT.json
CONFIG: {"ports", "assignment", "session_cookie", "sessions", "teacher_session",
         "min_words", "duration", "arrive", "poll_every", "replies", "edit_share",
         "grade_every", "seed"}
OUT: {"seconds", "unfinished", "client_cpu_s", "log": [{"who", "kind", "ms", "status", ...}]}
"""

import html
import json
import random
import re
import resource
import sys
import threading
import time
from pathlib import Path

from bench.burst import ARTICLE, CLIENT_TOKEN_FIELD, CSRF_FIELD, FORM_ERROR, WORDS, Student

POLL_URL = re.compile(r'id="thread-poll" hx-get="([^"]+)"')
FEEDBACK_URL = re.compile(r'hx-post="(/a/\d+/feedback/\d+/)"')
# What a person sees confirm each action (the htmx fragments' announcements).
CONFIRMED = {
    "answer": "Your answer is posted.",
    "reply": "Your reply is posted.",
    "edit": "Your changes are saved.",
    "grade": "Saved ✓",
}
GRACE = 30.0  # an action started before the end may take this long to be answered


class Browser(Student):
    """One person's open page: bench/burst.py's Student, with a poll URL and a clock."""

    def __init__(self, who: str, session: str, config: dict, port: int, log: list[dict], rng: random.Random):
        super().__init__(0, session, config | {"port": port}, log)
        self.who = who
        self.rng = rng
        self.poll_url: str | None = None
        self.csrf = ""
        self.started = config["started"]

    def timed(
        self, kind: str, method: str, path: str, form: dict | None = None, htmx: bool = True, **extra
    ) -> tuple | None:
        """One request, logged with its kind and latency; (status, body) or None if it failed.

        Everything but opening a page is htmx's (`htmx`: the HX-Request header)."""
        entry = {"who": self.who, "kind": kind, "at": round(time.monotonic() - self.started, 2)} | extra
        answer = self.send(entry | {"student": self.who}, method, path, form, htmx)
        if answer is None:
            return None
        status, body, elapsed_ms, retry = answer
        entry |= {"status": status, "ms": round(elapsed_ms, 2), "retry": retry, "bytes": len(body)}
        if status >= 400:
            entry["error"] = f"HTTP {status} on {kind}"
        self.log.append(entry)
        return status, body

    def follow(self, body: str) -> None:
        """Keep the newest poll URL and CSRF token any answer carries, as the page would."""
        found = POLL_URL.search(body)
        if found:
            self.poll_url = html.unescape(found.group(1))
        csrf = CSRF_FIELD.search(body)
        if csrf:
            self.csrf = csrf.group(1)

    def seen(self) -> str:
        """The version the page shows (static/js/app.js sends it with every post)."""
        found = re.search(r"[?&]v=(\d+)", self.poll_url or "")
        return found.group(1) if found else ""

    def text(self, kind: str, n: int) -> str:
        words = WORDS[n % 7 :] + WORDS[: n % 7]
        return f"{kind.capitalize()} {n} from {self.who}: " + " ".join(words[: self.config["min_words"] + 15])

    def post(self, kind: str, path: str, form: dict, **extra) -> str:
        """POST an htmx form; the body if the person saw it confirmed, else ""."""
        answer = self.timed(kind, "POST", path, form, **extra)
        if answer is None:  # send() logged the failure
            return ""
        status, body = answer
        acked = status == 200 and CONFIRMED[kind] in body
        self.log[-1]["acked"] = acked
        if not acked and "error" not in self.log[-1]:
            found = FORM_ERROR.search(body)
            self.log[-1]["error"] = f"{kind} not confirmed: " + (found.group(1) if found else body[:120])
        return body if acked else ""


class StudentPage(Browser):
    """A student with the thread open: what their page shows, and their plan for the class."""

    def __init__(self, n: int, *args) -> None:
        super().__init__(f"s{n}", *args)
        self.n = n
        self.own: int | None = None
        self.form_token = ""
        self.classmates: set[int] = set()

    def learn(self, body: str) -> None:
        """What the student's page now shows: its poll URL, the answer form, the answers."""
        self.follow(body)
        token = CLIENT_TOKEN_FIELD.search(body)
        if token and self.own is None:
            self.form_token = token.group(1)
        for pk, classes in ARTICLE.findall(body):
            if "is-reply" in classes:
                continue
            if "is-own" in classes:
                self.own = int(pk)
            else:
                self.classmates.add(int(pk))

    def plan(self) -> list[tuple[float, str]]:
        """When this student opens the page, answers, replies and edits (seconds from the start)."""
        d, rng = self.config["duration"], self.rng
        opens = rng.uniform(0, self.config["arrive"])
        answer = rng.uniform(opens + 0.1 * d, max(opens + 0.1 * d, 0.5 * d))
        steps = [(opens, "open"), (answer, "answer")]
        steps += [(rng.uniform(answer + 0.05 * d, 0.9 * d), "reply") for _ in range(self.config["replies"])]
        if rng.random() < self.config["edit_share"]:
            steps.append((rng.uniform(answer + 0.02 * d, 0.95 * d), "edit"))
        return sorted(steps)

    def run(self, end: float) -> None:
        steps = self.plan()
        next_poll = None
        while time.monotonic() < end:
            due = steps[0][0] + self.started if steps else end
            if next_poll is not None and next_poll < due:
                time.sleep(max(0.0, next_poll - time.monotonic()))
                if time.monotonic() >= end:
                    break
                next_poll += self.config["poll_every"]
                self.poll()
                # htmx sets the next poll off when it sends one; one that came due while this
                # one was answered goes at once (htmx queues the last), not one per missed turn.
                next_poll = max(next_poll, time.monotonic())
                continue
            time.sleep(max(0.0, due - time.monotonic()))
            if not steps or time.monotonic() >= end:
                break
            action = steps.pop(0)[1]
            if action == "open":
                loaded = self.timed("page", "GET", f"/a/{self.config['assignment']}/", htmx=False)
                if loaded is None or loaded[0] != 200:
                    return
                self.learn(loaded[1])
                next_poll = time.monotonic() + self.config["poll_every"]
            elif action == "answer":
                self.answer()
            elif action == "reply":
                self.reply()
            elif action == "edit":
                self.edit()

    def poll(self) -> None:
        if not self.poll_url:
            return
        answer = self.timed("poll", "GET", self.poll_url, since=self.seen())
        if answer is not None:
            self.log[-1]["kind"] = "poll, nothing new" if answer[0] == 204 else "poll, changes"
            if answer[0] == 200:
                self.learn(answer[1])

    def answer(self) -> None:
        token = self.form_token
        form = {"csrfmiddlewaretoken": self.csrf, "client_token": token, "body": self.text("answer", 0)}
        form["seen"] = self.seen()
        body = self.post("answer", f"/a/{self.config['assignment']}/responses/", form, client_token=token)
        if body:
            self.learn(body)

    def reply(self) -> None:
        targets = sorted(self.classmates) or ([self.own] if self.own else [])
        if not targets:
            return
        target = self.rng.choice(targets)
        loaded = self.timed("reply form", "GET", f"/r/{target}/reply/")
        if loaded is None or loaded[0] != 200:
            return
        token, csrf = CLIENT_TOKEN_FIELD.search(loaded[1]), CSRF_FIELD.search(loaded[1])
        if not token or not csrf:
            self.log[-1]["error"] = "reply form: no form"
            return
        form = {"csrfmiddlewaretoken": csrf.group(1), "client_token": token.group(1), "seen": self.seen()}
        form["body"] = self.text("reply", len(self.log))
        body = self.post("reply", f"/r/{target}/reply/", form, client_token=token.group(1))
        if body:
            self.learn(body)

    def edit(self) -> None:
        if not self.own:
            self.log.append({"who": self.who, "kind": "edit skipped", "error": None})
            return
        loaded = self.timed("edit form", "GET", f"/r/{self.own}/edit/")
        if loaded is None or loaded[0] != 200:
            return
        csrf = CSRF_FIELD.search(loaded[1])
        form = {"csrfmiddlewaretoken": csrf.group(1) if csrf else self.csrf, "seen": self.seen()}
        form["body"] = self.text("answer", 0) + " Edited after reading my classmates."
        self.post("edit", f"/r/{self.own}/edit/", form)


class TeacherReport(Browser):
    """The teacher: the thread's report open, grading who answered, one every `grade_every` s."""

    def run(self, end: float) -> None:
        path = f"/a/{self.config['assignment']}/report/"
        graded: set[str] = set()
        time.sleep(max(0.0, self.started + self.config["arrive"] - time.monotonic()))
        urls: list[str] = []
        while time.monotonic() < end:
            if not urls:  # all graded that had answered: reload the report for the new answers
                loaded = self.timed("report", "GET", path, htmx=False)
                if loaded is None or loaded[0] != 200:
                    return
                self.follow(loaded[1])
                urls = [url for url in answered_rows(loaded[1]) if url not in graded]
            time.sleep(max(0.0, min(end, time.monotonic() + self.config["grade_every"]) - time.monotonic()))
            if time.monotonic() >= end or not urls:
                continue
            url = urls.pop(0)
            score = str(self.rng.randint(5, 10))
            form = {"csrfmiddlewaretoken": self.csrf, "score": score, "comment": "Good point, argued well."}
            if self.post("grade", url, form):
                graded.add(url)


def answered_rows(report: str) -> list[str]:
    """The feedback URLs of the report's rows whose student answered and is not graded yet."""
    urls = []
    for row in report.split('<tr id="student-')[1:]:
        found = FEEDBACK_URL.search(row)
        if found and "is-ungraded" in row[:80] and ("badge-done" in row or ">Late<" in row):
            urls.append(found.group(1))
    return urls


def run_class(config: dict, log: list[dict] | None = None) -> dict:
    """Play the class of `config` (see the module docstring); the log, the time and the client's CPU."""
    log = [] if log is None else log
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    config = config | {"started": started}
    end = started + config["duration"]
    rng = random.Random(config.get("seed", 1))
    ports = config["ports"]
    people: list[Browser] = [
        StudentPage(n, session, config, ports[n % len(ports)], log, random.Random(rng.random()))
        for n, session in enumerate(config["sessions"])
    ]
    if config.get("teacher_session"):
        people.append(TeacherReport("teacher", config["teacher_session"], config, ports[0], log, rng))

    def play(person: Browser) -> None:
        try:
            person.run(end)
        except Exception as error:  # shown in the log, not lost with the thread
            log.append({"who": person.who, "kind": "crash", "error": repr(error)})

    threads = [threading.Thread(target=play, args=(person,), daemon=True) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, end + GRACE - time.monotonic()))
    used = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": time.monotonic() - started,
        "unfinished": sum(thread.is_alive() for thread in threads),
        "client_cpu_s": (used.ru_utime - usage.ru_utime) + (used.ru_stime - usage.ru_stime),
        "log": list(log),
    }


def main(config_path: Path, out_path: Path) -> None:
    out_path.write_text(json.dumps(run_class(json.loads(config_path.read_text()))))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
