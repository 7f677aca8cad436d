"""Generated hostile input into every field of every URL, as every role: never a server error.

The URLs come from the resolver and the field names from the forms the pages render
(each <form>'s action is resolved back to its URL name), plus the fields and query
parameters listed below; a new URL or a new field is covered without a change here.
`test_every_url_is_covered_or_excluded` fails for a URL whose arguments have no values
here and that is not excluded with a reason.

Hypothesis draws, for each URL: who asks (the five roles), GET or POST, plain or htmx,
the URL's ids (the world's, or huge, zero, negative, not a number) and the fields: the
page's own values with one to three of them replaced by NUL and control characters, lone
surrogates (sent as the invalid UTF-8 a client would send), huge and negative numbers,
impossible dates and UTC offsets, overlong strings and odd Unicode; uploaded files carry
the same inside an otherwise valid file. Every answer must be below 500 (a view that
raises fails too, with the URL, role, field and value), a huge id a 404, a refusal must
leave the row counts as they were, and no stored text may hold a NUL character.

Each example runs in a savepoint that is rolled back, so every one starts from the same
world. The run is derandomized: CI sends the same REQUESTS requests every time (the
summary line says so), about two minutes on SQLite or on PostgreSQL with Redis on a busy
two-core machine.
"""

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefs.actions import save_brief
from briefs.models import Brief
from classroom import caching
from classroom.actions import hide_response
from classroom.models import Assignment, Invitation, Notification, RulePreset
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory, make_response

ROLES = ("owner", "member", "anonymous", "outsider", "other_instructor")

# URL namespaces and names the generator leaves alone, each with its reason.
EXCLUDED = {
    "admin": "Django's own admin, for staff only; its forms and their validation are Django's",
    "bench_floor": "served only while `make bench` runs (AGORA_BENCH=1): a bare view with no input",
}

EXAMPLES_PER_URL = 30
BIGGEST_ID = 2**63 - 1  # the largest id any of our databases stores


@dataclass
class World:
    """The ids a URL's arguments are drawn from, by argument name: the first is the usual one."""

    ids: dict[str, list]
    users: dict[str, object]


@pytest.fixture
def world(people, group) -> World:
    owner, member, peer = people["owner"], people["member"], people["classmate"]
    outsider, other = people["outsider"], people["other_instructor"]
    brief = BriefFactory(created_by=owner)
    # Every rule that adds a field to the thread's forms: stance, quotes, steelman.
    thread = AssignmentFactory(group=group, brief=brief, evidence=True)
    quiet = AssignmentFactory(group=group, brief=BriefFactory())  # the member has not answered here
    other_group = GroupFactory(instructors=[other], students=[outsider])
    other_thread = AssignmentFactory(group=other_group, brief=brief)
    answer = make_response(thread, member, body="My answer, with enough words to count.")
    peer_answer = make_response(thread, peer, body="A classmate's answer about the brief.")
    reply = make_response(thread, peer, body="I see it the other way round.", parent=answer)
    hidden = make_response(thread, peer, body="A reply the teacher hid.", parent=answer)
    hide_response(response=hidden, by=owner, reason="Off topic.")
    other_answer = make_response(other_thread, outsider)
    Assignment.objects.filter(pk=thread.pk).update(stance=True, steelman=True)
    edited = Brief.objects.get(pk=brief.pk)
    edited.summary += " A sentence added in version 2."
    save_brief(brief=edited, by=owner)  # the threads keep version 1: both versions have pages
    invitation = Invitation.objects.create(group=group, invitee=outsider, invited_by=owner)
    preset = RulePreset.objects.create(owner=owner, name="Debate", rules={"min_words": 50})
    other_preset = RulePreset.objects.create(owner=other, name="Debate", rules={})
    return World(
        ids={
            "group_id": [group.pk, other_group.pk],
            "assignment_id": [thread.pk, quiet.pk, other_thread.pk],
            "student_id": [member.pk, peer.pk, outsider.pk],
            "response_id": [answer.pk, peer_answer.pk, reply.pk, hidden.pk, other_answer.pk],
            "code": [group.join_code, other_group.join_code],
            "slug": [brief.slug],
            "version": [1, 2],
            "invitation_id": [invitation.pk],
            # The member's, from the peer's reply; none is anyone else's.
            "notification_id": list(
                Notification.objects.filter(recipient=member).values_list("pk", flat=True)
            ),
            "instructor_id": [people["co_instructor"].pk, owner.pk, other.pk],
            "uidb64": ["MQ"],
            "token": ["set-password"],
            "preset_id": [preset.pk, other_preset.pk],
            "launch_id": ["lti1p3-launch-none"],
            "passback_id": [1],
            "language": ["en", "ru", "xx"],  # the JavaScript catalog's: one Agora does not ship too
        },
        users={
            "owner": owner,
            "member": member,
            "anonymous": None,
            "outsider": outsider,
            "other_instructor": other,
        },
    )


