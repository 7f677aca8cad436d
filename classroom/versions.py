"""Each polled thread's version as this process last read it, kept for a second at most.

Every open thread page polls every few seconds, and nearly every poll finds nothing new.
With this, a worker asks the database once a second per thread instead of once per poll:
300 students on one thread cost a query a second, not 60. A write made by this process
forgets its thread at once (`forget`), so its own pages see it on their next poll; a
write made by another worker or instance reaches the pages here at most a second later.
"""

from datetime import datetime
from time import monotonic

from classroom.models import Assignment

SECONDS = 1.0
SIZE = 4096  # threads remembered; past that the memo starts again

_read: dict[int, tuple[float, int | None, datetime | None]] = {}


def current(assignment_id: int) -> tuple[int | None, datetime | None]:
    """The thread's version and due time, read at most SECONDS ago; (None, None) if it is gone."""
    now = monotonic()
    read = _read.get(assignment_id)
    if read is not None and now - read[0] < SECONDS:
        return read[1], read[2]
    row = Assignment.objects.filter(pk=assignment_id).values_list("version", "due_at").first()
    version, due_at = row or (None, None)
    if len(_read) >= SIZE:
        _read.clear()
    _read[assignment_id] = (now, version, due_at)
    return version, due_at


def forget(*assignment_ids: int) -> None:
    """This process changed these threads (every thread when none is named)."""
    if not assignment_ids:
        _read.clear()
    for assignment_id in assignment_ids:
        _read.pop(assignment_id, None)
