"""Differential test driver: what an open thread page shows live must equal a fresh load.

A real gunicorn with two sync workers serves a seeded class (tests/live_diff_agent.py,
in a process of its own, seeds it and carries out steps through classroom.actions).
Chromium keeps thread pages open for several people at once: the teacher, a co-teacher,
a student who has answered, one who has not, a peer in an anonymous thread, a student
waiting for a fair reveal, and a student with JavaScript off. A seeded random sequence
of steps then changes the class (through those pages where practical, the actions layer
otherwise, the Django admin over HTTP, and backup_data / restore_data). After each step
the open pages get their polls, and each page's thread region is compared with a fresh
load of the same URL by the same person, on a normalised DOM (tokens, poll tickets,
relative times and the screen-reader announcer removed; everything shown kept).

The live pages poll faster than the app's 5 s (POLL_SECONDS, rewritten into the HTML the
live pages receive) so a step costs about a second of waiting, not six: the requests,
the fragments and their swaps are the app's own. AGORA_LIVE_DIFF_POLL=5 polls as shipped.

Long run, one command (each seed a fresh server and class; it stops by itself):

    make live-diff SEEDS=3 STEPS=200        # seeds 1..3, 200 steps each
    make live-diff SEED=1234 STEPS=200      # one given seed

i.e. AGORA_LIVE_DIFF_SEEDS / AGORA_LIVE_DIFF_SEED / AGORA_LIVE_DIFF_STEPS around
`pytest tests/browser/test_live_equals_reload.py`; add DATABASE_URL and REDIS_URL for
PostgreSQL + Redis. A run does not stop at the first difference: it reports it, reloads
the open pages, and goes on, so one run lists every kind of difference it met (the
assertion message leads with the first: seed, step, viewer, region, unified diff).
"""

import contextlib
import difflib
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page

from bench.run import Server
from tests.servers import collected_static, database_url, run_manage, server_env

POLL_SECONDS = float(os.environ.get("AGORA_LIVE_DIFF_POLL", "1"))
# A write by one worker reaches the other's fast poll path within classroom.caching's one
# second; the pages must then have polled once more.
CONVERGE_TIMEOUT = 5 * POLL_SECONDS + 6
SETTLE_SECONDS = 0.15  # htmx settles swapped content 20 ms after a swap
REGIONS = {
    # What the thread page shows, region by region, in page order.
    "head": ".thread-head",
    "brief": "#brief",
    "stats": "#thread-stats",
    "composer": "#composer",
    "responses": "#thread-responses",
}

# Serialises a region into lines: one per element (tag, sorted attributes, live form
# state) and one per text node. Removed, and only these: the CSRF and client tokens (new
# on every render), the poller (its URL carries the version and a signed ticket), the
# aria-live announcer (it says what just happened, which a fresh load never does), htmx's
# transient classes and its hx-swap-oob marker, and the relative "(in 3 days)" of the due
# time. Whitespace is collapsed.
NORMALISE_JS = r"""
(regions) => {
  const SKIP_IDS = new Set(["thread-poll", "thread-announcer"]);
  const TOKENS = new Set(["csrfmiddlewaretoken", "client_token"]);
  const text = (s) => s.replace(/\s+/g, " ").trim().replace(/\(in [^)]*\)/g, "(in …)");
  const result = {};
  for (const [name, selector] of Object.entries(regions)) {
    const root = document.querySelector(selector);
    const out = [];
    const walk = (node, depth) => {
      const pad = "  ".repeat(depth);
      if (node.nodeType === Node.TEXT_NODE) {
        const t = text(node.textContent);
        if (t) out.push(pad + JSON.stringify(t));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      const tag = node.tagName.toLowerCase();
      if (tag === "script") return;
      if (SKIP_IDS.has(node.id)) { out.push(`${pad}<${tag} id="${node.id}">`); return; }
      const attrs = [];
      for (const a of [...node.attributes].sort((x, y) => x.name.localeCompare(y.name))) {
        let v = a.value;
        if (a.name === "hx-swap-oob") continue;
        if (a.name === "class") {
          v = v.split(/\s+/).filter((c) => c && !c.startsWith("htmx-")).sort().join(" ");
          if (!v) continue;
        }
        if (a.name === "value" && TOKENS.has(node.getAttribute("name"))) v = "(token)";
        attrs.push(`${a.name}=${JSON.stringify(v)}`);
      }
      if (tag === "textarea" || tag === "select") attrs.push(`(value)=${JSON.stringify(node.value)}`);
      if (tag === "input" && (node.type === "checkbox" || node.type === "radio")) attrs.push(`(checked)=${node.checked}`);
      out.push(`${pad}<${tag}${attrs.length ? " " + attrs.join(" ") : ""}>`);
      if (tag === "textarea") return;  // its text is its initial value; (value) is what it shows
      for (const child of node.childNodes) walk(child, depth + 1);
    };
    if (root) walk(root, 0); else out.push("(absent)");
    result[name] = out;
  }
  return result;
}
"""


