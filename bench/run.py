"""`make bench`: serve Agora as in production and measure it from outside, on loopback.

For each database (SQLite, then PostgreSQL): a fresh database, migrations, a seeded
class (bench/seed.py), then gunicorn with DEBUG off and whitenoise, 2 sync workers,
on a port the OS picks. wrk drives the floor page, the thread pages and the poll
(medians of --reps runs, interleaved); queries per page are counted in-process
(bench/queries.py); then 300 students post at once (bench/burst.py) and the thread
is audited (bench/audit.py) and the database checked (integrity_check). With --kill,
gunicorn workers are SIGKILLed while they serve the burst; with --burst-spreads the
burst runs again at other arrival rates. Then the simulated class (bench/simulate.py):
the largest live class the server holds. Prints the tables and writes
bench/results/bench-*.json. See bench/README.md for what each number means.

    python bench/run.py [--quick] [--reps N] [--seconds S] [--db sqlite|postgres ...] [--kill [N]]
                        [--burst-spreads S,S] [--no-sim | --sim-only] [--sim-duration S] ...
"""

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import django
import gunicorn

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
HOST = "127.0.0.1"
WORKERS = 2
WRK_CONNECTIONS = 4  # two per sync worker: one being served, one waiting in the backlog
MIN_REQUESTS_PER_RUN = 12
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# Its own database and Redis number, emptied before the run; two benches at once need two of each.
PG_DATABASE = os.environ.get("AGORA_BENCH_DATABASE", "agora_bench")
REDIS_URL = os.environ.get("AGORA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# SQLite alone; PostgreSQL with sessions in the database; PostgreSQL with Redis for cache and sessions.
DATABASES = ("sqlite", "postgres", "postgres+redis")
# --variants: SQLite again with one hand-made path swapped for Django's own (bench/settings_variant.py).
VARIANTS = {
    "sqlite-stock-sessions": {"AGORA_BENCH_SESSIONS": "stock"},
    "sqlite-no-row-memo": {"AGORA_BENCH_ROW_MEMO": "0"},
}
BURST_SPREAD_SECONDS = 10
BURST_DOUBLE_EVERY = 10
BURST_DEADLINE_SECONDS = 90
BURST_KILLS = 3  # --kill without a number
LOG_ALARMS = ("database is locked", "Traceback", "WORKER TIMEOUT", "Internal Server Error")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    session: str | None


def run(command: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu).")
    print("Installing wrk (apt-get)…", flush=True)
    run(["apt-get", "update", "-qq"])
    run(["apt-get", "install", "-y", "-qq", "wrk"], env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"})


def machine() -> dict[str, str | int | None]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": model.group(1) if model else platform.processor(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.__version__,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk.strip(),
        "sqlite": sqlite3.sqlite_version,
        "server": f"gunicorn, {WORKERS} sync workers, DEBUG off, whitenoise, sessions in the database"
        " (postgres+redis: cache and sessions in Redis)",
        "load_average_at_start": Path("/proc/loadavg").read_text().split()[0],
    }


def redis_ready() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", HOST, "-p", "5432", "-q"], check=False).returncode == 0


def psql(sql: str) -> str:
    return run(["psql", PG_SERVER + "/postgres", "-v", "ON_ERROR_STOP=1", "-tAqc", sql]).strip()


# Rules of the data that no constraint states: each query returns the rows that break one.
INVARIANTS = {
    "a student with two live answers in one thread": """
        SELECT assignment_id, author_id FROM classroom_response
        WHERE parent_id IS NULL AND deleted_at IS NULL
        GROUP BY assignment_id, author_id HAVING COUNT(*) > 1""",
    "one submit (author, client_token) stored twice": """
        SELECT author_id, client_token FROM classroom_response WHERE client_token IS NOT NULL
        GROUP BY author_id, client_token HAVING COUNT(*) > 1""",
    "a reply under a reply, or under an answer of another thread": """
        SELECT reply.id FROM classroom_response reply
        JOIN classroom_response answer ON answer.id = reply.parent_id
        WHERE answer.parent_id IS NOT NULL OR answer.assignment_id <> reply.assignment_id""",
    "a student's response without a seat in its thread": """
        SELECT r.id FROM classroom_response r WHERE NOT r.by_instructor AND NOT EXISTS (
            SELECT 1 FROM classroom_participation seat
            WHERE seat.assignment_id = r.assignment_id AND seat.student_id = r.author_id)""",
    "a response newer than its thread's version": """
        SELECT r.id FROM classroom_response r JOIN classroom_assignment a ON a.id = r.assignment_id
        WHERE r.version > a.version""",
}
# Every single-column foreign key of the schema, with the table and column it points to.
POSTGRES_FOREIGN_KEYS = """
    SELECT c.conrelid::regclass::text, quote_ident(a.attname), c.confrelid::regclass::text, quote_ident(af.attname)
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
    ORDER BY 1, 2"""


def integrity_check(connection, vendor: str) -> dict[str, list[str]]:
    """Check the database after a burst: what was checked, what was skipped, what is wrong.

    `connection` is any DB-API connection to it (sqlite3, psycopg, or Django's);
    `vendor` is "sqlite" or "postgresql". SQLite checks its file and its foreign keys
    with PRAGMAs; on PostgreSQL every foreign key is checked for orphans by query, and
    amcheck verifies the b-tree indexes and the tables where the extension is there
    or may be created. Both then check INVARIANTS.
    """
    checks: list[str] = []
    skipped: list[str] = []
    problems: list[str] = []

    def rows(sql: str) -> list[tuple]:
        cursor.execute(sql)
        return cursor.fetchall()

    with contextlib.closing(connection.cursor()) as cursor:
        if vendor == "sqlite":
            checks.append("PRAGMA integrity_check")
            problems += [
                f"integrity_check: {row[0]}" for row in rows("PRAGMA integrity_check") if row[0] != "ok"
            ]
            checks.append("PRAGMA foreign_key_check")
            problems += [f"foreign_key_check: {row}" for row in rows("PRAGMA foreign_key_check")]
        else:
            foreign_keys = rows(POSTGRES_FOREIGN_KEYS)
            checks.append(f"orphans of {len(foreign_keys)} foreign keys")
            for table, column, target, target_column in foreign_keys:
                (orphans,) = rows(
                    f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS"
                    f" (SELECT 1 FROM {target} p WHERE p.{target_column} = t.{column})"
                )[0]
                if orphans:
                    problems.append(f"{orphans} rows of {table}.{column} point to no {target}")
            amcheck = rows(
                "SELECT installed_version IS NOT NULL, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
                " FROM pg_available_extensions WHERE name = 'amcheck'"
            )
            if not amcheck:
                skipped.append("amcheck: not available on this server")
            elif not any(amcheck[0]):
                skipped.append("amcheck: not installed, and only a superuser may create it")
            else:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
                checks.append(
                    "amcheck bt_index_check(heapallindexed) of every b-tree index, verify_heapam of every table"
                )
                try:
                    rows(
                        "SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                        " JOIN pg_am am ON am.oid = c.relam"
                        " WHERE am.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace"
                    )
                except Exception as error:  # amcheck raises on the first damaged index
                    problems.append(f"amcheck: {error}")
                problems += [
                    f"verify_heapam: {row}"
                    for row in rows(
                        "SELECT c.relname, v.blkno, v.offnum, v.msg FROM pg_class c, LATERAL verify_heapam(c.oid) v"
                        " WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace"
                    )
                ]
        for rule, sql in INVARIANTS.items():
            checks.append(rule)
            found = rows(sql)
            if found:
                problems.append(f"{len(found)} × {rule}: {found[:5]}")
    return {"checks": checks, "skipped": skipped, "problems": problems}


class Server:
    """gunicorn as in production, on a loopback socket the OS picked and handed over as fd://."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = WORKERS) -> None:
        self.env = env
        self.log_path = log_path
        self.worker_count = workers

    def __enter__(self) -> "Server":
        listener = socket.create_server((HOST, 0))
        self.port = listener.getsockname()[1]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "classroom.wsgi:application", "--bind", f"fd://{listener.fileno()}",
                 "--workers", str(self.worker_count), "--no-control-socket", "--graceful-timeout", "5"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, pass_fds=[listener.fileno()],
            )  # fmt: skip
        listener.close()
        for _ in range(100):
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited; see {self.log_path}")
            try:
                if self.get("/healthz")[0] == 200 and len(self.workers()) == self.worker_count:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        sys.exit(f"gunicorn did not answer /healthz within 20 s; see {self.log_path}")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def get(self, page: Page | str, cookie: str = "sessionid") -> tuple[int, bytes]:
        path, session = (page, None) if isinstance(page, str) else (page.path, page.session)
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": f"{cookie}={session}"} if session else {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def workers(self) -> list[int]:
        children = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                if f"\nPPid:\t{self.process.pid}\n" in status.read_text():
                    children.append(int(status.parent.name))
            except OSError:
                continue
        return sorted(children)

    def serving_workers(self) -> list[int]:
        """Workers holding an accepted connection, that is, serving a request right now."""
        accepted = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    fields = line.split()
                    # local address, remote address, state (01 = ESTABLISHED), ..., inode
                    if int(fields[1].rsplit(":", 1)[1], 16) == self.port and fields[3] == "01":
                        accepted.add(f"socket:[{fields[9]}]")
        serving = []
        for pid in self.workers():
            with contextlib.suppress(OSError):
                if any(os.readlink(fd) in accepted for fd in Path(f"/proc/{pid}/fd").iterdir()):
                    serving.append(pid)
        return serving

    def kill_worker(self, wait: float = 2.0) -> dict[str, int | bool]:
        """SIGKILL a worker, one serving a request if any does within `wait` s; the master starts another."""
        stop = time.monotonic() + wait
        while not (serving := self.serving_workers()) and time.monotonic() < stop:
            time.sleep(0.01)
        victim = (serving or self.wait_workers())[0]
        os.kill(victim, signal.SIGKILL)
        return {"pid": victim, "serving": bool(serving)}

    def wait_workers(self, limit: float = 15) -> list[int]:
        """The workers, once the master has as many as it should (it replaces a killed one)."""
        stop = time.monotonic() + limit
        while len(workers := self.workers()) != self.worker_count and time.monotonic() < stop:
            time.sleep(0.05)
        return workers

    def wait_idle(self, limit: float = 60) -> None:
        """Until the workers use no CPU for 0.2 s: requests a finished wrk run left queued are done."""
        ticks = None
        quiet_since = time.monotonic()
        stop = time.monotonic() + limit
        while time.monotonic() < stop:
            used = 0
            for pid in self.workers():
                with contextlib.suppress(OSError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    used += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
            if used != ticks:
                ticks, quiet_since = used, time.monotonic()
            elif time.monotonic() - quiet_since >= 0.2:
                return
            time.sleep(0.05)

    def peak_rss_mb(self) -> float:
        peaks = []
        for pid in self.workers():
            found = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
            peaks.append(int(found.group(1)) / 1024 if found else 0.0)
        return round(max(peaks, default=0.0), 1)


def wrk(port: int, page: Page, seconds: float, cookie: str) -> dict[str, float]:
    command = ["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    if page.session:
        command += ["-H", f"Cookie: {cookie}={page.session}"]
    out = run([*command, f"http://{HOST}:{port}{page.path}"], timeout=seconds + 30)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": float(p50.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)],
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": sum(map(int, errors.groups())) if errors else 0,
        "non_2xx": int(bad_status.group(1)) if bad_status else 0,
    }


def bench_pages(server: Server, pages: list[Page], reps: int, seconds: int, cookie: str) -> dict:
    results: dict[str, dict] = {}
    for page in pages:
        for _ in range(3):  # warm up: templates, connections, caches
            started = time.perf_counter()
            status, body = server.get(page, cookie)
            elapsed = time.perf_counter() - started
        if status not in (200, 204):
            sys.exit(f"{page.path} answered {status}; the bench expects 200 or 204.")
        # Slow pages run longer, so that each run completes enough requests to count.
        run_seconds = max(seconds, math.ceil(MIN_REQUESTS_PER_RUN * elapsed / WORKERS))
        results[page.name] = {"status": status, "html_bytes": len(body), "seconds": run_seconds, "runs": []}
    for _ in range(reps):  # interleaved, so a slow moment of the machine hits every page alike
        for page in pages:
            server.wait_idle()
            results[page.name]["runs"].append(wrk(server.port, page, results[page.name]["seconds"], cookie))
    floor_rps = statistics.median(run["rps"] for run in results["floor"]["runs"])
    for result in results.values():
        runs = result["runs"]
        result["rps"] = round(statistics.median(run["rps"] for run in runs), 1)
        result["p50_ms"] = round(statistics.median(run["p50_ms"] for run in runs), 2)
        result["errors"] = sum(run["errors"] + run["non_2xx"] for run in runs)
        result["x_floor"] = round(floor_rps / result["rps"], 2)
    return results


def percentile(values: list[float], pct: int) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[pct - 1], 1)


def token_audit(posts: list[dict], stored: dict) -> dict[str, int]:
    """Posts the client saw confirmed against the rows stored, matched by their client_token.

    `posts`: the client's log entries of posts (each with its "client_token" and "acked");
    `stored`: bench/audit.py's output. What the page that came back showed plays no part.
    """
    sent = {str(uuid.UUID(e["client_token"])) for e in posts if e.get("client_token")}
    acked = {str(uuid.UUID(e["client_token"])) for e in posts if e.get("acked") and e.get("client_token")}
    rows: dict[str, int] = {}
    for _, token in stored["tokens"]:
        if token:
            rows[token] = rows.get(token, 0) + 1
    return {
        "sent": len(sent),
        "acked": len(acked),
        "stored": len(rows),
        "acked_not_stored": len(acked - rows.keys()),
        "stored_not_acked": len(rows.keys() - acked),
        "stored_twice": sum(1 for n in rows.values() if n > 1),
        "stored_not_sent": len(rows.keys() - sent),
        "not_acked": len(sent - acked),
    }


def summarise_burst(burst: dict, stored: dict) -> dict:
    log = burst["log"]
    posts = [entry for entry in log if entry["kind"] in ("answer", "reply")]
    acked = [entry for entry in posts if entry["acked"]]
    audit = token_audit(posts, stored)
    stored_per_token: dict[str, int] = {}
    for _, token in stored["tokens"]:
        stored_per_token[token] = stored_per_token.get(token, 0) + 1
    doubles: dict[str, list[bool]] = {}
    for entry in posts:
        if (
            entry["kind"] == "answer"
            and entry["student"] % BURST_DOUBLE_EVERY == 0
            and not entry.get("retried")
        ):
            doubles.setdefault(str(uuid.UUID(entry["client_token"])), []).append(entry["acked"])
    errors: dict[str, int] = {}
    for entry in log:
        if entry.get("error"):
            errors[entry["error"][:160]] = errors.get(entry["error"][:160], 0) + 1
    latencies = {kind: [e["ms"] for e in acked if e["kind"] == kind] for kind in ("answer", "reply")}
    pages_ms = [e["ms"] for e in log if e["kind"] == "page" and "ms" in e]
    answer_bytes = [e["bytes"] for e in acked if e["kind"] == "answer"]
    return {
        "seconds": round(burst["seconds"], 1),
        "unfinished_students": burst["unfinished"],
        "requests": len(log),
        "broken_connections": sum(1 for e in log if "retried" in e),
        "retried": sum(1 for e in log if e.get("retried")),
        "posts_not_acked": audit["not_acked"],
        "pages_loaded": sum(1 for e in log if e["kind"] == "page" and e.get("status") == 200),
        "answers_acked": len({e["client_token"] for e in acked if e["kind"] == "answer"}),
        "answers_stored": len(stored["answer_ids"]),
        "replies_acked": len({e["client_token"] for e in acked if e["kind"] == "reply"}),
        "replies_stored": len(stored["reply_ids"]),
        # By client_token: a confirmed post is stored whether or not the page showed its card.
        "acked_not_stored": audit["acked_not_stored"],
        "stored_not_acked": audit["stored_not_acked"],
        "duplicates": stored["students_with_two_answers"] + stored["same_text_twice"] + audit["stored_twice"],
        "double_submits": len(doubles),
        # Both copies confirmed (a copy cut by a kill counts by its retry), and one row stored.
        "double_submits_one_response": sum(
            1 for token, acks in doubles.items() if all(acks) and stored_per_token.get(token) == 1
        ),
        "answer_ms": {"p50": percentile(latencies["answer"], 50), "p99": percentile(latencies["answer"], 99)},
        "reply_ms": {"p50": percentile(latencies["reply"], 50), "p99": percentile(latencies["reply"], 99)},
        "page_ms": {"p50": percentile(pages_ms, 50), "p99": percentile(pages_ms, 99)},
        "answer_bytes": {"p50": percentile(answer_bytes, 50), "max": max(answer_bytes, default=None)},
        "post_ms": {
            "p50": percentile(latencies["answer"] + latencies["reply"], 50),
            "p99": percentile(latencies["answer"] + latencies["reply"], 99),
        },
        "errors": errors,
    }


BURST_HELD_P99_MS = 1000
# The burst's other arrival windows, s: 60, 15 and 7.5 students a second beside the 30 of 10 s.
BURST_RATE_SPREADS = (5, 20, 40)


def burst_rates(
    server: Server, env: dict[str, str], spreads: list[float], cookie: str, work: Path
) -> list[dict]:
    """The burst again at other arrival rates, each on a new class of 300 (bench/seed.py --class).

    `spreads`: arrival windows in seconds (300 students over each). Where p99 < 1 s stops
    holding is read off the rates: 300 / spread students a second, 3 requests each.
    """
    found = []
    for spread in spreads:
        print(f"post burst over {spread:g} s…", flush=True)
        run([PYTHON, "-m", "bench.seed", "--class", "300", str(work / "rate-class.json")], env, timeout=600)
        plan = json.loads((work / "rate-class.json").read_text())
        config = {key: plan[key] for key in ("assignment", "min_words", "sessions")} | {
            "port": server.port,
            "session_cookie": plan["session_cookie"],
            "spread": spread,
            "double_every": BURST_DOUBLE_EVERY,
            "deadline": BURST_DEADLINE_SECONDS,
        }
        (work / "rate-config.json").write_text(json.dumps(config))
        server.wait_idle()
        run([PYTHON, str(ROOT / "bench" / "burst.py"), str(work / "rate-config.json"), str(work / "rate.json")],
            timeout=BURST_DEADLINE_SECONDS + 30)  # fmt: skip
        run([PYTHON, "-m", "bench.audit", str(plan["assignment"]), str(work / "rate-audit.json")], env)
        burst = summarise_burst(
            json.loads((work / "rate.json").read_text()), json.loads((work / "rate-audit.json").read_text())
        )
        found.append(rate_entry(spread, len(plan["sessions"]), burst))
    return found


def rate_entry(spread: float, students: int, burst: dict) -> dict:
    """One arrival rate's burst (summarise_burst's), as the rates table shows it."""
    return (
        {"spread": spread, "students_per_s": round(students / spread, 1)}
        | {key: burst[key] for key in ("post_ms", "page_ms", "acked_not_stored", "stored_not_acked")}
        | {"duplicates": burst["duplicates"], "failed": sum(burst["errors"].values())}
        | {"seconds": burst["seconds"], "unfinished": burst["unfinished_students"]}
        | {"held": (burst["post_ms"]["p99"] or 1e9) < BURST_HELD_P99_MS and not burst["unfinished_students"]}
    )


def bench_env(url: str) -> dict[str, str]:
    """The environment of the served app (and its manage.py and seed) on the database at `url`."""
    return {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")} | {
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "AGORA_BENCH": "1",
        "DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    }


def bench_database(name: str, url: str, options: argparse.Namespace, work: Path, stamp: str) -> dict:
    env = bench_env(url)
    if name in VARIANTS:
        env |= VARIANTS[name] | {"DJANGO_SETTINGS_MODULE": "bench.settings_variant"}
    if name == "postgres+redis":  # the production path past one machine: cache and sessions in Redis
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = REDIS_URL
    print(f"[{name}] migrate, collectstatic, seed…", flush=True)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    started = time.monotonic()
    run([PYTHON, "-m", "bench.seed", str(work / "plan.json")], env, timeout=600)
    seed_seconds = round(time.monotonic() - started, 1)
    plan = json.loads((work / "plan.json").read_text())
    # A browser sends its CSRF cookie with every page after the first; so does the bench.
    cookie = f"{plan['csrf_cookie']}; {plan['session_cookie']}"
    reader, poll = plan["reader_session"], plan["threads"]["100"]
    pages = [Page("floor", "/bench/floor", None)]
    pages += [Page(f"thread_{n}", f"/a/{t['assignment']}/", reader) for n, t in plan["threads"].items()]
    pages += [
        Page("poll_none", poll["poll_none"], reader),
        Page("poll_one", poll["poll_one"], reader),
    ]
    pages_json = {"csrf_cookie": plan["csrf_cookie"], "pages": [page.__dict__ for page in pages]}
    (work / "pages.json").write_text(json.dumps(pages_json))
    run([PYTHON, "-m", "bench.queries", str(work / "pages.json"), str(work / "queries.json")], env)
    queries = json.loads((work / "queries.json").read_text())
    if any(count["status"] not in (200, 204) for count in queries.values()):
        sys.exit(f"the test client was refused a bench page: {queries}")

    log_path = RESULTS / f"bench-{stamp}-{name}-gunicorn.log"
    with Server(env, log_path) as server:
        workers_before = server.workers()
        result: dict = {"seed_seconds": seed_seconds, "threads": plan["threads"]}
        if not options.no_reads:
            print(
                f"[{name}] pages: {options.reps} × {len(pages)} wrk runs of {options.seconds} s…", flush=True
            )
            result["pages"] = bench_pages(server, pages, options.reps, options.seconds, cookie)
            for page in pages:
                result["pages"][page.name] |= queries[page.name]
        print(f"[{name}] post burst: {len(plan['burst']['sessions'])} students…", flush=True)
        config = plan["burst"] | {
            "port": server.port,
            "session_cookie": cookie,
            "spread": options.spread,
            "double_every": BURST_DOUBLE_EVERY,
            "deadline": BURST_DEADLINE_SECONDS,
        }
        (work / "burst-config.json").write_text(json.dumps(config))
        burst_out = work / "burst.json"
        burst_process = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "burst.py"), str(work / "burst-config.json"), str(burst_out)],
            cwd=ROOT,
        )
        started = time.monotonic()
        kills = []
        # Spread over the arrivals window, when every worker is busy with answers and replies.
        for n in range(1, options.kill + 1):
            time.sleep(max(0.0, started + n * options.spread / (options.kill + 1) - time.monotonic()))
            if burst_process.poll() is None:
                kills.append(server.kill_worker() | {"at_s": round(time.monotonic() - started, 2)})
        if burst_process.wait(timeout=BURST_DEADLINE_SECONDS + 30) != 0:
            sys.exit(f"bench/burst.py failed (exit status {burst_process.returncode})")
        result["kills"] = kills
        if options.burst_spreads:
            result["burst_rates"] = burst_rates(server, env, options.burst_spreads, cookie, work)
        result["workers_after_burst"] = len(server.wait_workers())
        result["peak_worker_rss_mb"] = server.peak_rss_mb()
        result["workers_restarted"] = server.workers() != workers_before
    run([PYTHON, "-m", "bench.audit", str(plan["burst"]["assignment"]), str(work / "audit.json")], env)
    # The thread page in a live class (bench/queries.py --live): warm, a worker's first view,
    # right after a classmate's post, "show all" against a plain template. It writes replies,
    # so it runs last, with the server stopped; it is a read, so --no-reads skips it.
    if not options.no_reads:
        print(f"[{name}] in-process: first view, after a post, show all…", flush=True)
        run(
            [PYTHON, "-m", "bench.queries", "--live", str(work / "plan.json"), str(work / "live.json")],
            env,
            900,
        )
        result["live"] = json.loads((work / "live.json").read_text())
    burst = json.loads(burst_out.read_text())
    result["burst"] = summarise_burst(burst, json.loads((work / "audit.json").read_text()))
    if "burst_rates" in result and not options.kill:  # the first burst is one of the rates
        students = len(plan["burst"]["sessions"])
        result["burst_rates"].append(rate_entry(options.spread, students, result["burst"]))
    if name.startswith("sqlite"):
        database = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        import psycopg  # only the PostgreSQL run needs it

        database = psycopg.connect(url, autocommit=True)
    with contextlib.closing(database):
        result["integrity"] = integrity_check(
            database, "sqlite" if name.startswith("sqlite") else "postgresql"
        )
    log_text = log_path.read_text(errors="replace")
    result["server_log"] = {"path": str(log_path.relative_to(ROOT))} | {
        alarm: log_text.count(alarm) for alarm in LOG_ALARMS
    }
    return result


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


LIVE_LABELS = {
    "page_{}_warm": "thread page, {} responses, warm",
    "page_{}_first": "  a worker's first view",
    "page_{}_after_post": "  right after a classmate's post",
    "all_{}_warm": '"show all" {} responses, warm',
    "all_{}_cold": "  nothing cached",
    "plain_{}": "  plain template, same rows",
    "plain_jinja_{}": "  plain Jinja2 rows, same page",
}


def live_table(out: dict, db: str = "") -> list[list[str]]:
    """Rows for bench/run.py's table: ms, queries, × the floor, × the warm page, ms per response."""
    floor = out["floor"]["ms"]
    rows = [
        [f"{db}: in-process, CPU ms (median)", "ms", "×floor", "×warm", "queries", "responses", "ms/response"]
    ]
    for size in ("100", "1000"):
        for key, label in LIVE_LABELS.items():
            name = key.format(size)
            if name not in out:
                continue
            found = out[name]
            base = out[f"all_{size}_warm" if "all" in name or "plain" in name else f"page_{size}_warm"]["ms"]
            per = found["ms"] / found["responses"] if found["responses"] else 0
            rows.append(
                [label.format(size), f"{found['ms']:.1f}", f"{found['ms'] / floor:.1f}",
                 f"{found['ms'] / base:.2f}", str(found["queries"]), str(found["responses"]), f"{per:.3f}"]
            )  # fmt: skip
    return rows


