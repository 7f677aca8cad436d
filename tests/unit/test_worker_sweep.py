"""The worker's sweep on the task rows themselves: a dead worker's task runs again, old rows go."""

from datetime import timedelta

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from classroom.management.commands.run_worker import prune_finished, requeue_abandoned


def task_row(
    status: str, started_ago: float | None = None, finished_ago: float | None = None
) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": ["reply", 1, 2], "kwargs": {}},
        task_path="classroom.tasks.notify",
        backend_name="default",
        run_after=get_date_max(),
        started_at=None if started_ago is None else now - timedelta(seconds=started_ago),
        finished_at=None if finished_ago is None else now - timedelta(seconds=finished_ago),
        worker_ids=["dead"] if started_ago is not None else [],
    )


def test_a_task_running_past_the_lease_is_ready_again(db, settings):
    settings.AGORA_TASK_LEASE_SECONDS = 60
    abandoned = task_row(TaskResultStatus.RUNNING, started_ago=61)
    running = task_row(TaskResultStatus.RUNNING, started_ago=5)
    assert requeue_abandoned() == 1
    abandoned.refresh_from_db()
    running.refresh_from_db()
    assert abandoned.status == TaskResultStatus.READY and running.status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.ready().filter(pk=abandoned.pk).exists()  # a worker takes it next


def test_finished_rows_older_than_the_keep_days_are_pruned(db, settings):
    settings.AGORA_TASK_KEEP_DAYS = 7
    old = task_row(TaskResultStatus.SUCCESSFUL, started_ago=8 * 86400, finished_ago=8 * 86400)
    old_failed = task_row(TaskResultStatus.FAILED, started_ago=8 * 86400, finished_ago=8 * 86400)
    recent = task_row(TaskResultStatus.SUCCESSFUL, started_ago=3600, finished_ago=3600)
    waiting = task_row(TaskResultStatus.READY)
    assert prune_finished() == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk} and old.pk not in left and old_failed.pk not in left
