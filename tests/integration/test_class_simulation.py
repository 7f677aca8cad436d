"""The simulated class (bench/classsim.py), short: every confirmed post is stored once.

Six students and their teacher against gunicorn with 2 sync workers, for a few seconds:
each opens the thread page and polls it (every second here, every 5 s in the bench),
answers, replies to a classmate and edits their answer; the teacher grades from the
report. Afterwards every post the server confirmed is stored exactly once, matched by
its client_token, and nothing was stored that no student sent. The bench's simulation
(bench/simulate.py) runs the same client for minutes over classes of hundreds.
"""

import pytest

from bench.classsim import run_class
from bench.run import token_audit
from tests.servers import served_class

STUDENTS = 6
SECONDS = 8


@pytest.fixture
def site(transactional_db, tmp_path):
    with served_class(tmp_path, students=STUDENTS) as site:
        yield site


def test_a_short_class_loses_no_confirmed_post_and_stores_none_twice(site):
    config = site.plan | {
        "ports": [site.server.port],
        "duration": SECONDS,
        "arrive": 1,
        "poll_every": 1,
        "replies": 1,
        "edit_share": 1.0,
        "grade_every": 0.5,
        "seed": 7,
    }
    outcome = run_class(config)
    log = outcome["log"]

    assert outcome["unfinished"] == 0
    problems = [entry for entry in log if entry.get("error") or entry["kind"] == "crash"]
    assert not problems, (problems[:6], site.log_tail())
    confirmed = {kind: sum(1 for e in log if e["kind"] == kind and e.get("acked")) for kind in
                 ("answer", "reply", "edit", "grade")}  # fmt: skip
    assert confirmed == {"answer": STUDENTS, "reply": STUDENTS, "edit": STUDENTS, "grade": confirmed["grade"]}
    assert confirmed["grade"] >= 1, "the teacher graded nobody"
    # The pages followed their polls: each asked from the version the last answer brought.
    assert any(e["kind"] == "poll, changes" for e in log)
    for n in range(STUDENTS):
        asked = [int(e["since"]) for e in log if e["who"] == f"s{n}" and e["kind"].startswith("poll")]
        assert asked == sorted(asked) and asked[-1] > asked[0], (n, asked)

    rows = site.database.responses(site.plan["assignment"])
    stored = {"tokens": [[row["id"], str(row["client_token"])] for row in rows]}
    audit = token_audit([e for e in log if e["kind"] in ("answer", "reply")], stored)
    assert audit["acked"] == audit["stored"] == 2 * STUDENTS, audit
    assert audit["acked_not_stored"] == audit["stored_twice"] == audit["stored_not_sent"] == 0, audit
    assert not site.database.integrity()["problems"]