# Fields no page of the world renders, and query parameters the views read besides their
# forms' fields. Values are valid ones: the generator replaces some of them.
KNOWN_FIELDS = {
    "classroom:due_extend": {"due_at": "2031-01-01T10:00"},
    "classroom:response_hide": {"reason": "Off topic."},
    "classroom:thread_lock": {"locked": "1"},
    "classroom:response_highlight": {"highlighted": "1"},
    "classroom:response_pin": {"pinned": "1"},
    "classroom:steelman_fair": {"fair": "1"},
    "classroom:stance_save": {"stance": "4", "moment": "before"},
    "classroom:feedback_save": {"score": "7", "comment": "Well argued."},
    "classroom:response_create": {"body": "Trade talks rarely change much, but this one signals intent."},
    # Reached by the Write / Preview buttons' formaction, which no form's action names.
    "classroom:response_preview": {"body": "**Trade** talks rarely change much.", "preview": "1"},
    "classroom:rule_preset_create": {"preset_name": "Debate, anonymous"},
    "classroom:response_reply": {"body": "I agree, and the energy part matters most."},
    "briefs:brief_preview": {"title": "", "summary": "Ministers met.", "commentary": "", "question": "Why?"},
    "password_reset": {"email": "someone@school.example"},
    # The confirm step writes: aim there (a replaced `step` still reaches the preview).
    "briefs:brief_import": {"step": "confirm"},
    "classroom:roster_import": {"step": "confirm"},
}
KNOWN_QUERY = {
    "classroom:assignment_create": {"q": "trade", "brief": "", "group": "", "rules_from": "", "preset": ""},
    "classroom:thread_detail": {"all": "1"},
    "classroom:thread_poll": {"v": "0", "e": "0", "t": "", "c": "0"},
    "briefs:brief_list": {"q": "trade", "tag": "energy", "page": "2"},
    "login": {"next": "/"},
}


# ---- the URLs, from the resolver ------------------------------------------------------


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED:
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>", entry


def project_urls() -> dict[str, dict[str, object]]:
    """url name → its arguments' converters."""
    return {
        name: dict(pattern.pattern.converters)
        for name, pattern in walk(get_resolver().url_patterns)
        if name not in EXCLUDED
    }


URLS = project_urls()
REQUESTS = len(URLS) * EXAMPLES_PER_URL


def test_every_url_is_covered_or_excluded(world):
    """A URL with an argument the world has no value for would be skipped: say why, or add it."""
    for name, converters in URLS.items():
        missing = [kwarg for kwarg in converters if kwarg not in world.ids]
        assert not missing, (
            f"{name} takes {missing}: give tests/security/test_generated_input.py World.ids a value"
            " or list the URL in EXCLUDED with a reason"
        )
    assert len(URLS) >= 45


def test_every_integer_id_in_a_url_is_bounded():
    """Plain `int` ids reach the database unbounded: SQLite raises OverflowError past 64 bits."""
    plain = [
        name
        for name, converters in URLS.items()
        for c in converters.values()
        if type(c).__name__ == "IntConverter"
    ]
    assert not plain, f"use <id:...> instead of <int:...> in {sorted(set(plain))}"


# ---- the fields, from the pages -------------------------------------------------------


@dataclass
class Fields:
    values: dict[str, str] = field(default_factory=dict)  # a valid value of each field
    files: set[str] = field(default_factory=set)