# ---- the served class -------------------------------------------------------------


class Refused(Exception):
    """The rules refused the step (ActionRefused): pick another."""


class Agent:
    """tests/live_diff_agent.py in a subprocess on the server's database: call(op, **args)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.live_diff_agent"],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def call(self, op: str, **args: Any) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the agent exited during {op}; see {self.log.name}")
        answer = json.loads(line)
        if "refused" in answer:
            raise Refused(answer["refused"])
        if "error" in answer:
            raise RuntimeError(f"agent {op}({args}) failed:\n{answer['error']}")
        return answer["ok"]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@dataclass
class Served:
    server: Server
    agent: Agent
    env: dict[str, str]
    tmp_path: Path
    plan: dict

    @property
    def url(self) -> str:
        return self.server.url

    def manage(self, *args: str) -> None:
        run_manage(self.env, *args)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.server.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def served(tmp_path: Path) -> Iterator[Served]:
    """gunicorn with two workers over a freshly seeded class (tests/servers.py's way).

    On PostgreSQL the server uses the suite's test database (the test must use
    `transactional_db`); on SQLite a file in tmp_path.
    """
    on_postgres = connection.vendor == "postgresql"
    url = database_url() if on_postgres else f"sqlite:///{tmp_path / 'served.sqlite3'}"
    env = server_env(url) | {"AGORA_POSTS_PER_MINUTE": "100000"}  # steps post far faster than a class
    if connection.vendor == "sqlite":
        run_manage(env, "migrate", "--noinput", "-v0")
    agent = Agent(env, tmp_path / "agent.log")
    try:
        plan = agent.call("seed")
        with collected_static(env), Server(env, tmp_path / "gunicorn.log", workers=2) as server:
            yield Served(server, agent, env, tmp_path, plan)
    finally:
        agent.close()


# ---- the people and their pages -------------------------------------------------------


@dataclass
class Viewer:
    """One person's open page of one thread, and how to load that URL afresh as them."""

    role: str
    username: str
    thread: str
    js: bool
    context: BrowserContext
    url: str
    live: Page | None = None

    @property
    def name(self) -> str:
        return f"{self.role} {self.username}@{self.thread}"


VIEWERS = [
    # (role, username, thread key, JavaScript on)
    ("teacher", "tess", "evidence", True),
    ("teacher", "tess", "big", True),
    ("co-teacher", "cole", "anonymous", True),
    ("answered student", "ana", "evidence", True),
    ("unanswered student", "ben", "evidence", True),
    ("anonymous peer", "cleo", "anonymous", True),
    ("fair-reveal student", "dev", "reveal", True),
    ("no-JS student", "eve", "evidence", False),
]


# Run in each live page before its scripts: htmx reads the poller's hx-trigger through
# getAttribute, so the live pages poll every POLL_SECONDS instead of every 5 s. Only the
# interval changes; the requests and the swaps are the app's own.
FASTER_POLLS_JS = """
(() => {
  const seconds = %s;
  const getAttribute = Element.prototype.getAttribute;
  Element.prototype.getAttribute = function (name) {
    if (name === "hx-trigger" && this.id === "thread-poll") return `every ${seconds}s`;
    return getAttribute.call(this, name);
  };
})();
"""


