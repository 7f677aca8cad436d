"""The simulated class: how large a live class the server holds, and what a student costs it.

For each setup (SQLite; PostgreSQL + Redis) and each layout (one gunicorn instance with
2 sync workers; two instances of 1 sync worker each, on two ports over the same database
and Redis, the client spreading the students over both), a search over the class size N:
each trial seeds a new class of N (bench/seed.py --class), starts the servers afresh,
plays the class for `duration` seconds (bench/classsim.py, in its own process), then
audits the thread by client_token (bench/audit.py). A class is *held* when the p99 of
all its requests and the p99 of its posts are both under HELD_P99_MS, no request
failed, and every confirmed post is stored once. The search doubles N while classes
are held, then bisects between the largest held and the smallest not held.

CPU: the gunicorn processes' utime + stime from /proc, before and after the class: the
master's own and its reaped children's (cutime + cstime: workers that died and were
replaced), plus the live workers'. On PostgreSQL, the backends serving the bench
database too (DatabaseCpu), and the Redis server's own CPU (redis_cpu: INFO cpu, the whole
server, so other clients of the same Redis count too). The client's own
CPU (getrusage in its process) is reported beside them: it runs on the same CPUs.

    python bench/run.py --sim-only [--sim-duration S] [--sim-db sqlite] [--sim-instances 1]
"""

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path

from run import (
    PG_SERVER,
    PYTHON,
    RESULTS,
    Server,
    bench_env,
    integrity_check,
    percentile,
    postgres_ready,
    psql,
    redis_ready,
    run,
    token_audit,
)

SETUPS = ("sqlite", "postgres+redis")
LAYOUTS = (1, 2)  # gunicorn instances; 2 sync workers in all, shared between them
WORKERS_IN_ALL = 2
HELD_P99_MS = 500
DURATION = 180  # seconds of one trial at full size
QUICK_DURATION = 20
FIRST_SIZE = 25
LARGEST_SIZE = 1600
POLL_EVERY = 5
# Within 10 s of the start the class has opened the page; each student replies twice,
# and one in four edits their answer once (bench/classsim.py spreads them in time).
ARRIVE = 10
REPLIES = 2
EDIT_SHARE = 0.25
GRADE_EVERY = 4  # seconds between two grades by the teacher
PG_DATABASE = os.environ.get("AGORA_BENCH_SIM_DATABASE", "agora_bench_sim")
REDIS_URL = os.environ.get("AGORA_BENCH_SIM_REDIS_URL", "redis://127.0.0.1:6379/13")
POSTS = ("answer", "reply", "edit", "grade")
TICKS = os.sysconf("SC_CLK_TCK")


def stat_seconds(pid: int, children: bool = False) -> float:
    """utime + stime of a process (with `children`: plus its reaped children's), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def server_cpu(servers: list[Server]) -> float:
    total = 0.0
    for server in servers:
        total += stat_seconds(server.process.pid, children=True)
        for pid in server.workers():
            with contextlib.suppress(OSError):
                total += stat_seconds(pid)
    return total


def redis_cpu() -> float:
    """The Redis server's CPU seconds since it started (main thread and its children)."""
    import redis

    info = redis.Redis.from_url(REDIS_URL, socket_timeout=2).info("cpu")
    return sum(float(info[key]) for key in ("used_cpu_sys", "used_cpu_user",
                                             "used_cpu_sys_children", "used_cpu_user_children"))  # fmt: skip


