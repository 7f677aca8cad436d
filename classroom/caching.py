"""Every cache of thread state, and the one module that makes its keys and talks to caches.

A key names everything its value was built from: the thread's epoch (changed by a restore
and by hard deletes, classroom.epochs), the thread's version (changed by every write to
the thread) and, for a card, the rules the card shows (CARD_DEPENDS_ON). A change of any of
them makes new keys, so stale state is never served, by any worker or instance: nothing
has to be cleared for the pages to be right. `forget_everything` only frees memory.

A value that holds text a person reads (a rendered card, the rendered brief) is kept under
the active language too (`language_part`), so a reader in German is never served the
English card.

The stores, each behind the functions below:
- the shared cache (Redis past one machine; on one machine there is none: the memos below are
  the process's memory, and a copy in Django's local-memory cache would only be pickled twice);
- a memo of recent values in this process, so a hit costs no round trip or unpickling;
- each thread's light rows, so a new version reads only the responses changed since;
- each polled thread's (epoch, version, due time), at most POLL_SECONDS old, so an empty
  poll costs a query a second per thread and worker, not one per poll.
"""

import hashlib
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from time import monotonic
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

if TYPE_CHECKING:
    from classroom.models import Assignment

SHARED = getattr(settings, "REDIS_URL", "") != ""  # a cache every worker and instance sees
SHARED_SECONDS = 24 * 3600  # a value never changes under its key; this only bounds memory
NAMESPACE = "t"  # every key below starts with it: forget_everything() removes these and no others

# The thread's fields a rendered card reads. A card is cached under a key that names them, so
# a rule that changes what a card shows must be listed here (tests/unit/test_caching.py fails
# for a rule field that is in neither list).
CARD_DEPENDS_ON = ("anonymous_to_peers", "stance", "stance_labels", "evidence", "steelman")
# Rules a card does not read, and why (the viewer's `can_post` covers the ones that open and close it).
CARD_IGNORES = {
    "opens_at": "opening changes can_post, part of the key",
    "due_at": "closing changes can_post, part of the key",
    "allow_late": "changes can_post, part of the key",
    "post_first": "decides whether cards are shown at all, not what they show",
    "reveal_quorum": "decides whether cards are shown at all, not what they show",
    "min_words": "read by the forms only",
    "replies_required": "read by the composer only",
    "points": "read by the header and the report only",
}


class _Memo:
    """Values whose key names what they were built from, kept in this process in front of the
    shared cache: they never change under their key, so a copy is always right."""

    def __init__(self, size: int, shared: bool = True) -> None:
        self.size = size
        self.shared = shared and SHARED
        self.values: dict[str, Any] = {}

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        found = {key: self.values[key] for key in keys if key in self.values}
        missing = [key for key in keys if key not in found]
        if missing and self.shared:
            from_shared = cache.get_many(missing)
            self._keep(from_shared)
            found |= from_shared
        return found

    def set_many(self, values: dict[str, Any]) -> None:
        if self.shared:
            cache.set_many(values, SHARED_SECONDS)
        self._keep(values)

    def _keep(self, values: dict[str, Any]) -> None:
        if len(self.values) + len(values) > self.size:
            self.values.clear()  # crude, but bounded; the shared cache still has everything
        self.values.update(values)


_MISSING = object()
# Without a shared cache this memo is all there is: it holds as many as the local cache did.
_values = _Memo(size=4096 if SHARED else 10_000)  # cards, stances, a student's seat and feedback
# A long thread's outline is large: keep fewer. Not shared: it changes with every post, and
# pickling it for Redis (1.6 ms, 64 kB at 1,000 responses) and unpickling it in another worker
# (2.4 ms) cost more than that worker's own update from the changed rows (outline()).
_outlines = _Memo(size=64, shared=False)
_fragments = _Memo(
    size=2000, shared=False
)  # rendered briefs, page layouts: cheap to redo, not worth a round trip
# What a thread's rows and outline give at once (a student's own posts, the counts): one value
# per student and version, so as many as `_values` holds without a shared cache.
_worked = _Memo(size=10_000, shared=False)
_rows: dict[tuple[int, int], "ThreadRows"] = {}  # (thread, epoch): its rows as last read here
_last_outlines: dict[tuple[int, int], Any] = {}  # (thread, epoch): the outline last built here
_polled: dict[int, tuple[float, tuple[int, int, datetime | None] | None]] = {}
ROWS_SIZE = 256
ROW_MEMO = getattr(settings, "AGORA_ROW_MEMO", True)  # off only in the bench's A/B run
POLL_SECONDS = 1.0
POLLED_SIZE = 4096