class Class:
    """The browser side of a run: a context per person, the live pages, fresh loads."""

    def __init__(self, browser: Browser, site: Served) -> None:
        self.browser = browser
        self.site = site
        self.contexts: dict[tuple[str, bool], BrowserContext] = {}
        self.sessions: dict[str, str] = {}
        self.viewers: list[Viewer] = []
        self.fresh_tabs: dict[str, Page] = {}

    def context(self, username: str, js: bool = True) -> BrowserContext:
        if (username, js) not in self.contexts:
            self.contexts[(username, js)] = self.new_context(username, js)
        return self.contexts[(username, js)]

    def new_context(self, username: str, js: bool) -> BrowserContext:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=js)
        context.set_default_timeout(15_000)
        self.log_in(context, username)
        return context

    def log_in(self, context: BrowserContext, username: str) -> None:
        """The session cookie of a session the agent made (as a login through the form would)."""
        if username not in self.sessions:
            self.sessions[username] = self.site.agent.call("session", username=username)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": self.sessions[username], "url": self.site.url}]
        )

    def open(self) -> None:
        for role, username, thread, js in VIEWERS:
            url = f"{self.site.url}/a/{self.site.plan['threads'][thread]}/"
            viewer = Viewer(role, username, thread, js, self.context(username, js), url)
            self.viewers.append(viewer)
            viewer.live = viewer.context.new_page()
            if js:
                viewer.live.add_init_script(FASTER_POLLS_JS % POLL_SECONDS)
                viewer.live.on("dialog", lambda dialog: dialog.accept())  # hx-confirm on delete
        self.goto_all([(viewer.live, viewer.url) for viewer in self.viewers if viewer.live])

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()

    def viewer(self, username: str, thread: str) -> Viewer | None:
        return next((v for v in self.viewers if v.username == username and v.thread == thread and v.js), None)

    def renew_sessions(self) -> list[str]:
        """After a restore: sessions the restore dropped (Redis is cleared) are made again."""
        renewed = []
        for username, key in list(self.sessions.items()):
            if self.site.agent.call("session_valid", key=key):
                continue
            del self.sessions[username]
            for (name, _), context in self.contexts.items():
                if name == username:
                    self.log_in(context, username)
            renewed.append(username)
        return renewed

    def poll_version(self, viewer: Viewer) -> int | None:
        assert viewer.live
        found = viewer.live.evaluate(
            "() => { const p = document.getElementById('thread-poll');"
            " return p && new URLSearchParams(p.getAttribute('hx-get').split('?')[1]).get('v'); }"
        )
        return int(found) if found is not None else None

    def wait_for_polls(self, versions: dict[str, int], viewers: list[Viewer]) -> list[str]:
        """Until each live JS page has polled up to its thread's version: the late ones, if any."""
        deadline = time.monotonic() + CONVERGE_TIMEOUT
        waiting = [v for v in viewers if v.js]
        while waiting and time.monotonic() < deadline:
            waiting = [v for v in waiting if self.poll_version(v) != versions[v.thread]]
            if waiting:
                waiting[0].live.wait_for_timeout(100)  # (not time.sleep: Playwright's events go on)
        if viewers:
            viewers[0].live.wait_for_timeout(SETTLE_SECONDS * 1000)
        return [
            f"{v.name} (poll at v={self.poll_version(v)}, thread at v={versions[v.thread]})" for v in waiting
        ]

    def shown(self, page: Page) -> dict[str, list[str]]:
        regions = dict(REGIONS)
        found = page.evaluate(NORMALISE_JS, regions)
        found["url"] = [page.url.removeprefix(self.site.url)]
        return found

    def live_view(self, viewer: Viewer) -> dict[str, list[str]]:
        assert viewer.live
        if not viewer.js:
            viewer.live.reload()  # without JavaScript, a reload is the only way to see changes
        return self.shown(viewer.live)

    def fresh_views(self, viewers: list[Viewer]) -> dict[str, dict[str, list[str]]]:
        """The same URLs loaded now by the same people: in a second tab of theirs (JS), or in
        a new context with their session (no JS). The tabs load side by side."""
        tabs = []
        for viewer in viewers:
            if viewer.js:
                # A tab kept for this: a new tab costs Chromium more than the load itself, and
                # a navigation is a fresh load all the same.
                tab = self.fresh_tabs.get(viewer.name)
                if tab is None:
                    tab = self.fresh_tabs[viewer.name] = viewer.context.new_page()
                tab.goto(viewer.url, wait_until="commit")
                tabs.append((viewer, tab))
        found = {}
        for viewer, tab in tabs:
            tab.wait_for_load_state("domcontentloaded")
            found[viewer.name] = self.shown(tab)
            tab.goto("about:blank", wait_until="commit")  # no poller left running in the background
        for viewer in viewers:
            if not viewer.js:
                context = self.new_context(viewer.username, js=False)
                try:
                    page = context.new_page()
                    page.goto(viewer.url)
                    found[viewer.name] = self.shown(page)
                finally:
                    context.close()
        return found

    def goto_all(self, pages: list[tuple[Page, str]]) -> None:
        """Load pages side by side: each navigation starts before the previous one has loaded."""
        for page, url in pages:
            page.goto(url, wait_until="commit")
        for page, _ in pages:
            page.wait_for_load_state("load")

    def resync(self, viewers: list[Viewer]) -> None:
        """After a reported difference: start those pages again from a fresh load."""
        self.goto_all([(viewer.live, viewer.url) for viewer in viewers if viewer.live])


# ---- comparing ---------------------------------------------------------------------