class DatabaseCpu:
    """CPU of the PostgreSQL backends serving the bench database, sampled while the class plays.

    A connection lives DJANGO_CONN_MAX_AGE (60 s) and its backend's CPU goes with it when
    it ends, so the backends are read every half second, each counted at its last reading;
    what a backend used in its last half second is missed.
    """

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.before: dict[int, float] = self.read()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    @staticmethod
    def read() -> dict[int, float]:
        found = {}
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            with contextlib.suppress(OSError):
                # "postgres: 15/main: postgres agora_bench_sim 127.0.0.1(53492) idle"
                if (
                    cmdline.read_bytes().startswith(b"postgres:")
                    and f" {PG_DATABASE} " in cmdline.read_text()
                ):
                    pid = int(cmdline.parent.name)
                    found[pid] = stat_seconds(pid)
        return found

    def sample(self) -> None:
        while not self.stop.wait(0.5):
            self.seen |= self.read()

    def __enter__(self) -> "DatabaseCpu":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.seen |= self.read()

    @property
    def seconds(self) -> float:
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.seen.items())


def summarise(out: dict, stored: dict, students: int, duration: float) -> dict:
    log = out["log"]
    by_kind: dict[str, list[float]] = {}
    for entry in log:
        if "ms" in entry:
            by_kind.setdefault(entry["kind"], []).append(entry["ms"])
    everything = [ms for values in by_kind.values() for ms in values]
    posts_ms = [ms for kind in POSTS for ms in by_kind.get(kind, [])]
    errors: dict[str, int] = {}
    for entry in log:
        if entry.get("error"):
            errors[entry["error"][:160]] = errors.get(entry["error"][:160], 0) + 1
    posts = [entry for entry in log if entry["kind"] in ("answer", "reply")]
    return {
        "students": students,
        "requests": len(everything),
        "types": {
            kind: {
                "n": len(values),
                "p50": percentile(values, 50),
                "p95": percentile(values, 95),
                "p99": percentile(values, 99),
            }
            for kind, values in sorted(by_kind.items())
        },
        "p99_all": percentile(everything, 99),
        "p99_posts": percentile(posts_ms, 99),
        "audit": token_audit(posts, stored),
        "duplicates": stored["students_with_two_answers"] + stored["same_text_twice"],
        "errors": errors,
        "unfinished": out["unfinished"],
        "client_cpu_s": round(out["client_cpu_s"], 2),
        "student_minutes": students * duration / 60,
    }


def held(trial: dict) -> bool:
    audit = trial["audit"]
    return (
        trial["p99_all"] is not None
        and trial["p99_all"] < HELD_P99_MS
        and (trial["p99_posts"] or 0) < HELD_P99_MS
        and not trial["errors"]
        and not trial["unfinished"]
        and audit["acked_not_stored"] == 0
        and audit["stored_twice"] == 0
        and trial["duplicates"] == 0
    )


def play(
    setup: str, env: dict, url: str, instances: int, students: int, duration: float, work: Path, stamp: str
):
    """One trial: a new class of `students`, fresh servers, the class played, audited."""
    plan_path = work / "class.json"
    run([PYTHON, "-m", "bench.seed", "--class", str(students), str(plan_path)], env, timeout=600)
    plan = json.loads(plan_path.read_text())
    per_instance = max(1, WORKERS_IN_ALL // instances)
    logs = [RESULTS / f"bench-{stamp}-sim-{setup}-x{instances}-{n}-gunicorn.log" for n in range(instances)]
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(Server(env, log, workers=per_instance)) for log in logs]
        config = plan | {
            "ports": [server.port for server in servers],
            "duration": duration,
            "arrive": min(ARRIVE, duration / 10),
            "poll_every": POLL_EVERY,
            "replies": REPLIES,
            "edit_share": EDIT_SHARE,
            "grade_every": GRADE_EVERY,
            "seed": students,
        }
        (work / "sim-config.json").write_text(json.dumps(config))
        before = server_cpu(servers)
        redis_before = redis_cpu() if setup.endswith("redis") else None
        with DatabaseCpu() if setup.startswith("postgres") else contextlib.nullcontext() as database_cpu:
            run([PYTHON, "-m", "bench.classsim", str(work / "sim-config.json"), str(work / "sim.json")], env,
                timeout=duration + 120)  # fmt: skip
        cpu = server_cpu(servers) - before
        cache = None if redis_before is None else redis_cpu() - redis_before
        database = database_cpu.seconds if setup.startswith("postgres") else None
        workers_after = sum(len(server.workers()) for server in servers)
    run([PYTHON, "-m", "bench.audit", str(plan["assignment"]), str(work / "sim-audit.json")], env)
    out = json.loads((work / "sim.json").read_text())
    trial = summarise(out, json.loads((work / "sim-audit.json").read_text()), students, duration)
    minutes = trial["student_minutes"]
    trial |= {
        "server_cpu_s": round(cpu, 2),
        "server_cpu_per_student_minute": round(cpu / minutes, 4),
        "database_cpu_per_student_minute": None if database is None else round(database / minutes, 4),
        "redis_cpu_per_student_minute": None if cache is None else round(cache / minutes, 4),
        "client_cpu_per_student_minute": round(trial["client_cpu_s"] / minutes, 4),
        "workers_after": workers_after,
        "load_average": Path("/proc/loadavg").read_text().split()[0],
    }
    trial["held"] = held(trial)
    return trial