def _thread_key(kind: str, thread: "Assignment", *parts: object) -> str:
    return ":".join(str(part) for part in (NAMESPACE, kind, thread.pk, thread.epoch, thread.version, *parts))


def _get_or_build(memo: _Memo, key: str, build: Callable[[], Any]) -> Any:
    found = memo.get_many([key]).get(key, _MISSING)
    if found is _MISSING:
        found = build()
        memo.set_many({key: found})
    return found


def thread_value(kind: str, thread: "Assignment", build: Callable[[], Any], *parts: object) -> Any:
    """A value of one thread version (its counts, stances, a student's state), built at most once."""
    return _get_or_build(_values, _thread_key(kind, thread, *parts), build)


def worked_out(kind: str, thread: "Assignment", build: Callable[[], Any], *parts: object) -> Any:
    """A value of one thread version that this process works out from the thread's rows or
    outline (which it brings up to date after every version anyway) at less than a round trip
    to the shared cache costs: kept in this process only."""
    return _get_or_build(_worked, _thread_key(kind, thread, *parts), build)


def group_members(thread: "Assignment", count: int, build: Callable[[], Any]) -> Any:
    """The students of the thread's group, under the thread's epoch and the group's member count."""
    key = ":".join(str(part) for part in (NAMESPACE, "members", thread.pk, thread.epoch, count))
    return _get_or_build(_values, key, build)


def outline(thread: "Assignment", build: Callable[[Any], Any]) -> Any:
    """The thread's outline at its version; `build(previous)` gets the outline this process
    last built for the thread's epoch (None: none), to update it from the families changed
    since rather than walk every family again. Kept in this process only: every worker reads
    the thread's rows after a new version anyway, and updating its own outline from them
    costs less than unpickling a long thread's outline from the shared cache."""
    memo_key = (thread.pk, thread.epoch)

    def built() -> Any:
        found = build(_last_outlines.get(memo_key))
        if len(_last_outlines) >= ROWS_SIZE:
            _last_outlines.clear()
        _last_outlines[memo_key] = found
        return found

    return _get_or_build(_outlines, _thread_key("outline", thread), built)


def feedback(thread: "Assignment", student_id: int | None, build: Callable[[], Any]) -> Any:
    """A student's feedback (None: which students have any): it changes with the thread's
    feedback version, not its version."""
    key = ":".join(
        str(part)
        for part in (NAMESPACE, "feedback", thread.pk, thread.epoch, thread.feedback_version, student_id)
    )
    return _get_or_build(_values, key, build)


def layout(thread: "Assignment", build: Callable[[], Any], *parts: object) -> Any:
    """What one kind of reader's page lays out in a thread version (this process only)."""
    return _get_or_build(_fragments, _thread_key("layout", thread, *parts), build)


def language_part() -> str:
    """The part of a key that names the language its text was rendered in (every value that
    holds text a person reads: cards, the brief)."""
    return get_language() or "-"


def brief(thread: "Assignment", heat: str, build: Callable[[], str]) -> str:
    """The brief as the thread shows it: its version of the brief and `heat`, a digest of the
    marks of how many answers quote each sentence (empty where none are shown)."""
    updated = thread.brief.updated_at.timestamp() if thread.brief.updated_at else 0
    parts = (NAMESPACE, "brief", thread.pk, thread.epoch, thread.brief_id, updated, heat, language_part())
    key = ":".join(str(part) for part in parts)
    return _get_or_build(_fragments, key, build)


