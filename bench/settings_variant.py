"""Settings for the bench's A/B runs only: Agora's settings with one hand-made path swapped
for Django's own, so `make bench BENCH_ARGS="--variants"` measures whether it still pays.

AGORA_BENCH_SESSIONS=stock   Django's cached_db sessions instead of classroom.sessions
AGORA_BENCH_ROW_MEMO=0       every new thread version reads the thread's rows whole
"""

import os

from classroom.settings import *  # noqa: F403

if os.environ.get("AGORA_BENCH_SESSIONS") == "stock":
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AGORA_ROW_MEMO = os.environ.get("AGORA_BENCH_ROW_MEMO", "1") != "0"