def search(setup: str, env: dict, url: str, instances: int, options, work: Path, stamp: str) -> dict:
    """Trials over N until the largest class held is known to within about 15 %."""
    trials: list[dict] = []
    largest_held, smallest_not = 0, None
    size = options.sim_first
    while size and all(t["students"] != size for t in trials):
        print(f"[sim {setup} ×{instances}] {size} students, {options.sim_duration:g} s…", flush=True)
        trial = play(setup, env, url, instances, size, options.sim_duration, work, stamp)
        trials.append(trial)
        print(
            f"[sim {setup} ×{instances}] {size}: p99 all {trial['p99_all']} ms, posts {trial['p99_posts']} ms,"
            f" errors {sum(trial['errors'].values())}, {'held' if trial['held'] else 'not held'}",
            flush=True,
        )
        if trial["held"]:
            largest_held = max(largest_held, size)
        else:
            smallest_not = size if smallest_not is None else min(smallest_not, size)
        if len(trials) >= options.sim_trials:
            size = 0
        elif smallest_not is None:
            size = size * 2 if size * 2 <= LARGEST_SIZE else 0
        elif smallest_not - largest_held <= max(2, largest_held * 0.15):
            size = 0
        else:
            size = (largest_held + smallest_not) // 2 if largest_held else max(1, smallest_not // 2)
    best = next((t for t in trials if t["students"] == largest_held), None)
    return {
        "largest_held": largest_held,
        "smallest_not_held": smallest_not,
        "trials": trials,
        "at_largest": best,
    }


def simulate(options, stamp: str) -> dict:
    """Every setup and layout asked for; skipped setups say why."""
    results: dict = {"duration": options.sim_duration, "held_p99_ms": HELD_P99_MS, "configs": {}}
    for setup in options.sim_db or SETUPS:
        if setup.startswith("postgres") and not (postgres_ready() and redis_ready()):
            results["configs"][setup] = {"skipped": "PostgreSQL or Redis not reachable on 127.0.0.1"}
            continue
        with tempfile.TemporaryDirectory(prefix=f"agora-sim-{setup}-") as tmp:
            work = Path(tmp)
            if setup == "sqlite":
                url = f"sqlite:///{work / 'sim.sqlite3'}"
            else:
                psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                psql(f"CREATE DATABASE {PG_DATABASE}")
                url = f"{PG_SERVER}/{PG_DATABASE}"
            env = bench_env(url)
            if setup == "postgres+redis":
                import redis

                redis.Redis.from_url(REDIS_URL).flushdb()
                env["REDIS_URL"] = REDIS_URL
            try:
                print(f"[sim {setup}] migrate, collectstatic…", flush=True)
                run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
                run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
                for instances in options.sim_instances or LAYOUTS:
                    found = search(setup, env, url, instances, options, work, stamp)
                    results["configs"][f"{setup} ×{instances}"] = found
                with contextlib.closing(connect(url)) as database:
                    results["configs"][f"{setup} integrity"] = integrity_check(
                        database, "sqlite" if setup == "sqlite" else "postgresql"
                    )
            finally:
                if setup != "sqlite":
                    psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    return results