def card_prefix(thread: "Assignment", can_post: bool) -> str:
    """The part of a card's key that the thread and the viewer's side of it decide: the rules
    a card reads (CARD_DEPENDS_ON), whether the viewer may post (reply buttons), the viewer's
    time zone (a card shows when it was written, in the reader's local time) and language."""
    rules = "|".join(repr(getattr(thread, name)) for name in CARD_DEPENDS_ON)
    zone = timezone.get_current_timezone_name()
    crc = zlib.crc32(rules.encode())
    return f"{NAMESPACE}:card:{thread.epoch}:{int(can_post)}:{zone}:{language_part()}:{crc:x}"


def card_key(prefix: str, family_key: str, personal: str | None) -> str:
    """The key of an answer and its replies as rendered for one kind of viewer: `family_key`
    changes with any of the family's responses; `personal` names the viewer and their CSRF
    secret for cards with forms in them (their own, a teacher's)."""
    return f"{prefix}:{family_key}:{personal}" if personal else f"{prefix}:{family_key}"


def personal_part(user_id: int, csrf_secret: str | None) -> str | None:
    """A viewer's own part of a card key: their id and a digest of their CSRF secret (None: don't cache)."""
    if not csrf_secret:
        return None
    return f"u{user_id}:{hashlib.sha256(csrf_secret.encode()).hexdigest()[:16]}"


def cards(keys: list[str]) -> dict[str, str]:
    return _values.get_many(keys)


def keep_cards(rendered: dict[str, str]) -> None:
    _values.set_many(rendered)


class ThreadRows:
    """A thread's responses as light rows (each with pk, parent_id and author_id) at one
    version, indexed by family (an answer's id: the answer and its replies) and by author, with
    which families changed at each version this process read: what an outline or a student's
    own posts need after a post, without walking every row. Never changed once made."""

    __slots__ = ("version", "rows", "families", "authors", "log", "log_since")

    def __init__(self, version: int, rows: dict, families: dict, authors: dict, log: tuple, log_since: int):
        self.version = version
        self.rows = rows  # {response id: row}
        self.families = families  # {answer id: frozenset of the family's response ids}
        self.authors = authors  # {author id: frozenset of their response ids}
        self.log = log  # ((version, frozenset of the answer ids of the families changed up to it), ...)
        self.log_since = log_since  # the log names every family changed after this version

    def changed_since(self, version: int) -> frozenset[int] | None:
        """The families in which something changed after `version` (None: this process cannot say)."""
        if version < self.log_since or version > self.version:
            return None
        changed: set[int] = set()
        for at, families in reversed(self.log):
            if at <= version:
                break
            changed |= families
        return frozenset(changed)

    @classmethod
    def whole(cls, version: int, changed: Iterable) -> "ThreadRows":
        rows, families, authors = {}, {}, {}
        for row in changed:
            rows[row.pk] = row
            families.setdefault(row.parent_id or row.pk, set()).add(row.pk)
            authors.setdefault(row.author_id, set()).add(row.pk)
        families = {pk: frozenset(ids) for pk, ids in families.items()}
        authors = {pk: frozenset(ids) for pk, ids in authors.items()}
        return cls(version, rows, families, authors, (), version)

    def then(self, version: int, changed: Iterable) -> "ThreadRows":
        """These rows with the rows changed up to `version` (a copy: a request may still hold this one)."""
        rows, families, authors = dict(self.rows), dict(self.families), dict(self.authors)
        touched = set()
        for row in changed:
            rows[row.pk] = row
            family = row.parent_id or row.pk
            touched.add(family)
            families[family] = families.get(family, frozenset()) | {row.pk}
            authors[row.author_id] = authors.get(row.author_id, frozenset()) | {row.pk}
        log, since = (*self.log, (version, frozenset(touched))), self.log_since
        if len(log) > LOG_SIZE:
            since, log = log[0][0], log[1:]
        return ThreadRows(version, rows, families, authors, log, since)


LOG_SIZE = 64  # versions back that an outline can be brought up to date from


