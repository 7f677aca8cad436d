"""Background tasks (Django's tasks framework): thin, each calls the module that owns the work.

Enqueued inside the transaction of the write that causes them: with the database backend
the task row commits with that write, or not at all. `manage.py run_worker` runs them.
"""

from django.tasks import task

from classroom import notifications


@task
def notify(kind: str, object_id: int, actor_id: int | None) -> int:
    """Tell everyone an event concerns, then send the mail that is due now."""
    told = notifications.fan_out(kind, object_id, actor_id)
    if told:
        notifications.send_due_mail()
    return told


@task
def send_due_mail() -> int:
    return notifications.send_due_mail()
