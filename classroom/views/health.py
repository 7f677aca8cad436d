"""Health check for load balancers and uptime monitors, and the benchmark's floor page."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
@login_not_required
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The cheapest page: every middleware, no database, no template (bench/README.md)."""
    return HttpResponse("floor\n", content_type="text/plain")
