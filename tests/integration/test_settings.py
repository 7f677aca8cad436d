"""Production settings: safe by default, and loud when misconfigured."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="Zq8#xLm2$vB9!pW4&nR7^tY1*aS3(dF6)gH0-jK5+lM8=qW2~eR4",
        DJANGO_ALLOWED_HOSTS="agora.example.edu",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_pages_send_a_strict_content_security_policy(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def database_options(**env: str) -> str:
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    result = run_manage("shell", "-c", code, DATABASE_URL="postgres://agora@127.0.0.1:5432/agora", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_postgresql_prepares_repeated_queries_unless_told_not_to():
    assert "'prepare_threshold': 5" in database_options()
    # Behind PgBouncer in transaction mode (before 1.21), prepared statements must be off.
    assert "prepare_threshold" not in database_options(DJANGO_DB_PREPARED_STATEMENTS="0")


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)
def test_a_query_the_app_repeats_is_planned_once_per_connection(db):
    from django.db import connection

    from classroom.models import User

    for _ in range(6):
        list(User.objects.filter(username="nobody"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"classroom_user"."username" = $1' in statement for statement in prepared), prepared