def report(results: dict) -> str:
    info = results["machine"]
    dbs = [name for name in (*DATABASES, *VARIANTS) if "burst" in results.get(name, {})]
    lines = [
        f"Agora bench · {info['date']} · {info['cpu']} ({info['cpus']} CPUs)",
        f"Python {info['python']} · Django {info['django']} · gunicorn {info['gunicorn']} · {info['wrk']}"
        f" · SQLite {info['sqlite']}" + (f" · PostgreSQL {info['postgres']}" if "postgres" in info else ""),
        f"Load average (1 min) at start {info['load_average_at_start']}, at end {info['load_average_at_end']}",
        f"Server: {info['server']}; wrk -t1 -c{WRK_CONNECTIONS}, median of {results['options']['reps']} "
        f"runs of {results['options']['seconds']} s; ×floor = floor req/s ÷ page req/s",
        "",
    ]
    labels = {
        "floor": "floor (no DB, no template)",
        "thread_30": "thread page, 30 responses",
        "thread_100": "thread page, 100 responses",
        "thread_1000": "thread page, 1000 responses",
        "poll_none": "poll, nothing new (204)",
        "poll_one": "poll, one new response",
    }
    for db in dbs:
        pages = results[db].get("pages")
        if not pages:
            continue
        rows = [[f"{db}: page", "req/s", "p50 ms", "×floor", "queries", "HTML bytes", "errors"]]
        for name, label in labels.items():
            page = pages[name]
            rps = f"{page['rps']:.0f}" if page["rps"] >= 100 else f"{page['rps']:.1f}"
            rows.append(
                [label, rps, f"{page['p50_ms']:.1f}", f"{page['x_floor']:.1f}",
                 str(page["queries"]), f"{page['html_bytes']:,}", str(page["errors"])]
            )  # fmt: skip
        lines += [table(rows), ""]
    for db in dbs:
        if "live" in results[db]:
            lines += [table(live_table(results[db]["live"], db)), ""]
    if dbs:
        spread = results["options"]["spread"]
        burst_rows = [[f"post burst (300 students, arriving over {spread:g} s)", *dbs]]
        fields = [
            ("answers acked / stored", lambda b: f"{b['answers_acked']} / {b['answers_stored']}"),
            ("replies acked / stored", lambda b: f"{b['replies_acked']} / {b['replies_stored']}"),
            ("acked not stored / stored not acked", lambda b: f"{b['acked_not_stored']} / {b['stored_not_acked']}"),
            ("duplicates", lambda b: str(b["duplicates"])),
            ("double submits → one response", lambda b: f"{b['double_submits_one_response']} of {b['double_submits']}"),
            ("answer p50 / p99 ms", lambda b: f"{b['answer_ms']['p50']} / {b['answer_ms']['p99']}"),
            ("reply p50 / p99 ms", lambda b: f"{b['reply_ms']['p50']} / {b['reply_ms']['p99']}"),
            ("all posts p50 / p99 ms", lambda b: f"{b['post_ms']['p50']} / {b['post_ms']['p99']}"),
            ("answer response bytes p50 / max", lambda b: f"{b['answer_bytes']['p50']:,.0f} / {b['answer_bytes']['max']:,}"),
            ("thread page before answering p50 / p99 ms", lambda b: f"{b['page_ms']['p50']} / {b['page_ms']['p99']}"),
            ("burst took s (unfinished students)", lambda b: f"{b['seconds']} ({b['unfinished_students']})"),
            ("requests in the burst", lambda b: str(b["requests"])),
            ("failed requests", lambda b: str(sum(b["errors"].values()))),
            ("  of which broken connections (retried)", lambda b: f"{b['broken_connections']} ({b['retried']})"),
            ("posts never acked", lambda b: str(b["posts_not_acked"])),
        ]  # fmt: skip
        for label, show in fields:
            burst_rows.append([label, *(show(results[db]["burst"]) for db in dbs)])
        if any(results[db]["kills"] for db in dbs):
            burst_rows.append(
                ["workers SIGKILLed (while serving a request)",
                 *(f"{len(k)} ({sum(kill['serving'] for kill in k)})" for k in (results[db]["kills"] for db in dbs))]
            )  # fmt: skip
            burst_rows.append(
                ["workers running after the burst", *(str(results[db]["workers_after_burst"]) for db in dbs)]
            )
        burst_rows.append(
            ["integrity check",
             *("ok" if not results[db]["integrity"]["problems"] else f"{len(results[db]['integrity']['problems'])} problems"
               for db in dbs)]
        )  # fmt: skip
        burst_rows.append(["peak worker RSS MB", *(str(results[db]["peak_worker_rss_mb"]) for db in dbs)])
        for alarm in LOG_ALARMS:
            burst_rows.append([f"log: {alarm!r}", *(str(results[db]["server_log"][alarm]) for db in dbs)])
        lines += [table(burst_rows), ""]
        for db in dbs:
            for error, count in results[db]["burst"]["errors"].items():
                lines.append(f"{db}: {count} × {error}")
        for db in dbs:
            integrity = results[db]["integrity"]
            lines.append(f"{db} integrity check: " + "; ".join(integrity["checks"]))
            lines += [f"  skipped: {reason}" for reason in integrity["skipped"]]
            lines += [f"  PROBLEM: {problem}" for problem in integrity["problems"]]
    lines += burst_rates_report(results, dbs)
    if "simulation" in results:
        from simulate import report as simulation_report

        lines += ["", simulation_report(results["simulation"]), ""]
    ratios = results.get("ratios", {})
    if ratios:
        lines.append("ratios thread/floor and poll/floor (= floor req/s ÷ page req/s):")
        lines += [f"  {db}: " + ", ".join(f"{k} {v}" for k, v in r.items()) for db, r in ratios.items()]
    return "\n".join(lines)


