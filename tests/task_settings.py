"""Loaded before Django's settings (pyproject's `-p tests.task_settings`): how tests run tasks.

Tasks run at once, inside the request that enqueues them (AGORA_TASKS=immediate, read by
classroom/settings.py): ordinary tests need no worker, whoever enqueues a task (notifications,
LTI grade passback). The worker tests (tests/integration/test_task_worker.py) start real
`run_worker` processes on the database backend, with AGORA_TASKS=database in their environment.
"""

import os

os.environ.setdefault("AGORA_TASKS", "immediate")
