"""Count the SQL queries of each bench page, in-process, against the seeded bench database.

Each page is requested twice through Django's test client with the same session and
CSRF cookies as the HTTP run; the second request is counted (with
`CaptureQueriesContext`), so one-off work of a fresh process is left out. The count
includes the session and user lookups that every logged-in request makes.

    python -m bench.queries PAGES.json OUT.json   # in the bench environment
PAGES.json: {"csrf_cookie": "name=value", "pages": [{"name": ..., "path": ..., "session": key or null}, ...]}
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
django.setup()

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def count_queries(path: str, session: str | None, csrf_cookie: str) -> dict[str, int]:
    client = Client(SERVER_NAME="127.0.0.1")
    # As a browser after its first page, and as wrk: the CSRF secret is known from the start.
    # (Without it, the first request makes one, and the second misses the items cached with it.)
    name, value = csrf_cookie.split("=", 1)
    client.cookies[name] = value
    if session:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return {"queries": len(captured), "status": response.status_code}


def main(pages_path: Path, out_path: Path) -> None:
    plan = json.loads(pages_path.read_text())
    counts = {
        page["name"]: count_queries(page["path"], page["session"], plan["csrf_cookie"])
        for page in plan["pages"]
    }
    out_path.write_text(json.dumps(counts))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