class FormFields(HTMLParser):
    """Each form's target (action, hx-post, hx-get), method and fields with their values."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[tuple[str, str, Fields]] = []
        self.links: list[str] = []
        self.current: Fields | None = None
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        for attr in ("hx-get", "hx-post", "href"):
            if a.get(attr) and attr != "hx-post" and tag != "form":
                self.links.append(a[attr])
        if tag == "form":
            method = "post" if "hx-post" in a or a.get("method", "get").lower() == "post" else "get"
            target = a.get("hx-post") or a.get("hx-get") or a.get("action") or self.page
            self.current = Fields()
            self.forms.append((target, method, self.current))
        elif self.current is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "file":
                self.current.files.add(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a or a["name"] not in self.current.values:
                    self.current.values[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "reset", "image"):
                self.current.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.current.values[a["name"]] = ""
        elif tag == "select":
            self.select = a["name"]
            self.current.values.setdefault(a["name"], "")
        elif tag == "button" and a.get("value"):
            self.current.values.setdefault(a["name"], a["value"])

    def handle_data(self, data: str) -> None:
        if self.current is not None and self.textarea:
            self.current.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)


class OptionValues(HTMLParser):
    """The first non-empty option of each select (or the selected one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.select: str | None = None
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "select":
            self.select = a.get("name")
        elif (
            tag == "option"
            and self.select
            and a.get("value")
            and ("selected" in a or self.select not in self.values)
        ):
            self.values[self.select] = a["value"]

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self.select = None


def url_name(target: str) -> str | None:
    try:
        match = resolve(urlparse(target).path)
    except Resolver404:
        return None
    return match.view_name


def discover(world: World) -> dict[tuple[str, str], Fields]:
    """(url name, "get"/"post") → the fields the pages' forms send there, with valid values."""
    found: dict[tuple[str, str], Fields] = {}

    def merge(name: str | None, method: str, fields: Fields) -> None:
        if name is None or name not in URLS:
            return
        into = found.setdefault((name, method), Fields())
        for key, value in fields.values.items():
            into.values.setdefault(key, value)
        into.files |= fields.files

    for role in ("owner", "member", "anonymous"):
        client = fresh_client(world.users[role])
        for name, converters in URLS.items():
            url = reverse(name, kwargs={kwarg: world.ids[kwarg][0] for kwarg in converters})
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            parser = FormFields(url)
            parser.feed(html)
            options = OptionValues()
            options.feed(html)
            for target, method, fields in parser.forms:
                for key in fields.values:
                    if not fields.values[key] and key in options.values:
                        fields.values[key] = options.values[key]
                merge(url_name(target), method, fields)
                query = dict(parse_qsl(urlparse(target).query))
                if query:
                    merge(url_name(target), "get", Fields(values=query))
            for link in parser.links:
                query = dict(parse_qsl(urlparse(link).query))
                if query and link.startswith("/"):
                    merge(url_name(link), "get", Fields(values=query))
    for name, values in KNOWN_FIELDS.items():
        found.setdefault((name, "post"), Fields()).values.update(values)
    for name, values in KNOWN_QUERY.items():
        merge(name, "get", Fields(values=dict(values)))
    return found


def reaching(world: World, fields: dict[tuple[str, str], Fields]) -> dict[str, list[tuple[str, str]]]:
    """url name → the (role, method) pairs whose request with the page's own values gets past
    the login, the role and the method checks to the view's work: most examples aim there."""
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in URLS}
    for name, converters in URLS.items():
        for role in ROLES:
            for method in ("GET", "POST"):
                known = fields.get((name, method.lower()), Fields())
                case = Case(
                    name,
                    role,
                    method,
                    False,
                    {k: str(world.ids[k][0]) for k in converters},
                    known.values,
                    {},
                    {},
                )
                with transaction.atomic():
                    response = request(case, fresh_client(world.users[role]))
                    transaction.set_rollback(True)
                location = response.get("Location", "")
                if response.status_code not in (403, 404, 405) and not location.startswith(reverse("login")):
                    found[name].append((role, method))
    return found


# ---- hostile values -------------------------------------------------------------------

CORPUS = [
    "\x00",
    "ab\x00cd",
    "\x00" * 3 + "x",
    "\ud800",
    "a\udfffb",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r\n",
    "\u0085\u2028\u2029",
    "\ufeff\u200b\u200d\u2060",
    "\u202egnp.exe\u202c",
    "e\u0301\u0301\u0301\u0301",
    "ﷺ" * 50,
    "𝕳𝖊𝖑𝖑𝖔 🏳️‍🌈 👩‍👩‍👧‍👦",
    "１２３",
    "٣",
    "²",
    "Ⅻ",
    "-1",
    "0",
    "-0",
    " 7 ",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "1_000",
    "99999999999999999999999",
    "-99999999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "32768",
    "70000",
    "3.5",
    "2024-13-45T10:00",
    "2024-02-30T10:00",
    "2024-01-01T25:61",
    "2024-01-01T10:00+99:00",
    "2024-01-01T10:00-24:00",
    "2024-01-01T10:00:60Z",
    "0000-01-01T00:00",
    "9999-12-31T23:59",
    "99999-01-01T00:00",
    "2024-01-01 10:00",
    "10:00",
    "x" * 5001,
    "word " * 20001,
    "a" * 300_000,
    "%00",
    "%ZZ",
    "' OR 1=1 --",
    "../../../../etc/passwd",
    "{{ request }}",
    "<script>alert(1)</script>",
    "",
    " ",
]
ODD = st.characters(
    codec=None, categories=["Cc", "Cs", "Co", "Cf", "Zs", "Zl", "Zp", "Mn", "Nd", "No", "So", "Lo"]
)


