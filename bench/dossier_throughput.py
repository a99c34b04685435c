"""Throughput of the dossier lifecycle through the real services, on SQLite and PostgreSQL,
against a bare write measured on the same database in the same process.

    .venv/bin/python bench/dossier_throughput.py [--quick] [-n N] [--threads T] [--procs P]
                                                 [--engine sqlite|postgresql|both] [--profile]

For each engine: a fresh database (SQLite: a temporary data directory, WAL as in production;
PostgreSQL: a throw-away database ``motcua_bench_<pid>`` on 127.0.0.1, always dropped at the end)
prepared by ``motcua up --no-serve``, then a child process with production settings (DEBUG off)
that drives N dossiers (default 300, ``--quick`` 50) of procedure 1.004873 (its process:
reception → specialist → agency leader → clerk, then the result goes back to the desk) at the
demo commune 14797, with its demo officials, through the full service path:

    dossier_intake (counter, received) → dossier_handover ×3 → dossier_resolve
    → dossier_return_result

six transactions per dossier, each with its hash-chained event and its outbox rows (one webhook
per event for a subscriber of every topic, as a sync to the national portal would be, and an
e-mail to the applicant at intake and resolve; nothing is delivered: the outbox mode is
``external``). Three runs of N dossiers each: sequentially in one thread; from ``--threads``
threads (default 4, each with its own database connection; one process, so they share the
GIL); from ``--procs`` forked processes (default 2, the shape of the server: one worker per
core).

Baseline, in the same process on the same database: ``transaction.atomic()`` around one raw
single-row INSERT (and one UPDATE) through Django's cursor, i.e. the cost of a commit with
nothing in it. Prints dossiers/s, p50/p99 per service call, queries per call (counted on warm-up
dossiers), the CPU of the Python side (SQLite runs inside it), of PostgreSQL's processes and of
the rest of the machine, the events and outbox rows written, and ``verify_events`` over them.
``--profile`` adds a cProfile of the sequential run, summarised by part of the service path.
Never asserts on timings; always exits 0 and drops the PostgreSQL database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: reception → … → clerk
DESK = "14797-pvhcc"  # the service centre of the demo commune (Phường Hạc Thành)
CALLS = ["intake", "handover 1", "handover 2", "handover 3", "resolve", "return"]
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
WARMUP = 5  # dossiers walked first (query counts, caches); not in the figures


# --- the lifecycle (needs Django set up; shared with public_lookup.py) -----------------------
class Lifecycle:
    """Officials per role (the demo accounts of commune 14797), the procedure version and the
    desk; builds intake data and walks a dossier through the services."""

    def __init__(self, *, webhook: bool = True) -> None:
        from motcua.catalog.choices import VersionStatus
        from motcua.catalog.models import ProcedureVersion
        from motcua.dossiers.services import lifecycle as svc
        from motcua.notifications.models import WebhookSubscription
        from motcua.org.models import Agency
        from motcua.org.services.demo import demo_accounts, ensure_demo_accounts

        ensure_demo_accounts()  # production mode: `motcua up` does not create them
        from django.contrib.auth import get_user_model

        by_name = {u.username: u for u in get_user_model().objects.all()}
        self.people = {
            str(a.role): by_name[a.username] for a in demo_accounts() if a.role is not None
        }
        self.svc = svc
        self.version = (
            ProcedureVersion.objects.select_related("procedure")
            .filter(procedure__code=PROCEDURE, status=VersionStatus.PUBLISHED)
            .latest("pk")
        )
        self.variant = self.version.variants.get(is_default=True)
        self.components = [c for c in self.version.components.all() if c.mandatory]
        self.desk = Agency.objects.get(code=DESK)
        if webhook and not WebhookSubscription.objects.filter(name="bench").exists():
            WebhookSubscription.objects.create(name="bench", url="http://127.0.0.1:9/", topics="*")

    def data(self, i: int):
        svc = self.svc
        return svc.DossierIn(
            version=self.version,
            variant=self.variant,
            receiving_agency=self.desk,
            applicant=svc.Applicant(
                name=f"Nguyễn Văn An {i}",
                id_number=f"0380{i % 10**8:08d}",
                phone=phone(i),
                email=f"an{i}@example.vn",
                address="Số 5 đường Lê Lợi",
            ),
            channel=1,  # counter
            components=[
                svc.ComponentIn(component=x, is_original=bool(x.originals)) for x in self.components
            ],
        )

    def walk(self, i: int, *, upto: int = len(CALLS), timer: Timer | None = None):
        """Take dossier ``i`` through the first ``upto`` calls of ``CALLS``; returns it."""
        svc, people = self.svc, self.people
        timed = timer or _untimed
        d = timed(
            "intake", lambda: svc.dossier_intake(actor=people["reception"], data=self.data(i))
        )
        for n in range(1, 4):
            if upto <= n:
                return d
            actor = people[d.current_step.role]
            d = timed(
                f"handover {n}", lambda a=actor, x=d: svc.dossier_handover(actor=a, dossier=x)
            )
        if upto <= 4:
            return d
        d = timed("resolve", lambda: svc.dossier_resolve(actor=people["clerk"], dossier=d))
        if upto <= 5:
            return d
        return timed(
            "return",
            lambda: svc.dossier_return_result(
                actor=people["reception"], dossier=d, method="counter", recipient="Nguyễn Văn An"
            ),
        )


def phone(i: int) -> str:
    return f"09{(i * 7919) % 10**8:08d}"  # 10 digits, starts with 0; last four vary


def _untimed(name: str, fn: Callable[[], Any]) -> Any:
    return fn()


class Timer:
    """Collects the wall time of each named call (seconds), thread-safe."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {name: [] for name in CALLS}
        self.lock = threading.Lock()

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        out = fn()
        took = time.perf_counter() - started
        with self.lock:
            self.times[name].append(took)
        return out

    def all(self) -> list[float]:
        return [x for xs in self.times.values() for x in xs]


