"""Health check for load balancers and uptime monitors, and the benchmark's floor page."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from classroom.dbfile import sqlite_file
from classroom.models import Response, User
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


@require_GET
def bench_plain(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The baseline a thread page is compared with: every response of the thread that the
    whole class may read, oldest first, in a plain Django template (one query for the rows and
    their authors). Nothing to a student whom the rules still hold back from classmates."""
    assignment = get_visible_assignment(request.user, assignment_id)
    responses = Response.objects.none()
    if can_see_peers(request.user, assignment):
        responses = Response.objects.filter(assignment=assignment, deleted_at=None, hidden_at=None)
    responses = responses.select_related("author")
    return render(request, "bench/plain_thread.html", {"assignment": assignment, "responses": responses})


@require_GET
def bench_plain_jinja(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The same page as bench_plain, its rows written by Jinja2 (the engine of the response
    card): the issue's "a Jinja2 page of 1000 rows", measured on the same footing."""
    assignment = get_visible_assignment(request.user, assignment_id)
    responses = Response.objects.none()
    if can_see_peers(request.user, assignment):
        responses = Response.objects.filter(assignment=assignment, deleted_at=None, hidden_at=None)
    rows = SafeString(
        render_to_string("bench/plain_rows.html", {"responses": responses.select_related("author")})
    )
    return render(request, "bench/plain_thread_jinja.html", {"assignment": assignment, "rows": rows})