def connect(url: str):
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url, autocommit=True)


def report(sim: dict) -> str:
    """The simulated class table, then each layout's request types at its largest class held."""
    from run import table

    configs = {name: c for name, c in sim["configs"].items() if "trials" in c}
    if not configs:
        return "\n".join(
            f"simulated class, {name}: {c.get('skipped', '')}" for name, c in sim["configs"].items()
        )
    names = list(configs)

    def at_best(name: str, show) -> str:
        best = configs[name]["at_largest"]
        return show(best) if best else "–"

    rows = [[f"simulated class ({sim['duration']:g} s, polls every {POLL_EVERY} s, 2 sync workers)", *names]]
    rows.append(
        [f"largest class held (p99 < {sim['held_p99_ms']} ms)",
         *(f"{configs[n]['largest_held']}" + (f" (not {configs[n]['smallest_not_held']})"
           if configs[n]["smallest_not_held"] else "") for n in names)]
    )  # fmt: skip
    rows.append(
        ["classes tried (✓ held)",
         *(" ".join(f"{t['students']}{'✓' if t['held'] else '✗'}" for t in configs[n]["trials"]) for n in names)]
    )  # fmt: skip
    rows.append(
        [
            "p99 ms all / posts, largest held",
            *(at_best(n, lambda t: f"{t['p99_all']} / {t['p99_posts']}") for n in names),
        ]
    )
    rows.append(
        [
            "server CPU s per student-minute",
            *(at_best(n, lambda t: f"{t['server_cpu_per_student_minute']:.4f}") for n in names),
        ]
    )
    rows.append(
        ["PostgreSQL CPU s per student-minute",
         *(at_best(n, lambda t: "–" if t["database_cpu_per_student_minute"] is None
                   else f"{t['database_cpu_per_student_minute']:.4f}") for n in names)]
    )  # fmt: skip
    rows.append(
        ["Redis CPU s per student-minute",
         *(at_best(n, lambda t: "–" if t.get("redis_cpu_per_student_minute") is None
                   else f"{t['redis_cpu_per_student_minute']:.4f}") for n in names)]
    )  # fmt: skip
    rows.append(
        [
            "client CPU s per student-minute",
            *(at_best(n, lambda t: f"{t['client_cpu_per_student_minute']:.4f}") for n in names),
        ]
    )
    rows.append(
        ["confirmed posts: stored / lost / twice",
         *(at_best(n, lambda t: f"{t['audit']['acked'] - t['audit']['acked_not_stored']} / "
                   f"{t['audit']['acked_not_stored']} / {t['audit']['stored_twice']}") for n in names)]
    )  # fmt: skip
    rows.append(["load average at the end", *(at_best(n, lambda t: t["load_average"]) for n in names)])
    lines = [table(rows), ""]
    kinds = sorted(
        {kind for n in names if configs[n]["at_largest"] for kind in configs[n]["at_largest"]["types"]}
    )
    if kinds:
        type_rows = [["at the largest class held: p50 / p95 / p99 ms (requests)", *names]]
        for kind in kinds:
            cells = []
            for n in names:
                best = configs[n]["at_largest"]
                t = best["types"].get(kind) if best else None
                cells.append(f"{t['p50']} / {t['p95']} / {t['p99']} ({t['n']})" if t else "–")
            type_rows.append([kind, *cells])
        lines += [table(type_rows), ""]
    for n in names:
        for trial in configs[n]["trials"]:
            for error, count in trial["errors"].items():
                lines.append(f"{n}, {trial['students']} students: {count} × {error}")
    for name, check in sim["configs"].items():
        if name.endswith("integrity"):
            lines.append(f"{name}: " + ("ok" if not check["problems"] else "; ".join(check["problems"])))
    return "\n".join(lines)
