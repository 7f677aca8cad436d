"""The post burst: students load the thread, post an answer, then reply to a classmate.

A load generator in its own process, standard library only, speaking HTTP on loopback
as a browser with htmx does: GET the thread page (its form gives the CSRF token and
the client_token), POST the answer with `HX-Request: true`, then POST a reply to a
classmate's answer taken from the page that came back. Student n starts at
n * spread / N seconds, so the answers arrive within about `spread` seconds. Every
`double_every`-th student sends its answer twice at once, as a double click or a
retried request would, with the same client_token. A request whose connection is
refused or reset, or closed before the whole answer came (a worker killed under it, see
`run.py --kill`), is sent again once after a short pause, with the same form and so the
same client_token, as a student clicking again would. Each student has its own session
(created by bench/seed.py) and its own connection; nothing runs past `deadline`.

    python bench/burst.py CONFIG.json OUT.json
CONFIG: {"port", "assignment", "session_cookie", "sessions", "min_words",
         "spread", "double_every", "deadline"}
"""

import http.client
import json
import re
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
SOCKET_TIMEOUT = 60.0  # htmx itself never gives up; a student might, after a minute
RETRY_PAUSE = 0.5  # a student who sees nothing happen clicks again
# Refused, reset, closed before the status line, or cut in the body (IncompleteRead):
# what a browser reports as a network error. A timeout is not retried.
BROKEN = (ConnectionError, http.client.HTTPException)
WORDS = (
    "I think the deal matters less than the signal it sends to allies and to voters at home, "
    "and the commentary is right that trust is missing. Small practical steps usually come first, "
    "then the harder questions about sanctions, borders and energy follow if both sides need a win."
).split()
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLIENT_TOKEN_FIELD = re.compile(r'name="client_token" value="([^"]+)"')
ARTICLE = re.compile(r'<article id="response-(\d+)" class="response([^"]*)"')
FORM_ERROR = re.compile(r'class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S)


class Student:
    """One student's browser: a session, a CSRF cookie, one connection at a time."""

    def __init__(self, n: int, session: str, config: dict, log: list[dict]) -> None:
        self.n = n
        self.config = config
        self.cookies = {config["session_cookie"]: session}
        self.log = log
        self.origin = f"http://{HOST}:{config['port']}"

    def request(
        self, method: str, path: str, form: dict | None = None, htmx: bool = False
    ) -> tuple[int, str, float]:
        """One request on a new connection; a form is sent as htmx sends it, `htmx` marks a GET too."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if htmx:
            headers["HX-Request"] = "true"
        data = None
        if form is not None:
            data = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
                "Origin": self.origin,
            }
        conn = http.client.HTTPConnection(HOST, self.config["port"], timeout=SOCKET_TIMEOUT)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            body = response.read().decode()
        finally:
            conn.close()
        elapsed_ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies |= {name: morsel.value for name, morsel in SimpleCookie(header).items()}
        return response.status, body, elapsed_ms

    def send(
        self, entry: dict, method: str, path: str, form: dict | None = None, htmx: bool = False
    ) -> tuple | None:
        """The request, sent once more if its connection broke: (status, body, ms, retry).

        Each failed try is logged as `entry` with its error; None when no answer came.
        """
        for retry in (0, 1):
            try:
                return (*self.request(method, path, form, htmx), retry)
            except (OSError, http.client.HTTPException) as error:
                again = isinstance(error, BROKEN) and not retry
                self.log.append(
                    entry | {"acked": False, "retry": retry, "retried": again, "error": repr(error)}
                )
                if not again:
                    return None
                time.sleep(RETRY_PAUSE)
        return None

    def post(self, kind: str, path: str, form: dict, copy: int = 0) -> str:
        """POST and record the outcome; returns the page that came back ("" on failure).

        A broken connection is retried once with the same form: the retry either stores
        the post or, if the first try was stored before its worker died, answers with it.
        """
        entry = {"student": self.n, "kind": kind, "copy": copy, "client_token": form["client_token"]}
        answer = self.send(entry, "POST", path, form)
        if answer is None:
            return ""
        status, body, elapsed_ms, retry = answer
        marker = "Your answer is posted." if kind == "answer" else "Your reply is posted."
        acked = status == 200 and marker in body
        ids = [int(pk) for pk, classes in ARTICLE.findall(body) if kind == "reply" or "is-own" in classes]
        error = None
        if not acked:
            found = FORM_ERROR.search(body)
            error = f"HTTP {status}: " + (found.group(1) if found else body[:120])
        self.log.append(
            entry
            | {"status": status, "acked": acked, "id": ids[0] if acked and ids else None, "ms": elapsed_ms}
            | {"bytes": len(body.encode()), "retry": retry}
            | {"error": error}
        )
        return body if acked else ""

    def text(self, kind: str) -> str:
        words = WORDS[self.n % 7 :] + WORDS[: self.n % 7]
        return f"{kind.capitalize()} from student {self.n}: " + " ".join(
            words[: self.config["min_words"] + 15]
        )

    def run(self, deadline: float) -> None:
        assignment = self.config["assignment"]
        entry = {"student": self.n, "kind": "page"}
        page_loaded = self.send(entry, "GET", f"/a/{assignment}/")
        if page_loaded is None:
            return
        status, page, elapsed_ms, retry = page_loaded
        self.log.append(entry | {"status": status, "ms": elapsed_ms, "retry": retry})
        csrf, token = CSRF_FIELD.search(page), CLIENT_TOKEN_FIELD.search(page)
        if status != 200 or not csrf or not token:
            self.log[-1]["error"] = f"HTTP {status}: no answer form"
            return
        form = {
            "csrfmiddlewaretoken": csrf.group(1),
            "client_token": token.group(1),
            "body": self.text("answer"),
        }
        path = f"/a/{assignment}/responses/"
        double = self.config["double_every"] and self.n % self.config["double_every"] == 0
        twin = threading.Thread(target=self.post, args=("answer", path, form, 1), daemon=True)
        if double:
            twin.start()
        answered = self.post("answer", path, form)
        if double:
            twin.join(timeout=max(0.0, deadline - time.monotonic()))
        if not answered or time.monotonic() > deadline:
            return
        articles = ARTICLE.findall(answered)
        classmates = [
            int(pk) for pk, classes in articles if "is-own" not in classes and "is-reply" not in classes
        ]
        own = [int(pk) for pk, classes in articles if "is-own" in classes]
        # Spread the replies over the classmates' answers; the first student sees only their own.
        targets = classmates or own
        if not targets:
            return
        target = targets[self.n % len(targets)]
        reply = {**form, "client_token": str(uuid.uuid4()), "body": self.text("reply")}
        self.post("reply", f"/r/{target}/reply/", reply)


def run_burst(config: dict, log: list[dict] | None = None) -> dict:
    """Run every student of `config` (see the module docstring); their log and the time taken.

    Pass `log` to watch the entries arrive while the burst runs.
    """
    sessions = config["sessions"]
    log = [] if log is None else log
    started = time.monotonic()
    deadline = started + config["deadline"]

    def student(n: int, session: str) -> None:
        time.sleep(n * config["spread"] / len(sessions))
        try:
            Student(n, session, config, log).run(deadline)
        except Exception as error:  # shown in the log, not lost with the thread
            log.append({"student": n, "kind": "crash", "acked": False, "error": repr(error)})

    threads = [
        threading.Thread(target=student, args=(n, session), daemon=True) for n, session in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return {
        "seconds": time.monotonic() - started,
        "unfinished": sum(thread.is_alive() for thread in threads),
        "log": list(log),
    }


def main(config_path: Path, out_path: Path) -> None:
    out_path.write_text(json.dumps(run_burst(json.loads(config_path.read_text()))))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