@st.composite
def datetimes(draw) -> str:
    year = draw(st.sampled_from([1, 1969, 2024, 9999, 10000]))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    hour, minute = draw(st.integers(0, 25)), draw(st.integers(0, 61))
    offset = draw(st.sampled_from(["", "Z", "+00:00", "+14:00", "+99:00", "-23:59", "+24:00", "+05:99"]))
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}{offset}"


VALUES = st.one_of(
    st.sampled_from(CORPUS),
    st.text(ODD, max_size=40),
    st.integers(-(2**80), 2**80).map(str),
    datetimes(),
)


def hostile_file(text: str, value: str) -> bytes:
    """A valid file with the value inside; surrogates as the bytes a careless editor writes."""
    return (text + value + "\n").encode("utf-8", "surrogatepass")


FILE_TEXT = {
    "briefs:brief_import": "Ministers met about trade.\nWill it change anything?\nSummary ",
    "classroom:roster_import": "username,name,email\nnewkid,New Kid,new@school.example\nsecond,Second ",
}


@st.composite
def ids(draw, kwarg: str, world: World):
    """Mostly the world's own ids; sometimes one that no row has, or no number at all."""
    choices = world.ids[kwarg]
    if kwarg in ("code", "slug", "uidb64", "token", "launch_id"):
        return draw(
            st.one_of(st.sampled_from(choices), st.sampled_from(["x", "%00", "%ED%A0%80", "a" * 300]))
        )
    return draw(
        st.one_of(
            st.sampled_from(choices),
            st.sampled_from(
                ["0", str(BIGGEST_ID), str(BIGGEST_ID + 1), "99999999999999999999999", "2147483648"]
            ),
        )
    )


# ---- sending --------------------------------------------------------------------------

_clients: list[Client] = []


def fresh_client(user) -> Client:
    """One client for all requests, its cookies cleared: a new Client loads the middleware again."""
    if not _clients:
        _clients.append(Client())
    client = _clients[0]
    client.cookies = SimpleCookie()
    if user is not None:
        client.force_login(user)
    return client


def encode(data: dict[str, str]) -> str:
    """Form encoding that lets lone surrogates through as the invalid UTF-8 bytes they become."""
    return urlencode({key: value.encode("utf-8", "surrogatepass") for key, value in data.items()})


MAIN_MODELS = [
    "auth.Group",
    "briefs.Brief",
    "briefs.Tag",
    "classroom.User",
    "classroom.Group",
    "classroom.Membership",
    "classroom.Assignment",
    "classroom.Participation",
    "classroom.Response",
    "classroom.Feedback",
    "classroom.ModerationEvent",
]


def row_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in MAIN_MODELS}


def stored_nul() -> list[str]:
    """Text with a NUL in it, anywhere in the main tables (PostgreSQL cannot even store it)."""
    found = []
    for label in MAIN_MODELS:
        model = apps.get_model(label)
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list("pk", *columns):
            found += [
                f"{label} {row[0]} {column}"
                for column, value in zip(columns, row[1:], strict=True)
                if "\x00" in (value or "")
            ]
    return found


@dataclass
class Case:
    name: str
    role: str
    method: str
    htmx: bool
    kwargs: dict[str, str]
    data: dict[str, str]
    files: dict[str, bytes]
    hostile: dict[str, str]

    def path(self) -> str:
        placeholders = {
            kwarg: (f"9{i}" * 7 if isinstance(URLS[self.name][kwarg], IntConverter) else f"kw{i}x")
            for i, kwarg in enumerate(self.kwargs)
        }
        path = reverse(self.name, kwargs=placeholders)
        for kwarg, value in self.kwargs.items():
            path = path.replace(str(placeholders[kwarg]), value, 1)
        return path

    def __str__(self) -> str:
        shown = {
            key: (value if len(value) < 80 else f"{value[:40]!r}… ({len(value)} characters)")
            for key, value in self.hostile.items()
        }
        return (
            f"{self.method} {self.path()} as {self.role}{' (htmx)' if self.htmx else ''}, hostile {shown!r}"
        )