class QueryCounter:
    """``connection.execute_wrapper`` counting statements per named call (DEBUG stays off)."""

    def __init__(self) -> None:
        self.current = ""
        self.counts: dict[str, list[int]] = {name: [] for name in CALLS}

    def __call__(self, execute, sql, params, many, context):
        self.counts[self.current][-1] += 1
        return execute(sql, params, many, context)

    def timer(self, name: str, fn: Callable[[], Any]) -> Any:
        self.current = name
        self.counts[name].append(0)
        return fn()


# --- the child: one engine, in-process -------------------------------------------------------
def _baseline_table() -> None:
    from django.db import connection

    pk = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE bench_baseline (id {pk}, n INTEGER NOT NULL, note TEXT)")
        cur.execute("INSERT INTO bench_baseline (n, note) VALUES (0, 'row to update')")


def _bare_write(kind: str, i: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        if kind == "insert":
            cur.execute("INSERT INTO bench_baseline (n, note) VALUES (%s, %s)", [i, "x" * 40])
        else:
            cur.execute("UPDATE bench_baseline SET n = n + 1 WHERE id = 1")


class Meter:
    """Wall time and CPU over a phase: this process (Python, and SQLite, which runs inside
    it), the PostgreSQL server's processes (when that is the engine) and the whole machine."""

    def __init__(self, db_pid: int | None) -> None:
        self.db_pid = db_pid  # the postmaster: its process tree is the database server
        self.box: dict[str, float] = {}
        self.workers: list[int] = []  # worker processes, counted as "this process"

    def _db(self) -> float:
        return c.tree_cpu_seconds(self.db_pid) if self.db_pid else 0.0

    def _own(self) -> float:
        return time.process_time() + sum(c.tree_cpu_seconds(p) for p in self.workers)

    def start(self, workers: list[int] | None = None) -> None:
        self.workers = workers or []
        self._t = (
            time.perf_counter(),
            self._own(),
            self._db(),
            c.system_busy_seconds(),
        )

    def stop(self) -> dict[str, float]:
        w0, p0, d0, m0 = self._t
        self.box = {
            "wall": time.perf_counter() - w0,
            "process_cpu": self._own() - p0,
            "db_cpu": self._db() - d0,
            "machine_cpu": c.system_busy_seconds() - m0,
        }
        return self.box

    @contextlib.contextmanager
    def phase(self) -> Any:
        c.wait_quiet(5.0)
        self.start()
        yield self
        self.stop()


def _in_threads(
    meter: Meter, threads: int, total: int, work: Callable[[int], None]
) -> tuple[dict[str, float], list[str]]:
    """Run ``work(i)`` for i in range(total) from ``threads`` threads, each with its own DB
    connection (opened before the clock starts, closed after it stops, so that the server
    processes serving them are still there to be measured). Returns the meter's figures and
    the errors raised."""
    from django.db import connection, connections

    counter = iter(range(total))
    lock = threading.Lock()
    errors: list[str] = []
    begin = threading.Barrier(threads + 1)
    end = threading.Barrier(threads + 1)
    measured = threading.Event()

    def run() -> None:
        try:
            try:
                connection.ensure_connection()
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
            begin.wait()
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                try:
                    work(i)
                except Exception as exc:  # reported, never hidden
                    with lock:
                        errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
            end.wait()
            measured.wait(timeout=60)  # keep the connection until the meter has read the CPU
        finally:
            connections.close_all()

    pool = [threading.Thread(target=run) for _ in range(threads)]
    c.wait_quiet(5.0)
    for t in pool:
        t.start()
    begin.wait()
    meter.start()
    end.wait()
    box = meter.stop()
    measured.set()
    for t in pool:
        t.join()
    return box, errors


def _in_processes(
    meter: Meter, procs: int, total: int, life: Lifecycle, first: int
) -> tuple[dict[str, float], list[str], Timer]:
    """Walk dossiers ``first … first + total - 1`` from ``procs`` forked processes, each with
    its own DB connection (the shape of the server: one worker process per core). Connections
    are closed before the fork; the meter counts the workers' CPU as "this process"."""
    import multiprocessing as mp

    from django.db import connection, connections

    connections.close_all()
    ctx = mp.get_context("fork")
    begin, end = ctx.Barrier(procs + 1), ctx.Barrier(procs + 1)
    measured = ctx.Event()
    results = ctx.Queue()

    def run(k: int) -> None:
        timer, errors = Timer(), []
        try:
            connection.ensure_connection()
            begin.wait(timeout=120)
            for i in range(k, total, procs):
                try:
                    life.walk(first + i, timer=timer)
                except Exception as exc:  # reported, never hidden
                    errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
            results.put((timer.times, errors))
            end.wait(timeout=600)
            measured.wait(timeout=60)
        finally:
            connections.close_all()

    pool = [ctx.Process(target=run, args=(k,)) for k in range(procs)]
    c.wait_quiet(5.0)
    for p in pool:
        p.start()
    begin.wait(timeout=120)
    meter.start(workers=[p.pid for p in pool if p.pid])
    end.wait(timeout=600)
    box = meter.stop()
    measured.set()
    timer, errors = Timer(), []
    for _ in pool:
        times, errs = results.get(timeout=60)
        for name, xs in times.items():
            timer.times[name].extend(xs)
        errors += errs
    for p in pool:
        p.join(timeout=60)
    return box, errors, timer


def _postmaster_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    stat = Path(f"/proc/{backend}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.dossiers.services.events import verify_events
    from motcua.notifications.models import OutboxMessage

    engine = connection.vendor
    n, threads = args.n, args.threads
    life = Lifecycle()
    _baseline_table()
    out: dict[str, Any] = {"engine": engine, "n": n, "threads": threads, "procs_n": args.procs}
    if engine == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT version(), current_setting('synchronous_commit')")
            ver, sync = cur.fetchone()
        out["server"] = f"{ver.split(' on ')[0]}, synchronous_commit={sync}"
    else:
        import sqlite3

        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            mode = cur.fetchone()[0]
            cur.execute("PRAGMA synchronous")
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cur.fetchone()[0], "?")
        out["server"] = f"SQLite {sqlite3.sqlite_version}, journal_mode={mode}, synchronous={sync}"

    # Warm-up (imports, caches, the calendar) and statements per call.
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for i in range(WARMUP):
            life.walk(10**6 + i, timer=counter.timer)
    out["queries"] = {k: max(v) for k, v in counter.counts.items() if v}
    events0, outbox0 = DossierEvent.objects.count(), OutboxMessage.objects.count()

    # Baseline: bare single-row writes, sequential then threaded.
    meter = Meter(_postmaster_pid())
    ops = n * len(CALLS)
    base: dict[str, list[float]] = {"insert": [], "update": []}
    for kind in ("insert", "update"):
        with meter.phase():
            for i in range(ops):
                t0 = time.perf_counter()
                _bare_write(kind, i)
                base[kind].append(time.perf_counter() - t0)
        out[f"base_{kind}"] = _stats(base[kind]) | meter.box
    box, errors = _in_threads(meter, threads, ops, lambda i: _bare_write("insert", i))
    out["base_insert_threads"] = {"ops": ops, "errors": errors} | box

    # The lifecycle, sequentially.
    seq = Timer()
    profiler = None
    with meter.phase():
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        for i in range(n):
            life.walk(i, timer=seq)
        if profiler is not None:
            profiler.disable()
    out["seq"] = _lifecycle_stats(seq, n) | meter.box

    # The lifecycle, from threads.
    par = Timer()
    box, errors = _in_threads(meter, threads, n, lambda i: life.walk(n + i, timer=par))
    out["par"] = _lifecycle_stats(par, n - len(errors)) | box | {"errors": errors}

    # The lifecycle, from processes.
    if args.procs:
        box, errors, timer = _in_processes(meter, args.procs, n, life, 2 * n)
        out["procs"] = _lifecycle_stats(timer, n - len(errors)) | box | {"errors": errors}

    # What was written, and the chains.
    runs = 3 if args.procs else 2
    dossiers = runs * n + WARMUP
    out["events"] = DossierEvent.objects.count() - events0
    out["outbox"] = OutboxMessage.objects.count() - outbox0
    out["outbox_by_topic"] = dict(
        OutboxMessage.objects.values_list("topic").annotate(n=Count("id")).order_by("topic")
    )
    t0 = time.perf_counter()
    problems = [str(p) for p in verify_events()]
    out["verify"] = {
        "dossiers": Dossier.objects.count(),
        "events": DossierEvent.objects.count(),
        "problems": len(problems),
        "first": problems[:5],
        "seconds": time.perf_counter() - t0,
        "expected_dossiers": dossiers,
    }
    _report(out)
    if profiler is not None:
        _print_profile(profiler)
    if args.out:
        Path(args.out).write_text(json.dumps(out))
    return 0


def _stats(latencies: list[float]) -> dict[str, float]:
    return {
        "count": len(latencies),
        "p50": c.percentile_ms(latencies, 50),
        "p99": c.percentile_ms(latencies, 99),
        "mean": sum(latencies) / len(latencies) * 1000 if latencies else float("nan"),
    }


def _lifecycle_stats(timer: Timer, dossiers: int) -> dict[str, Any]:
    return {
        "dossiers": dossiers,
        "calls": {name: _stats(xs) for name, xs in timer.times.items()},
        "all": _stats(timer.all()),
    }


def _runs(out: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, label, figures) of the lifecycle runs present, the sequential one first."""
    labels = {
        "seq": "1 thread",
        "par": f"{out['threads']} threads",
        "procs": f"{out.get('procs_n', 0)} processes",
    }
    return [(k, labels[k], out[k]) for k in ("seq", "par", "procs") if k in out]


def _report(out: dict[str, Any]) -> None:
    engine, n = out["engine"], out["n"]
    print(f"\n## {engine}: {out['server']}")
    ins, upd = out["base_insert"], out["base_update"]
    runs = _runs(out)
    base_p50 = ins["p50"]
    rows = []
    for name in [*CALLS, "all six"]:
        seq = runs[0][2]["all"] if name == "all six" else runs[0][2]["calls"][name]
        queries = sum(out["queries"].values()) if name == "all six" else out["queries"].get(name)
        row = [name, queries, seq["p50"], seq["p99"], f"{seq['p50'] / base_p50:.0f}x"]
        for _key, _label, run in runs[1:]:
            fig = run["all"] if name == "all six" else run["calls"][name]
            row += [fig["p50"], fig["p99"]]
        rows.append(row)
    headers = ["service call", "queries", "1 thread p50 ms", "p99 ms", "p50 / bare INSERT"]
    for _key, label, _run in runs[1:]:
        headers += [f"{label} p50 ms", "p99 ms"]
    print(
        c.table(
            headers,
            rows,
            title=f"Per service call, ms ({n} dossiers in each run; queries counted on "
            f"{WARMUP} warm-up dossiers)",
        )
    )
    bt = out["base_insert_threads"]
    seq_rate = runs[0][2]["dossiers"] / runs[0][2]["wall"]

    def row_of(work: str, how: str, dossiers: int | None, txns: int, box: dict, vs: str) -> list:
        wall = box["wall"]
        other = box["machine_cpu"] - box["process_cpu"] - box["db_cpu"]
        return [
            work,
            how,
            dossiers / wall if dossiers else "-",
            txns / wall,
            wall * 1000 / max(1, txns),
            box["process_cpu"] * 1000 / max(1, txns),
            box["db_cpu"] * 1000 / max(1, txns) if engine == "postgresql" else "-",
            max(0.0, other) / wall * 100,
            vs,
        ]

    rows = []
    for key, label, run in runs:
        rate = run["dossiers"] / run["wall"]
        vs = "" if key == "seq" else f"{rate / seq_rate:.2f}x"
        rows.append(row_of("lifecycle", label, run["dossiers"], run["dossiers"] * 6, run, vs))
    rows += [
        row_of("bare INSERT + commit", "1 thread", None, ins["count"], ins, ""),
        row_of("bare UPDATE + commit", "1 thread", None, upd["count"], upd, ""),
        row_of(
            "bare INSERT + commit",
            f"{out['threads']} threads",
            None,
            bt["ops"],
            bt,
            f"{(bt['ops'] / bt['wall']) / (ins['count'] / ins['wall']):.2f}x",
        ),
    ]
    print(
        c.table(
            [
                "work",
                "run",
                "dossiers/s",
                "transactions/s",
                "wall ms / transaction",
                "motcua CPU ms / transaction",
                "PostgreSQL CPU ms / transaction",
                "other CPU %",
                "vs 1 thread",
            ],
            rows,
            title="Throughput (motcua CPU: the Python process(es), SQLite runs inside them; "
            "PostgreSQL: all the server's processes; other: the rest of the machine, % of a core)",
        )
    )
    print(
        f"bare write p50/p99: INSERT {ins['p50']:.3f}/{ins['p99']:.3f} ms, "
        f"UPDATE {upd['p50']:.3f}/{upd['p99']:.3f} ms"
    )
    v = out["verify"]
    measured = sum(run["dossiers"] for _k, _l, run in runs)
    print(
        f"written by the {measured} measured dossiers: {out['events']} events "
        f"({out['events'] / max(1, measured):.1f} per dossier), {out['outbox']} outbox rows "
        f"({out['outbox'] / max(1, measured):.1f} per dossier; all rows by topic: "
        f"{out['outbox_by_topic']})"
    )
    status = "OK" if not v["problems"] else f"{v['problems']} PROBLEMS: {v['first']}"
    print(
        f"verify_events: {status} — {v['dossiers']} dossiers, {v['events']} events checked in "
        f"{v['seconds']:.2f} s"
    )
    for label, errs in [(label, run["errors"]) for _k, label, run in runs[1:]] + [
        ("bare threads", bt["errors"])
    ]:
        if errs:
            print(f"NOT OK — {len(errs)} errors in the {label} run, e.g. {errs[:3]}")


# Where the time of a walk goes: (label, file path suffix, function names). Rows overlap
# where one part calls another (the e-mail and webhook rows are inside "outbox").
PROFILE_PARTS = [
    ("lock + load the dossier (_lock)", "dossiers/services/_common.py", {"_lock"}),
    (
        "permission checks (policies)",
        "/policies.py",
        {"require", "require_step_actor", "require_role"},
    ),
    ("work calendar (calendar_for)", "org/services/calendar.py", {"calendar_for"}),
    (
        "intake: validate, create, number",
        "dossiers/services/_common.py",
        {"_validate_new", "_create", "_assign_code"},
    ),
    (
        "steps: close, open next",
        "dossiers/services/_common.py",
        {"_close_step", "_open_next_process_step"},
    ),
    ("event_append (hash chain)", "dossiers/services/events.py", {"event_append"}),
    ("outbox (effects.publish)", "dossiers/services/effects.py", {"publish"}),
    ("  webhook_fanout", "notifications/services/webhooks.py", {"webhook_fanout"}),
    ("  event_message", "dossiers/services/effects.py", {"event_message"}),
    ("  e-mail (_applicant_mail)", "dossiers/services/effects.py", {"_applicant_mail"}),
    ("  outbox_enqueue (get_or_create)", "notifications/services/outbox.py", {"outbox_enqueue"}),
    ("database driver (execute)", "django/db/backends/utils.py", {"_execute"}),
    ("commit", "django/db/backends/base/base.py", {"commit"}),
]


def _print_profile(profiler) -> None:
    import io
    import pstats

    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(ct for (f, _l, fn), (_cc, _nc, _tt, ct, _c) in raw.items() if fn == "walk")
    rows = []
    for label, suffix, names in PROFILE_PARTS:
        ct = sum(v[3] for (f, _l, fn), v in raw.items() if fn in names and f.endswith(suffix))
        calls = sum(v[1] for (f, _l, fn), v in raw.items() if fn in names and f.endswith(suffix))
        rows.append([label, calls, ct, f"{ct / total * 100:.0f}%" if total else "-"])
    print(
        c.table(
            ["part", "calls", "cumulative s", "share of the walks"],
            rows,
            title=f"Where the time goes (cProfile of the sequential run, {total:.2f} s of walks; "
            "profiling inflates Python-heavy parts)",
        )
    )
    buf = io.StringIO()
    pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats("tottime").print_stats(20)
    print(buf.getvalue())


# --- the parent: prepare each engine, run the child, always clean up -------------------------
def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def _postgres_db() -> Any:
    name = f"motcua_bench_{os.getpid()}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}", name
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"dropped database {name}")


def _run_engine(engine: str, args: argparse.Namespace) -> dict[str, Any] | None:
    with c.temp_dir("lifecycle") as tmp, contextlib.ExitStack() as stack:
        data_dir = Path(tmp) / "data"
        env = c.bench_env(data_dir, "production")
        env["MOTCUA_OUTBOX_MODE"] = "external"  # rows are written, nothing is delivered
        if engine == "postgresql":
            url, name = stack.enter_context(_postgres_db())
            env["DATABASE_URL"] = url
            print(f"\n# postgresql: database {name} on {PG_HOST}:{PG_PORT}")
        else:
            print(f"\n# sqlite: {data_dir}/motcua.sqlite3")
        t0 = time.perf_counter()
        up = subprocess.run(
            [c.MOTCUA, "up", "--no-serve", "--data-dir", str(data_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if up.returncode != 0:
            print(f"NOT OK — motcua up failed:\n{(up.stdout + up.stderr)[-2000:]}")
            return None
        print(f"data: motcua up --no-serve in {time.perf_counter() - t0:.1f} s")
        out_path = Path(tmp) / "result.json"
        argv = [c.PYTHON, __file__, "--child", "-n", str(args.n), "--threads", str(args.threads)]
        argv += ["--procs", str(args.procs)]
        argv += ["--out", str(out_path)] + (["--profile"] if args.profile else [])
        done = subprocess.run(argv, env=env, cwd=c.ROOT, check=False, timeout=1800)
        if done.returncode != 0 or not out_path.exists():
            print(f"NOT OK — the {engine} run exited with {done.returncode}")
            return None
        return json.loads(out_path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 dossiers")
    parser.add_argument("-n", type=int, help="dossiers per run (300; --quick 50)")
    parser.add_argument("--threads", type=int, default=4, help="threads of the parallel run (4)")
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument(
        "--procs", type=int, default=2, help="processes of the multi-process run (2; 0: skip)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the sequential run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.n = args.n or (50 if args.quick else 300)
    if args.child:
        return child(args)

    started = time.perf_counter()
    print("motcua bench: dossier_throughput")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'psycopg')}")
    print(
        f"work: {args.n} dossiers of {PROCEDURE} at {DESK} per run: sequential, from "
        f"{args.threads} threads"
        + (f", from {args.procs} processes" if args.procs else "")
        + f"; {len(CALLS)} transactions each ({' → '.join(CALLS)}); MOTCUA_ENV=production"
    )
    print(f"load average at start: {c.loadavg()}")
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    results = [r for r in (_run_engine(e, args) for e in engines) if r is not None]
    if results:
        rows = []
        for r in results:
            runs = _runs(r)
            seq, ins = r["seq"], r["base_insert"]
            seq_rate = seq["dossiers"] / seq["wall"]
            row = [
                r["engine"],
                seq_rate,
                seq["all"]["p50"],
                seq["all"]["p99"],
                ins["p50"],
                f"{seq['all']['p50'] / ins['p50']:.0f}x",
            ]
            for _key, _label, run in runs[1:]:
                rate = run["dossiers"] / run["wall"]
                row += [rate, f"{rate / seq_rate:.2f}x"]
            row += [
                sum(len(run.get("errors", [])) for _k, _l, run in runs),
                "OK" if not r["verify"]["problems"] else r["verify"]["problems"],
            ]
            rows.append(row)
        headers = [
            "engine",
            "dossiers/s, 1 thread",
            "transition p50 ms",
            "transition p99 ms",
            "bare write p50 ms",
            "transition / bare",
        ]
        for _key, label, _run in _runs(results[0])[1:]:
            headers += [f"dossiers/s, {label}", "vs 1 thread"]
        headers += ["errors", "verify_events"]
        print(
            c.table(
                headers,
                rows,
                title="Summary",
            )
        )
    print(f"load average at end: {c.loadavg()}")
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
