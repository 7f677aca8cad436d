"""Live equals reload: an open thread page, after its polls, shows what a fresh load shows.

The driver is tests/live_diff.py (its docstring says how to run the long run). This
short run takes one seed of 14 steps (about 100 s on a 2-core box) against gunicorn with two workers, on the
suite's database (a file copy on SQLite, the test database on PostgreSQL + Redis).
"""

import pytest

from tests.live_diff import env_int, report, run_seed, seeds_to_run

pytestmark = [pytest.mark.browser]

SHORT_SEEDS = [20251]
SHORT_STEPS = 14


def test_every_open_page_equals_a_fresh_load_after_each_step(transactional_db, browser, tmp_path):
    steps = env_int("AGORA_LIVE_DIFF_STEPS", SHORT_STEPS)
    runs = [run_seed(browser, tmp_path, seed, steps) for seed in seeds_to_run(SHORT_SEEDS)]
    differences = report(runs)
    assert not differences, differences