def request(case: Case, client: Client, headers: dict | None = None):
    path = case.path()
    if case.method == "GET":
        query = encode(case.data)
        return client.get(f"{path}?{query}" if query else path, headers=headers)
    if case.files:
        payload = {key: value.encode("utf-8", "surrogatepass") for key, value in case.data.items()}
        for key, content in case.files.items():
            payload[key] = SimpleUploadedFile("upload.txt", content, content_type="text/plain")
        return client.post(path, payload, headers=headers)
    return client.post(
        path, encode(case.data), content_type="application/x-www-form-urlencoded", headers=headers
    )


def send(case: Case, world: World, counts: dict[str, int]) -> str | None:
    """What went wrong with this request, or None. `counts`: the world's row counts."""
    with transaction.atomic():
        cache.clear()
        caching.forget_everything()  # each request is rolled back: ids, epochs and versions come again
        client = fresh_client(world.users[case.role])
        headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if case.htmx else {}
        try:
            response = request(case, client, headers)
        except Exception as error:  # the view raised: the same request would be a 500
            transaction.set_rollback(True)
            return f"{type(error).__name__}: {str(error)[:300]}"
        problem = None
        status = response.status_code
        huge = any(value.isdigit() and int(value) > BIGGEST_ID for value in case.kwargs.values())
        if status >= 500:
            problem = f"status {status}"
        elif huge and status != 404:
            problem = f"status {status} for an id past {BIGGEST_ID}, not 404"
        elif status in (400, 403, 404) and not response.content.strip():
            problem = f"status {status} with an empty page"
        elif 400 <= status < 500 and (after := row_counts()) != counts:
            problem = f"status {status} but rows were written: {counts} → {after}"
        elif case.method == "POST" and status < 400 and (nul := stored_nul()):
            problem = f"status {status} and a NUL stored in {nul}"
        transaction.set_rollback(True)
        return problem


def cases(name: str, world: World, fields: dict[tuple[str, str], Fields], aims: list[tuple[str, str]]):
    converters = URLS[name]

    @st.composite
    def case(draw) -> Case:
        # Four in five examples go where the view does its work: a role and method that
        # reach it, the world's own ids. The rest go anywhere.
        if aims and draw(st.integers(0, 4)):
            role, method = draw(st.sampled_from(aims))
            kwargs = {kwarg: str(world.ids[kwarg][0]) for kwarg in converters}
        else:
            role, method = draw(st.sampled_from(ROLES)), draw(st.sampled_from(["POST", "GET"]))
            kwargs = {kwarg: str(draw(ids(kwarg, world))) for kwarg in converters}
        known = fields.get((name, method.lower()), Fields())
        data = dict(known.values)
        files = {}
        names = sorted(data) + sorted(known.files)
        hostile = {}
        for _ in range(draw(st.integers(1, 3))):
            if names and draw(st.integers(0, 9)):
                target = draw(st.sampled_from(names))
            else:
                target = draw(st.sampled_from(["x", "id", "next", "\x00"]))
            value = draw(VALUES)
            hostile[target] = value
            if target in known.files:
                files[target] = hostile_file(FILE_TEXT.get(name, ""), value)
            else:
                data[target] = value
        for file_field in known.files - set(files):
            files[file_field] = hostile_file(FILE_TEXT.get(name, ""), "")
        return Case(name, role, method, draw(st.booleans()), kwargs, data, files, hostile)

    return case()


@pytest.mark.django_db
def test_no_generated_input_ends_in_a_server_error(world):
    started = time.monotonic()
    fields = discover(world)
    aims = reaching(world, fields)
    counts = row_counts()
    failures = []
    sent = 0
    for name in URLS:

        @settings(
            max_examples=EXAMPLES_PER_URL,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases(name, world, fields, aims[name]))
        def request_is_answered(case: Case) -> None:
            nonlocal sent
            sent += 1
            problem = send(case, world, counts)
            assert problem is None, f"{case}: {problem}"

        try:
            request_is_answered()
        except ExceptionGroup as group:  # Hypothesis found more than one distinct failure
            failures += [str(error).splitlines()[0][:1000] for error in group.exceptions]
        except Exception as error:
            failures.append(str(error).splitlines()[0][:1000])
    print(f"\ngenerated input: {sent} requests to {len(URLS)} URLs in {time.monotonic() - started:.0f} s")
    assert not failures, "\n".join(failures)
