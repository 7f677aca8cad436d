"""Settings for the bench's A/B runs only: Agora's settings with one hand-made path swapped
for Django's own, so `make bench BENCH_ARGS="--variants"` measures whether it still pays.

AGORA_BENCH_SESSIONS=stock   Django's db sessions instead of classroom.sessions (its SQL)
AGORA_BENCH_SESSIONS=cached  Django's cached_db sessions: faster, but not an option without Redis
                             (each worker's memory keeps a session that a logout on another
                             worker has ended)
AGORA_BENCH_ROW_MEMO=0       every new thread version reads the thread's rows whole
"""

import os

from classroom.settings import *  # noqa: F403

SESSION_ENGINE = {
    "stock": "django.contrib.sessions.backends.db",
    "cached": "django.contrib.sessions.backends.cached_db",
}.get(os.environ.get("AGORA_BENCH_SESSIONS", ""), SESSION_ENGINE)  # noqa: F405
AGORA_ROW_MEMO = os.environ.get("AGORA_BENCH_ROW_MEMO", "1") != "0"