def thread_rows(thread: "Assignment", read: Callable[[int | None], Iterable]) -> ThreadRows:
    """Every response of the thread as a light row. This process keeps the rows it last read,
    so a new version reads only the responses changed since (every write sets a response's
    version to the thread's): `read(since)` reads those, `read(None)` the whole thread. A new
    epoch (a restore, a hard delete) starts from a whole read: deletions leave no version."""
    memo_key = (thread.pk, thread.epoch)
    known = _rows.get(memo_key) if ROW_MEMO else None
    if known is not None and known.version == thread.version:
        return known  # read at this version already: nothing can be newer
    if known is not None and known.version < thread.version:
        state = known.then(thread.version, read(known.version))
    else:
        state = ThreadRows.whole(thread.version, read(None))
    if len(_rows) >= ROWS_SIZE:
        _rows.clear()
    _rows[memo_key] = state
    return state


def polled(thread_id: int, read: Callable[[], tuple[int, int, datetime | None] | None]) -> tuple | None:
    """The thread's (epoch, version, due time) for the poll, read at most POLL_SECONDS ago.

    A write through this process forgets its thread at once (`thread_changed`); a write
    through another worker or instance reaches pages here at most POLL_SECONDS later."""
    now = monotonic()
    seen = _polled.get(thread_id)
    if seen is not None and now - seen[0] < POLL_SECONDS:
        return seen[1]
    found = read()
    if len(_polled) >= POLLED_SIZE:
        _polled.clear()
    _polled[thread_id] = (now, found)
    return found


def thread_changed(*thread_ids: int) -> None:
    """This process wrote to these threads (to every thread when none is named): its own
    pages learn of it on their very next poll. Every other key changes with the version."""
    if not thread_ids:
        _polled.clear()
    for thread_id in thread_ids:
        _polled.pop(thread_id, None)


# Bell versions (classroom.notifications): in the shared cache when there is one (Redis:
# every worker and instance, and the task worker, see one value), else read from the database.
SHARED_BELLS = SHARED
BELL_SECONDS = 60  # a value set by a writer that lost a race to another is corrected by then
_bells: dict[int, tuple[float, int]] = {}


def _bell_key(user_id: int) -> str:
    return f"{NAMESPACE}:bell:{user_id}"


def bell_version(user_id: int, read: Callable[[], int]) -> int:
    """A person's bell version, for the empty poll's fast path: with Redis a cache read (no
    query); without it (one machine) the database's, read at most POLL_SECONDS ago here."""
    if SHARED_BELLS:
        found = cache.get(_bell_key(user_id))
        if found is None:
            found = read()
            cache.set(_bell_key(user_id), found, BELL_SECONDS)
        return found
    now = monotonic()
    seen = _bells.get(user_id)
    if seen is not None and now - seen[0] < POLL_SECONDS:
        return seen[1]
    found = read()
    if len(_bells) >= POLLED_SIZE:
        _bells.clear()
    _bells[user_id] = (now, found)
    return found


def bells_changed(user_ids: list[int], read: Callable[[list[int]], dict[int, int]]) -> None:
    """These people's bells changed (after the commit): the versions as they are now."""
    for user_id in user_ids:
        _bells.pop(user_id, None)
    if SHARED_BELLS:
        versions = read(user_ids)
        cache.set_many({_bell_key(pk): versions.get(pk, 0) for pk in user_ids}, BELL_SECONDS)


def forget_everything() -> None:
    """Drop every value this module keeps, in this process and, under our namespace only, in
    the shared cache. Never needed for correctness (keys name epochs and versions); tests use
    it because a test database reuses ids, epochs and versions, and restores and hard
    deletes use it to free memory at once."""
    for memo in (_values, _outlines, _fragments, _worked):
        memo.values.clear()
    _rows.clear()
    _last_outlines.clear()
    _polled.clear()
    _bells.clear()
    prefix = cache.make_key(f"{NAMESPACE}:")
    backend = cache._cache  # noqa: SLF001  (Django has no public way to list keys by prefix)
    if hasattr(backend, "get_client"):  # Redis: scan our namespace only, never FLUSHDB
        client = backend.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
    else:  # this process's own memory (LocMemCache)
        with cache._lock:  # noqa: SLF001
            for key in [key for key in cache._cache if key.startswith(prefix)]:  # noqa: SLF001
                cache._cache.pop(key, None)  # noqa: SLF001
                cache._expire_info.pop(key, None)  # noqa: SLF001