@dataclass
class Difference:
    seed: int
    step: int
    description: str
    viewer: str
    region: str
    diff: list[str]

    def __str__(self) -> str:
        body = "\n".join(self.diff)
        return (
            f"seed {self.seed}, step {self.step} ({self.description}): {self.viewer} sees the {self.region}"
            f" live unlike a fresh load:\n{body}"
        )


def first_difference(
    live: dict[str, list[str]], fresh: dict[str, list[str]], lines: int = 14
) -> tuple[str, list[str]] | None:
    for region in ["url", *REGIONS]:
        if live.get(region) != fresh.get(region):
            diff = list(
                difflib.unified_diff(
                    fresh.get(region, []), live.get(region, []), "fresh load", "live page", n=2, lineterm=""
                )
            )
            return region, diff[:lines]
    return None


# ---- the steps -------------------------------------------------------------------------


@dataclass
class Step:
    description: str
    threads: set[str]  # threads whose pages may change; every thread for "everything"
    check: Callable[[], list[tuple[str, str]]] | None = None  # after the comparison: (viewer, problem)
    via_ui: bool = False


@dataclass
class Run:
    seed: int
    steps: int
    site: Served
    people: Class
    rng: random.Random = field(init=False)
    log: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    backup: Path | None = None
    after_restore: bool = False

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.state: dict = {}

    # -- helpers

    @property
    def agent(self) -> Agent:
        return self.site.agent

    def refresh(self) -> dict:
        self.state = self.agent.call("state")
        return self.state

    def thread(self, key: str) -> dict:
        return self.state["threads"][key]

    def all_threads(self) -> set[str]:
        return set(self.state["threads"])

    def students(self) -> list[str]:
        return [name for name in self.state["members"]]

    def live(self, thread: str, key: str = "live") -> list[dict]:
        return [r for r in self.thread(thread)["responses"] if not r["deleted"]]

    def body(self, what: str, step: int) -> str:
        return (
            f"{what} at step {step}: the talks matter because trust is built slowly and evidence"
            " beats slogans, and the consulate is a start that costs little and signals a lot"
        )

    # -- step kinds; each returns a Step or raises Refused

    def step_answer(self, n: int) -> Step:
        key = self.rng.choice(sorted(self.all_threads()))
        thread = self.thread(key)
        answered = {r["author"] for r in self.live(key) if r["parent"] is None}
        candidates = [s for s in self.students() if s not in answered]
        if not candidates or not thread["accepts_posts"]:
            raise Refused("nobody left to answer")
        author = self.rng.choice(candidates)
        seat = thread["seats"].get(author, {})
        quote = disputes = None
        if thread["rules"]["evidence"]:
            part, index = self.rng.choice(thread["sentences"])
            quote, disputes = [part, index], self.rng.choice(["", "fact", "interpretation"])
        viewer = self.people.viewer(author, key)
        body = self.body(f"Answer of {author}", n)
        if viewer and self.ui_answer(viewer, body, quote, disputes, stance=self.rng.randint(1, 5)):
            return Step(
                f"{author} answers in {key} through the page (quote {quote}, {disputes!r})",
                {key},
                via_ui=True,
            )
        if thread["rules"]["stance"] and seat.get("stance_before") is None and not seat.get("posted"):
            self.agent.call(
                "stance", thread_key=key, student=author, value=self.rng.randint(1, 5), moment="before"
            )
        extras = {"quote": quote, "disputes": disputes} if quote else {}
        self.agent.call("post", thread_key=key, author=author, body=body, **extras)
        return Step(f"{author} answers in {key} (quote {quote}, {disputes!r})", {key})

    def reply_target(self, key: str, steelman_only: bool) -> tuple[str, dict]:
        thread = self.thread(key)
        if not thread["accepts_posts"] and not thread["rules"]:
            raise Refused("closed")
        targets = [r for r in self.live(key) if not r["hidden"]]
        if steelman_only:
            targets = [r for r in targets if not r["by_instructor"]]
        if not targets:
            raise Refused("nothing to reply to")
        target = self.rng.choice(targets)
        posted = [s for s, seat in thread["seats"].items() if seat["posted"] and s in self.state["members"]]
        authors = (
            [*posted, "tess", "cole"] if not steelman_only else [s for s in posted if s != target["author"]]
        )
        if not authors:
            raise Refused("nobody to reply")
        return self.rng.choice(authors), target

    def step_reply(self, n: int, steelman_only: bool = False) -> Step:
        keys = [
            k for k in sorted(self.all_threads()) if not steelman_only or self.thread(k)["rules"]["steelman"]
        ]
        if not keys:
            raise Refused("no steelman thread")
        key = self.rng.choice(keys)
        author, target = self.reply_target(key, steelman_only)
        thread = self.thread(key)
        needs_restating = (
            thread["rules"]["steelman"]
            and author not in ("tess", "cole")
            and not target["by_instructor"]
            and target["author"] != author
        )
        steelman = (
            f"{target['author']} thinks the consulate matters more than steel, as a first sign of trust"
            if needs_restating
            else ""
        )
        body = self.body(f"Reply of {author} to #{target['id']}", n)
        viewer = self.people.viewer(author, key)
        what = f"{author} replies{' with a restatement' if steelman else ''} to {target['author']}'s #{target['id']} in {key}"
        if viewer and self.ui_reply(viewer, target["id"], body, steelman):
            return Step(what + " through the page", {key}, via_ui=True)
        self.agent.call(
            "post", thread_key=key, author=author, body=body, parent=target["id"], steelman=steelman
        )
        return Step(what, {key})

    def own_response(self) -> tuple[str, dict]:
        key = self.rng.choice(sorted(self.all_threads()))
        mine = [r for r in self.live(key) if r["author"] in self.state["members"] + ["tess", "cole"]]
        if not mine:
            raise Refused("nothing to change")
        return key, self.rng.choice(mine)

    def step_edit(self, n: int) -> Step:
        key, target = self.own_response()
        body = self.body(f"Edited #{target['id']} by {target['author']}", n)
        viewer = self.people.viewer(target["author"], key)
        what = f"{target['author']} edits #{target['id']} in {key}"
        if viewer and self.ui_edit(viewer, target["id"], body):
            return Step(what + " through the page", {key}, via_ui=True)
        self.agent.call("edit", response_id=target["id"], by=target["author"], body=body)
        return Step(what, {key})

    def step_delete(self, n: int) -> Step:
        key, target = self.own_response()
        viewer = self.people.viewer(target["author"], key)
        what = f"{target['author']} deletes #{target['id']} in {key}"
        if viewer and self.ui_delete(viewer, target["id"]):
            return Step(what + " through the page", {key}, via_ui=True)
        self.agent.call("delete", response_id=target["id"], by=target["author"])
        return Step(what, {key})

    def step_steelman(self, n: int) -> Step:
        return self.step_reply(n, steelman_only=True)

    def step_fair(self, n: int) -> Step:
        restated = [(key, r) for key in sorted(self.all_threads()) for r in self.live(key) if r["steelman"]]
        if not restated:
            raise Refused("no restatement yet")
        key, target = self.rng.choice(restated)
        fair = not target["fair"]
        self.agent.call("fair", response_id=target["id"], by=target["restated_author"], fair=fair)
        return Step(
            f"{target['restated_author']} marks #{target['id']} {'fair' if fair else 'not fair'} in {key}",
            {key},
        )

    def step_stance(self, n: int) -> Step:
        keys = [k for k in sorted(self.all_threads()) if self.thread(k)["rules"]["stance"]]
        if not keys:
            raise Refused("no stance thread")
        key = self.rng.choice(keys)
        student = self.rng.choice(self.students())
        seat = self.thread(key)["seats"].get(student, {})
        moment = "after" if seat.get("posted") else "before"
        value = self.rng.randint(1, 5)
        self.agent.call("stance", thread_key=key, student=student, value=value, moment=moment)
        return Step(f"{student} stands at {value} {moment} in {key}", {key})

    def moderated(self, predicate: Callable[[dict], bool]) -> tuple[str, dict, str]:
        found = [(key, r) for key in sorted(self.all_threads()) for r in self.live(key) if predicate(r)]
        if not found:
            raise Refused("nothing to moderate")
        key, target = self.rng.choice(found)
        return key, target, self.rng.choice(["tess", "cole"])

    def step_hide(self, n: int) -> Step:
        key, target, by = self.moderated(lambda r: not r["hidden"] and not r["by_instructor"])
        self.agent.call("hide", response_id=target["id"], by=by, reason=f"Off topic (step {n})")
        return Step(f"{by} hides #{target['id']} by {target['author']} in {key}", {key})

    def step_unhide(self, n: int) -> Step:
        key, target, by = self.moderated(lambda r: r["hidden"])
        self.agent.call("unhide", response_id=target["id"], by=by)
        return Step(f"{by} shows #{target['id']} in {key} again", {key})

    def step_highlight(self, n: int) -> Step:
        key, target, by = self.moderated(lambda r: not r["by_instructor"])
        self.agent.call("highlight", response_id=target["id"], by=by, on=not target["highlighted"])
        return Step(f"{by} {'un' if target['highlighted'] else ''}highlights #{target['id']} in {key}", {key})

    def step_pin(self, n: int) -> Step:
        key, target, by = self.moderated(lambda r: r["parent"] is None)
        self.agent.call("pin", response_id=target["id"], by=by, on=not target["pinned"])
        return Step(f"{by} {'un' if target['pinned'] else ''}pins #{target['id']} in {key}", {key})

    def step_lock(self, n: int) -> Step:
        key = self.rng.choice(sorted(self.all_threads()))
        locked = not self.thread(key)["locked"]
        self.agent.call("lock", thread_key=key, by=self.rng.choice(["tess", "cole"]), locked=locked)
        return Step(f"{'lock' if locked else 'reopen'} {key}", {key})

    def step_rules(self, n: int) -> Step:
        key = self.rng.choice(sorted(self.all_threads()))
        rules = self.thread(key)["rules"]
        name = self.rng.choice(
            ["post_first", "anonymous_to_peers", "evidence", "reveal_quorum", "stance", "steelman",
             "min_words", "allow_late", "due_at"]
        )  # fmt: skip
        if name == "reveal_quorum":
            change = {name: None if rules[name] else self.rng.choice([15, 60])}
        elif name == "min_words":
            change = {name: 0 if rules[name] else 10}
        elif name == "due_at":
            change = {"due_in_hours": self.rng.choice([-2, 30, 120])}
        else:
            change = {name: not rules[name]}
        self.agent.call("rules", thread_key=key, **change)
        return Step(f"rules of {key}: {change}", {key})

    def step_extend(self, n: int) -> Step:
        key = self.rng.choice(sorted(self.all_threads()))
        if self.thread(key)["rules"]["due_at"] is None:
            raise Refused("no due date")
        student = self.rng.choice(self.students())
        has = self.thread(key)["seats"].get(student, {}).get("extension")
        self.agent.call("extend", thread_key=key, student=student, by="tess", days=None if has else 2)
        return Step(
            f"{'take back the extension of' if has else 'extend the due time for'} {student} in {key}", {key}
        )

    def step_remove(self, n: int) -> Step:
        watching = {username for _, username, _, _ in VIEWERS}
        candidates = [s for s in self.students() if s not in watching]
        if not candidates:
            raise Refused("nobody to remove")
        student = self.rng.choice(candidates)
        self.agent.call("remove", student=student)
        return Step(f"remove {student} from the class", self.all_threads())

    def step_brief(self, n: int) -> Step:
        key = self.rng.choice(sorted(self.all_threads()))
        self.agent.call(
            "brief_edit", thread_key=key, sentence=f"Revised at step {n}: the talks resume in May"
        )
        return Step(f"the teacher edits the brief of {key} (commentary) and moves the thread to it", {key})

    def step_admin_delete(self, n: int) -> Step:
        """A superuser deletes, in the Django admin over HTTP, a student with answers."""
        watching = {username for _, username, _, _ in VIEWERS}
        authors = sorted(
            {r["author"] for key in ("big", "evidence") for r in self.live(key) if r["parent"] is None}
            - watching
            - {"tess", "cole"}
        )
        if not authors:
            raise Refused("no student with answers")
        victim = self.rng.choice(authors)
        user_id = self.agent.call("user_id", username=victim)
        context = self.people.browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{self.site.url}/admin/login/?next=/admin/")
            page.fill("#id_username", "root")
            page.fill("#id_password", self.site.plan["password"])
            page.click("input[type=submit]")
            page.wait_for_url(f"{self.site.url}/admin/")
            page.goto(f"{self.site.url}/admin/classroom/user/{user_id}/delete/")
            page.click("input[type=submit]")  # "Yes, I'm sure"
            page.wait_for_url(f"{self.site.url}/admin/classroom/user/")
        finally:
            context.close()
        return Step(f"the admin deletes user {victim} (with their answers)", self.all_threads())

    def step_backup(self, n: int) -> Step:
        self.backup = self.site.tmp_path / f"backup-{n}.data"
        self.site.manage("backup_data", str(self.backup), "-v0")
        return Step("backup_data", self.all_threads())

    def step_restore(self, n: int) -> Step:
        assert self.backup
        self.site.manage("restore_data", "--yes", str(self.backup), "-v0")
        renewed = self.people.renew_sessions()
        # Pages that a lost session sent to the login page go back to their thread.
        for viewer in self.people.viewers:
            if viewer.live and viewer.live.url != viewer.url:
                viewer.live.goto(viewer.url)
        self.backup = None
        self.after_restore = True
        note = f"; sessions made again for {', '.join(renewed)}" if renewed else ""
        return Step(f"restore_data of the backup{note}", self.all_threads())

    def step_reply_after_restore(self, n: int) -> Step:
        """A reply after the restore must show, to its author and to every reader of the thread."""
        self.after_restore = False
        key = "evidence"
        targets = [r for r in self.live(key) if r["parent"] is None and not r["hidden"]]
        # The restored thread may be locked or past due (a later backup can catch it so): the
        # teacher reopens it and replies, which a past due time does not stop.
        self.agent.call("lock", thread_key=key, by="tess", locked=False)
        author = "tess"
        target = self.rng.choice(targets)
        body = self.body(f"Reply after the restore to #{target['id']}", n)
        # Through the actions: the teacher's open page may not have polled the reopening yet.
        via_ui = False
        self.agent.call("post", thread_key=key, author=author, body=body, parent=target["id"])
        marker = body.split(":")[0]

        def shows_the_reply() -> list[tuple[str, str]]:
            readers = [viewer for viewer in self.people.viewers if viewer.thread == key]
            fresh = self.people.fresh_views(readers)
            # Whoever is shown the answer replied to (not held back by a stance first) sees the reply.
            answer = f'"response-{target["id"]}"'
            return [
                (viewer.name, f"(a fresh load does not show the reply “{marker}”, posted after the restore)")
                for viewer in readers
                if any(answer in line for line in fresh[viewer.name]["responses"])
                and not any(marker in line for line in fresh[viewer.name]["responses"])
            ]

        return Step(
            f"{author} replies to #{target['id']} in {key} after the restore", {key}, shows_the_reply, via_ui
        )

    # -- through the page

    def ui_post(self, page: Page, url_part: str, click: Callable[[], None]) -> bool:
        """Submit a form on the live page; False (and the page reloaded) when the app refused it."""
        with page.expect_response(lambda r: r.request.method == "POST" and url_part in r.url) as posted:
            click()
        response = posted.value
        page.wait_for_timeout(100)  # htmx swaps the answer in
        if response.status != 200 or page.locator(".errorlist, .form-errors").count():
            page.goto(page.url.split("#")[0])
            raise Refused(f"the page refused it ({response.status})")
        return True

    def ui_answer(
        self, viewer: Viewer, body: str, quote: list | None, disputes: str | None, stance: int
    ) -> bool:
        page = viewer.live
        assert page
        composer = page.locator("#composer")
        stance_form = composer.locator("form.stance-form")
        if composer.locator("form.response-form").count() == 0 and stance_form.count():
            stance_form.locator(f"input[name=stance][value='{stance}']").check()
            self.ui_post(page, "/stance/", lambda: stance_form.get_by_role("button").click())
        form = composer.locator("form.response-form")
        if form.count() == 0:
            return False
        if quote and form.locator("select[name=quote]").count():
            form.locator("select[name=quote]").select_option(f"{quote[0]}:{quote[1]}")
            form.locator(f"input[name=disputes][value='{disputes}']").check()
        form.locator("textarea[name=body]").fill(body)
        return self.ui_post(
            page, "/responses/", lambda: form.get_by_role("button", name="Post answer").click()
        )

    def ui_reply(self, viewer: Viewer, parent: int, body: str, steelman: str) -> bool:
        page = viewer.live
        assert page
        link = page.locator(f"#response-{parent} > footer a[href$='/reply/']")
        if link.count() != 1:
            return False
        with page.expect_response(lambda r: f"/r/{parent}/reply/" in r.url):
            link.click()
        form = page.locator(f"form[action$='/r/{parent}/reply/']")
        form.wait_for()
        if form.locator("textarea[name=steelman]").count():
            if not steelman:
                steelman = "They think the consulate matters more than steel, as a first sign of trust"
            form.locator("textarea[name=steelman]").fill(steelman)
        form.locator("textarea[name=body]").fill(body)
        return self.ui_post(
            page, f"/r/{parent}/reply/", lambda: form.get_by_role("button", name="Post reply").click()
        )

    def ui_edit(self, viewer: Viewer, response_id: int, body: str) -> bool:
        page = viewer.live
        assert page
        link = page.locator(f"#response-{response_id} > footer a[href$='/edit/']")
        if link.count() != 1:
            return False
        with page.expect_response(lambda r: f"/r/{response_id}/edit/" in r.url):
            link.click()
        form = page.locator(f"form[action$='/r/{response_id}/edit/']")
        form.wait_for()
        form.locator("textarea[name=body]").fill(body)
        return self.ui_post(
            page, f"/r/{response_id}/edit/", lambda: form.get_by_role("button", name="Save changes").click()
        )

    def ui_delete(self, viewer: Viewer, response_id: int) -> bool:
        page = viewer.live
        assert page
        button = page.locator(f"#response-{response_id} > footer form[action$='/delete/'] button")
        if button.count() != 1:
            return False
        return self.ui_post(page, f"/r/{response_id}/delete/", button.click)

    # -- the run

    KINDS: ClassVar[dict[str, int]] = {
        "answer": 6, "reply": 6, "edit": 3, "delete": 2, "steelman": 2, "fair": 2, "stance": 2,
        "hide": 2, "unhide": 1, "highlight": 2, "pin": 2, "lock": 1, "rules": 3, "extend": 1,
        "remove": 1, "brief": 1,
    }  # fmt: skip

    def scheduled(self, n: int) -> str | None:
        """The rare steps come at fixed points of every 60 (or of a shorter run): each run has them."""
        cycle = min(self.steps, 60)
        at = n % cycle
        if at == 0 and n + cycle <= self.steps:
            return "backup"  # a long run backs up again for its next restore
        if at == max(2, cycle * 35 // 100):
            return "admin_delete"
        if at == max(4, cycle * 70 // 100):
            return "restore" if self.backup else None
        if self.after_restore:
            return "reply_after_restore"
        return None

    def pick(self, n: int) -> Step:
        if kind := self.scheduled(n):
            return getattr(self, f"step_{kind}")(n)
        kinds, weights = zip(*self.KINDS.items(), strict=True)
        for _ in range(30):
            kind = self.rng.choices(kinds, weights)[0]
            try:
                return getattr(self, f"step_{kind}")(n)
            except Refused as refusal:
                self.log.append(f"  step {n}: {kind} refused ({refusal}); another")
                self.refresh()
        raise RuntimeError(f"seed {self.seed}, step {n}: no step could be taken")

    def compare(self, n: int, step: Step, viewers: list[Viewer]) -> list[Difference]:
        found = []
        # Every live page first, as the polls left it; then the fresh loads.
        lives = {viewer.name: self.people.live_view(viewer) for viewer in viewers}
        fresh = self.people.fresh_views(viewers)
        for viewer in viewers:
            if difference := first_difference(lives[viewer.name], fresh[viewer.name]):
                region, diff = difference
                found.append(Difference(self.seed, n, step.description, viewer.name, region, diff))
        return found

    def go(self) -> None:
        print(f"\nlive-equals-reload: seed {self.seed}, {self.steps} steps, {self.site.url}", flush=True)
        self.refresh()
        self.people.open()
        self.log.append(
            self.step_backup(0).description
        )  # early, so that a restore has something to go back to
        for n in range(1, self.steps + 1):
            started = time.monotonic()
            self.refresh()
            before = self.agent.call("versions")
            step = self.pick(n)
            after = self.agent.call("versions")
            self.refresh()
            touched = step.threads | {key for key in after if after[key] != before.get(key)}
            viewers = [v for v in self.people.viewers if v.thread in touched]
            late = self.people.wait_for_polls(after, viewers)
            found = self.compare(n, step, viewers)
            for viewer, message in step.check() if step.check else []:
                found.append(Difference(self.seed, n, step.description, viewer, "responses", [message]))
            self.log.append(
                f"step {n}: {step.description} [{len(viewers)} pages, {time.monotonic() - started:.1f} s]"
                + (f" late polls: {late}" if late else "")
                + (f" -> {len(found)} differences" if found else "")
            )
            print(self.log[-1], flush=True)
            if found:
                self.differences += found
                for difference in found:
                    print(difference, flush=True)
                self.people.resync(viewers)  # go on from equal pages, to find the next kind of difference


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def seeds_to_run(default_seeds: list[int]) -> list[int]:
    if seed := os.environ.get("AGORA_LIVE_DIFF_SEED"):
        return [int(seed)]
    if count := os.environ.get("AGORA_LIVE_DIFF_SEEDS"):
        return list(range(1, int(count) + 1))
    return default_seeds


def run_seed(browser: Browser, tmp_path: Path, seed: int, steps: int) -> Run:
    folder = tmp_path / f"seed-{seed}"
    folder.mkdir()
    with served(folder) as site:
        people = Class(browser, site)
        run = Run(seed, steps, site, people)
        try:
            run.go()
        finally:
            people.close()
    return run


def report(runs: list[Run]) -> str:
    differences = [d for run in runs for d in run.differences]
    if not differences:
        return ""
    summary = [f"{len(differences)} live-vs-reload differences; the first:", str(differences[0]), "", "All:"]
    summary += [
        f"  seed {d.seed} step {d.step} ({d.description}): {d.viewer}, {d.region}" for d in differences
    ]
    return "\n".join(summary)
