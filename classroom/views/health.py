"""Health check for load balancers and uptime monitors, and the benchmark's floor page."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from classroom.dbfile import sqlite_file
from classroom.models import Assignment, Response, User
from classroom.permissions import can_see_peers, get_visible_assignment

logger = logging.getLogger(__name__)


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    # A real table, not SELECT 1: that one answers on an empty or unmigrated database too.
    # A worker's kept connection still reads a SQLite file deleted under it, so the file
    # itself must be there as well.
    database_file = sqlite_file(connection)
    if database_file is not None and not database_file.exists():
        logger.error("health check: the database file %s is missing", database_file)
        return HttpResponse("database missing\n", status=503, content_type="text/plain")
    try:
        User.objects.exists()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@login_not_required
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The cheapest page: every middleware, no database, no template (bench/README.md)."""
    return HttpResponse("floor\n", content_type="text/plain")


def plain_rows(request: HttpRequest, assignment_id: int) -> tuple[Assignment, QuerySet[Response]]:
    """The thread and every response of it that the whole class may read, with their authors
    (one query): the bench's plain pages. Nothing to a student whom the rules still hold back."""
    assignment = get_visible_assignment(request.user, assignment_id)
    responses = Response.objects.none()
    if can_see_peers(request.user, assignment):
        responses = Response.objects.filter(assignment=assignment, deleted_at=None, hidden_at=None)
    return assignment, responses.select_related("author")


@require_GET
def bench_plain(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The baseline a thread page is compared with: the rows of plain_rows(), oldest first, in a
    plain Django template."""
    assignment, responses = plain_rows(request, assignment_id)
    return render(request, "bench/plain_thread.html", {"assignment": assignment, "responses": responses})


@require_GET
def bench_plain_jinja(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The same page as bench_plain, its rows written by Jinja2 (the engine of the response
    card): the issue's "a Jinja2 page of 1000 rows", measured on the same footing."""
    assignment, responses = plain_rows(request, assignment_id)
    rows = SafeString(render_to_string("bench/plain_rows.html", {"responses": responses}))
    return render(request, "bench/plain_thread_jinja.html", {"assignment": assignment, "rows": rows})