SIM_QUICK_SECONDS = 20


def simulation_options(parser: argparse.ArgumentParser) -> None:
    """The simulated class's options (bench/simulate.py)."""
    from simulate import DURATION, FIRST_SIZE, LAYOUTS, SETUPS

    sim = parser.add_argument_group("simulated class (bench/simulate.py)")
    sim.add_argument("--no-sim", action="store_true", help="skip the simulated class")
    sim.add_argument("--sim-only", action="store_true", help="only the simulated class")
    sim.add_argument(
        "--sim-duration", type=float, default=DURATION, help=f"seconds a class plays (default {DURATION})"
    )
    sim.add_argument("--sim-db", action="append", choices=SETUPS, help="default: both")
    sim.add_argument("--sim-instances", action="append", type=int, choices=LAYOUTS, help="default: 1 and 2")
    sim.add_argument(
        "--sim-first", type=int, default=FIRST_SIZE, help=f"the first class size tried (default {FIRST_SIZE})"
    )
    sim.add_argument("--sim-trials", type=int, default=6, help="at most this many class sizes per layout")


def burst_rates_report(results: dict, dbs: list[str]) -> list[str]:
    """The post burst at each arrival rate: its p99, and the fastest arrivals with p99 under 1 s."""
    measured = [db for db in dbs if results[db].get("burst_rates")]
    if not measured:
        return []
    spreads = sorted({r["spread"] for db in measured for r in results[db]["burst_rates"]})
    rows = [["post burst, 300 students: posts p50 / p99 ms (lost, failed)", *measured]]
    for spread in spreads:
        cells = []
        for db in measured:
            r = next((r for r in results[db]["burst_rates"] if r["spread"] == spread), None)
            cells.append(
                f"{r['post_ms']['p50']} / {r['post_ms']['p99']} ({r['acked_not_stored']}, {r['failed']})"
                if r
                else "–"
            )
        rows.append([f"  arriving over {spread:g} s ({300 / spread:.1f} students/s)", *cells])
    held = []
    for db in measured:
        rates = sorted(results[db]["burst_rates"], key=lambda r: r["students_per_s"])
        # Up to the slowest rate that did not hold; a faster one that held anyway was luck.
        first_not = next((r["students_per_s"] for r in rates if not r["held"]), None)
        ok = [
            r["students_per_s"]
            for r in rates
            if r["held"] and (first_not is None or r["students_per_s"] < first_not)
        ]
        held.append(
            (f"up to {max(ok)}/s" if ok else "at none")
            + (f", not at {first_not}/s" if first_not is not None else "")
        )
    rows.append([f"p99 < {BURST_HELD_P99_MS} ms holds", *held])
    return [table(rows), ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="SQLite only, 3 runs of 1 s per page")
    parser.add_argument("--reps", type=int, default=5, help="wrk runs per page (median taken)")
    parser.add_argument("--seconds", type=int, default=2, help="length of one wrk run")
    parser.add_argument("--spread", type=float, default=BURST_SPREAD_SECONDS, help="burst arrivals window, s")
    parser.add_argument("--db", action="append", choices=DATABASES, help="default: all three")
    parser.add_argument("--no-reads", action="store_true", help="only the post burst")
    parser.add_argument(
        "--variants", action="store_true", help="also SQLite with stock sessions, and without the row memo"
    )
    parser.add_argument(
        "--kill", type=int, nargs="?", const=BURST_KILLS, default=0, metavar="N",
        help=f"SIGKILL a gunicorn worker N times (default {BURST_KILLS}) during the burst; the master replaces it",
    )  # fmt: skip
    parser.add_argument(
        "--burst-spreads", type=lambda text: [float(x) for x in text.split(",") if x], default=None,
        metavar="S,S,…", help="the burst again over each of these arrival windows, on new classes"
        f" (default {','.join(f'{s:g}' for s in BURST_RATE_SPREADS)}; none with --quick or an empty list)",
    )  # fmt: skip
    simulation_options(parser)
    options = parser.parse_args()
    if options.quick:
        options.reps, options.seconds, options.db = 3, 1, options.db or ["sqlite"]
        options.sim_duration = min(options.sim_duration, SIM_QUICK_SECONDS)
        options.sim_db, options.sim_instances = options.sim_db or ["sqlite"], options.sim_instances or [1]
    if options.burst_spreads is None:
        options.burst_spreads = [] if options.quick else list(BURST_RATE_SPREADS)
    databases = (options.db or list(DATABASES)) + (list(VARIANTS) if options.variants else [])
    if options.sim_only:
        databases = []
    ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    results: dict = {"machine": machine(), "options": vars(options), "ratios": {}}
    for name in databases:
        if name == "postgres+redis" and not redis_ready():
            print("Redis is not answering on 127.0.0.1:6379: postgres+redis skipped.", flush=True)
            results[name] = {"skipped": "Redis not reachable on 127.0.0.1:6379"}
            continue
        if name.startswith("postgres") and not postgres_ready():
            print("PostgreSQL is not accepting connections on 127.0.0.1:5432: skipped.", flush=True)
            results[name] = {"skipped": "PostgreSQL not reachable on 127.0.0.1:5432"}
            continue
        with tempfile.TemporaryDirectory(prefix=f"agora-bench-{name}-") as tmp:
            work = Path(tmp)
            if name.startswith("sqlite"):
                url = f"sqlite:///{work / 'bench.sqlite3'}"
                results[name] = bench_database(name, url, options, work, stamp)
            else:
                psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                psql(f"CREATE DATABASE {PG_DATABASE}")
                results["machine"]["postgres"] = psql("SHOW server_version")
                try:
                    results[name] = bench_database(name, f"{PG_SERVER}/{PG_DATABASE}", options, work, stamp)
                finally:
                    psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        pages = results[name].get("pages")
        if pages:
            results["ratios"][name] = {f"{k}/floor": v["x_floor"] for k, v in pages.items() if k != "floor"}
    if options.sim_only or not options.no_sim:
        from simulate import simulate

        results["simulation"] = simulate(options, stamp)
    results["machine"]["load_average_at_end"] = Path("/proc/loadavg").read_text().split()[0]
    out = RESULTS / f"bench-{stamp}.json"
    out.write_text(json.dumps(results, indent=2))
    print()
    print(report(results))
    print(f"\nResults: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
