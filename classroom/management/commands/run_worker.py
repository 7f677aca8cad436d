"""Run the background worker: the tasks in the database, and the notifications' sweep.

The second process of every deployment, beside gunicorn (`make run` starts both). It runs
django-tasks-db's worker loop, which takes each task with a row lock (SELECT ... FOR UPDATE
SKIP LOCKED on PostgreSQL; SQLite's single writer) and marks it running in that transaction,
so several workers on several machines never run one task twice. Between tasks, at most
every --sweep seconds, it also:

- runs again the tasks a dead worker left "running" for longer than AGORA_TASK_LEASE_SECONDS
  (a worker killed mid-task loses nothing; notifications' keys stop doubles);
- sends the mail that is due (retries after a refusal, quiet hours ending, digests), releases
  held notifications, reminds of discussions due within 24 hours, and makes instructors'
  daily digests (classroom.notifications);
- deletes finished task rows older than AGORA_TASK_KEEP_DAYS.

Ctrl-C or SIGTERM finishes the task at hand, then stops.
"""

import logging
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import OperationalError, close_old_connections, transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from classroom import notifications

logger = logging.getLogger("classroom.worker")


def requeue_abandoned(now=None) -> int:
    """Tasks marked running for longer than the lease: their worker died. Run them again."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.AGORA_TASK_LEASE_SECONDS)
    with transaction.atomic():
        return DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - lease
        ).update(status=TaskResultStatus.READY)


def prune_finished(now=None) -> int:
    now = now or timezone.now()
    old = now - timedelta(days=settings.AGORA_TASK_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=old).delete()
    return deleted


def sweep(now=None) -> dict[str, int]:
    """Everything the worker does on a clock rather than for a task; safe to run in several
    workers at once (claims and unique keys), and cheap when there is nothing to do."""
    now = now or timezone.now()
    return {
        "requeued": requeue_abandoned(now),
        "released": notifications.release_held(now),
        "reminded": notifications.remind_due_soon(now),
        "digests": notifications.instructor_digests(now),
        "mailed": notifications.send_due_mail(now),
        "pruned": prune_finished(now),
    }


class SweepingWorker(Worker):
    """django-tasks-db's worker (its claim with a row lock, its run_task and signals), with the
    sweep between tasks: a busy queue does not starve retries and reminders."""

    def __init__(self, *, sweep_every: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sweep_every = sweep_every
        self.last_sweep = -float("inf")

    def run(self) -> None:
        logger.info("Worker %s started", self.worker_id)
        while self.running:
            self.maybe_sweep()
            close_old_connections()
            task_result = self.claim_next()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch:
                return
            elif self.running:
                time.sleep(self.interval)

    def claim_next(self) -> DBTaskResult | None:
        """The next ready task, locked (SKIP LOCKED: another worker's row is passed over) and
        marked running by this worker in the same transaction."""
        tasks = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_name, queue_name__in=self.queue_names
        )
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None  # SQLite busy past its timeout: try again on the next turn
            raise

    def maybe_sweep(self) -> None:
        if time.monotonic() - self.last_sweep < self.sweep_every:
            return
        self.last_sweep = time.monotonic()
        try:
            close_old_connections()
            done = sweep()
        except Exception:
            logger.exception("The worker's sweep failed; it runs again in %s s", self.sweep_every)
            return
        if any(done.values()):
            logger.info("sweep: %s", ", ".join(f"{name} {count}" for name, count in done.items() if count))


class Command(BaseCommand):
    help = "Run background tasks and the notifications' sweep (the second process beside gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when there is no task."
        )
        parser.add_argument(
            "--sweep", type=float, default=15.0, help="Seconds between two sweeps (default 15)."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks waiting now, sweep once, and stop."
        )
        parser.add_argument(
            "--worker-id", default="", help="A name unique among the workers (default: random)."
        )

    def handle(
        self, *, interval: float, sweep: float, batch: bool, worker_id: str, verbosity: int, **options
    ) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if not isinstance(backend, DatabaseBackend):
            self.stderr.write("run_worker needs the database task backend (AGORA_TASKS=database).")
            sys.exit(2)
        logging.getLogger("django_tasks_db").setLevel(logging.INFO if verbosity else logging.WARNING)
        logger.setLevel(logging.INFO if verbosity else logging.WARNING)
        worker = SweepingWorker(
            sweep_every=0 if batch else sweep,
            queue_names=list(backend.queues) or ["default"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
        if batch:
            worker.last_sweep = -float("inf")
            worker.maybe_sweep()
