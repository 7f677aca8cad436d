"""Where a thread page's time goes, in-process: ms per request and a cProfile summary.

    python bench/profile_thread.py [--live] [--profile SIZE] [--postgres]

Seeds a fresh SQLite database in a temporary folder (bench/seed.py), or with
`--postgres` a fresh PostgreSQL database `agora_profile` (`AGORA_PROFILE_DATABASE`; dropped
afterwards; with `REDIS_URL` set, Redis is the cache and the session store), then requests
the thread pages of 30, 100 and 1000 responses and the empty poll through Django's
test client as the reader student, DEBUG off; with `--live`, also a worker's first view,
the page right after a classmate's post, and "show all" beside a plain template of the
same rows (bench/queries.py --live). Faster to iterate on than `make bench`;
`make bench` gives the real-HTTP numbers.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="agora-profile-"))
POSTGRES = "--postgres" in sys.argv
PG_DATABASE = os.environ.get("AGORA_PROFILE_DATABASE", "agora_profile")  # one each, for two at once
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if POSTGRES:
    from bench.run import PG_SERVER, psql

    psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    psql(f"CREATE DATABASE {PG_DATABASE}")
os.environ.update(
    DJANGO_SETTINGS_MODULE="classroom.settings",
    DJANGO_DEBUG="0",
    DJANGO_HTTPS="0",
    DJANGO_SECRET_KEY="profile-" + "x" * 50,
    DATABASE_URL=f"{PG_SERVER}/{PG_DATABASE}" if POSTGRES else f"sqlite:///{WORK / 'profile.sqlite3'}",
    DJANGO_ALLOWED_HOSTS="testserver",
    AGORA_BENCH="1",  # the floor page
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"


def per_request_ms(client: Client, path: str, rounds: int, batches: int = 5) -> float:
    """CPU time of this process per request, the best of several batches: time the machine
    gave to other work (a shared host's steal, another process) counts in none of them."""
    client.get(path)
    best = float("inf")
    for _ in range(batches):
        start = time.process_time()
        for _ in range(rounds):
            client.get(path)
        best = min(best, time.process_time() - start)
    return best * 1000 / rounds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--profile",
        type=int,
        choices=[1, 30, 100, 1000],
        help="cProfile this thread size (1: the empty poll)",
    )
    parser.add_argument("--queries", type=int, choices=[30, 100, 1000], help="print the SQL of this page")
    parser.add_argument("--postgres", action="store_true", help="a PostgreSQL database instead of SQLite")
    parser.add_argument(
        "--live",
        action="store_true",
        help="also the page at a worker's first view, right after a classmate's post, and"
        ' "show all" against a plain template (bench/queries.py --live; it writes replies)',
    )
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    from bench import seed

    plan_path = WORK / "plan.json"
    seed.main(plan_path)
    plan = json.loads(plan_path.read_text())
    client = Client()
    client.cookies[plan["session_cookie"]] = plan["reader_session"]
    print(f"{'page':28} {'ms/request':>10}")
    for size, thread in plan["threads"].items():
        path = f"/a/{thread['assignment']}/"
        rounds = 5 if size == "1000" else 30
        print(f"{'thread, ' + size + ' responses':28} {per_request_ms(client, path, rounds):10.2f}")
    first = plan["threads"]["100"]
    poll = first["poll_none"]
    print(f"{'poll, nothing new':28} {per_request_ms(client, poll, 1000):10.3f}")
    print(f"{'floor':28} {per_request_ms(client, '/bench/floor', 1000):10.3f}")
    print(f"{'login page (no session)':28} {per_request_ms(Client(), '/accounts/login/', 100):10.2f}")
    if options.live:
        from bench.queries import live
        from bench.run import live_table, table

        live(plan_path, WORK / "live.json")
        print()
        print(table(live_table(json.loads((WORK / "live.json").read_text()))))
        print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    if options.queries:
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from classroom.models import Assignment

        thread = Assignment.objects.get(pk=plan["threads"][str(options.queries)]["assignment"])
        print("outline cached:", cache.get(f"thread-outline:{thread.pk}:{thread.version}") is not None)
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/a/{plan['threads'][str(options.queries)]['assignment']}/")
        for query in captured.captured_queries:
            print(f"{query['time']:>6} {query['sql'][:160]}")
            if POSTGRES and query["sql"].startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + query["sql"])
                    print("       " + " · ".join(row[0] for row in cursor.fetchall() if "Time" in row[0]))
    if options.profile:
        path = poll if options.profile == 1 else f"/a/{plan['threads'][str(options.profile)]['assignment']}/"
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(1000 if options.profile == 1 else 10):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
            os.environ.get("FILTER", ""), 40
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        if POSTGRES:
            from django.db import connections

            connections.close_all()
            psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
