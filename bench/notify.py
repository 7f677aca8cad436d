"""The 300-student burst with notifications on: how long until every reply's notification is
delivered, in the app and in a real SMTP server's inbox, and the task worker's throughput.

    .venv/bin/python bench/notify.py                       # SQLite, a fresh file
    DATABASE_URL=postgres://... .venv/bin/python bench/notify.py --postgres   # an empty database of yours

gunicorn (2 sync workers, as `make run`) and one `manage.py run_worker` serve a class of 300
students with emails; bench/burst.py's students each answer and reply to a classmate. Each
reply enqueues a task (in the reply's transaction); the worker tells the answer's author, in
the app (a Notification row) and by mail through an aiosmtpd server in this process. The
figures, per reply: reply stored → notification in the app (its row), → mail recorded as
sent, → mail received by the SMTP server; and how long after the burst's last post every
mail had arrived. bench/README.md says what the figures mean.
"""

import argparse
import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from bench.burst import run_burst  # noqa: E402
from bench.run import Server  # noqa: E402

STUDENTS = 300
SPREAD = 10.0


class Inbox:
    def __init__(self) -> None:
        self.received: dict[str, float] = {}  # Message-ID: wall-clock time of arrival
        self.copies = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import email

        message = email.message_from_bytes(envelope.original_content)
        with self.lock:
            self.copies += 1
            self.received.setdefault(message["Message-ID"], time.time())
        return "250 OK"


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def pct(values: list[float], p: int) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", action="store_true", help="use DATABASE_URL (emptied first) instead of SQLite"
    )
    parser.add_argument("--students", type=int, default=STUDENTS)
    parser.add_argument("--spread", type=float, default=SPREAD)
    options = parser.parse_args()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every SMTP line
    load_at_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="agora-notify-bench-"))
    url = os.environ["DATABASE_URL"] if options.postgres else f"sqlite:///{work / 'bench.sqlite3'}"
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="bench-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        AGORA_TASKS="database",
        AGORA_POSTS_PER_MINUTE="1000",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        AGORA_SITE_URL="http://127.0.0.1",
    )
    manage(env, "migrate", "--noinput", "-v0")
    if options.postgres:
        manage(env, "flush", "--noinput", "-v0")
    plan_path = work / "plan.json"
    subprocess.run(
        [sys.executable, "-m", "tests.servers", str(plan_path), str(options.students)],
        cwd=ROOT, env=env, check=True, timeout=600,
    )  # fmt: skip
    plan = json.loads(plan_path.read_text())
    os.environ.update(
        {key: env[key] for key in ("DATABASE_URL", "AGORA_TASKS", "DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
    import django

    django.setup()
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from classroom.models import Notification, Response, User

    def drain(seconds: float) -> float:
        """Wait until no task waits and no mail is unsent; how long that took."""
        began = time.monotonic()
        while time.monotonic() < began + seconds:
            pending = DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).count()
            unsent = Notification.objects.filter(
                email_due_at__isnull=False, email_sent_at__isnull=True
            ).count()
            connection.close()
            if not pending and not unsent:
                break
            time.sleep(0.5)
        return time.monotonic() - began

    for user in User.objects.filter(is_instructor=False):
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@school.example")
    connection.close()
    manage(env, "collectstatic", "--noinput", "-v0")
    worker_log = (work / "worker.log").open("w")
    with Server(env, work / "gunicorn.log", workers=2) as server:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            config = {
                "port": server.port,
                "assignment": plan["assignment"],
                "session_cookie": plan["session_cookie"],
                "sessions": plan["sessions"],
                "min_words": plan["min_words"],
                "spread": options.spread,
                "double_every": 10,
                "deadline": 90,
            }
            # The seed's own notifications (the new discussion, one mail per student) go first,
            # so the figures below are the burst's alone.
            drained = drain(600)
            copies_before = inbox.copies
            started = time.time()
            burst = run_burst(config)
            burst_end = time.time()
            drain(600)
            all_done = time.time()
        finally:
            worker.terminate()
            worker.wait(30)
    smtp.stop()

    replies = {r.pk: r for r in Response.objects.filter(parent__isnull=False).select_related("parent")}
    told = list(Notification.objects.filter(kind="reply"))
    in_app, mailed, received = [], [], []
    for notification in told:
        reply = replies.get(notification.response_id)
        if reply is None:
            continue
        in_app.append((notification.created_at - reply.created_at).total_seconds())
        if notification.email_sent_at:
            mailed.append((notification.email_sent_at - reply.created_at).total_seconds())
        arrived = next(
            (t for mid, t in inbox.received.items() if f"notification-{notification.pk}@" in mid), None
        )
        if arrived is not None:
            received.append(arrived - reply.created_at.timestamp())
    tasks = DBTaskResult.objects.filter(
        task_path="classroom.tasks.notify", enqueued_at__gte=datetime.fromtimestamp(started, UTC)
    )
    done_tasks = tasks.filter(status="SUCCESSFUL")
    first = min((t.started_at for t in done_tasks), default=None)
    last = max((t.finished_at for t in done_tasks), default=None)
    busy = (last - first).total_seconds() if first and last else 0
    last_reply = max((r.created_at for r in replies.values()), default=None)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg()[0],
        "database": connection.vendor,
        "students": options.students,
        "burst_seconds": round(burst["seconds"], 1),
        "replies": len(replies),
        "replies_to_a_classmate": sum(
            1 for r in replies.values() if r.reply_to_id is None and r.parent.author_id != r.author_id
        ),
        "notified_in_app": len(in_app),
        "mails_recorded_sent": len(mailed),
        "mails_received": len(received),
        "smtp_copies_in_burst": inbox.copies - copies_before,
        "seed_mails_drained_s": round(drained, 1),
        "failed_tasks": tasks.filter(status="FAILED").count(),
        "in_app_p50_s": pct(in_app, 50),
        "in_app_p99_s": pct(in_app, 99),
        "in_app_max_s": max(in_app, default=None),
        "mail_received_p50_s": pct(received, 50),
        "mail_received_p99_s": pct(received, 99),
        "mail_received_max_s": max(received, default=None),
        "all_mail_received_after_last_reply_s": (
            round(max(inbox.received.values()) - last_reply.timestamp(), 2)
            if last_reply and inbox.received
            else None
        ),
        "all_done_after_burst_s": round(all_done - burst_end, 1),
        "worker_tasks": done_tasks.count(),
        "worker_busy_s": round(busy, 1),
        "worker_tasks_per_s": round(done_tasks.count() / busy, 1) if busy else None,
        "burst_started": started,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"notify-{result['date']}.json").write_text(json.dumps(result, indent=2, default=str))
    for key, value in result.items():
        if True:
            print(f"{key:36} {value if not isinstance(value, float) else round(value, 2)}")
    print(f"(logs in {work})")


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
