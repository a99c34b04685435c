"""Reports at scale on PostgreSQL (issue 6): Biểu 06 and the 766 index for a whole province as
the data grows, and what keeping the rollups costs each dossier transition.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mcbench \\
        .venv/bin/python bench/reports.py [--sizes 100000,1000000,10000000] [--quick]

The database named by ``DATABASE_URL`` (or ``--database-url``; default
``postgres://postgres@127.0.0.1:5432/motcua_bench_reports``) is created if it does not exist and
is **kept** afterwards, so that a later run with a bigger size only adds the difference (10 M
after 1 M adds 9 M); drop it with ``dropdb`` when done. It is prepared with ``motcua manage
migrate`` and ``load_reference`` (the agencies and the catalogue, as ``motcua up`` loads them;
idempotent). Then a child process with production settings (DEBUG off), for each size in
increasing order:

1. adds synthetic dossiers to the province (``--province``, default 38, Thanh Hóa) until it has
   that many, with ``reports.services.synthetic`` (what ``motcua bench generate`` runs: 36
   months ending on ``--end``, ``--jobs`` processes), then ``VACUUM ANALYZE``: the state
   autovacuum reaches after a bulk load (statistics, and the visibility map that lets the
   lists read ``reports_fact_list`` alone);
2. counts the rows (dossiers, facts, rollups by grain) and the tables' sizes; at 100,000
   dossiers or fewer also checks ``rollup_differences() == []`` (it recomputes everything);
3. times, interleaved, after one warm-up each, ``--runs`` times (p50 and max): the baseline
   ``SELECT 1`` through Django's cursor; Biểu 06 for the whole province for the last full
   calendar year, and for the same year with the government cut-off (15/12–14/12); Biểu 06 for
   one commune (14797 when in the province) for the last full month; and, when
   ``reports.index766`` has them, the 766 index of the province and of every one of its
   communes (``commune_ranking``) for the last full calendar year; and the lists behind three
   numbers (col 3 and col 13 of the province's year, col 3 of the commune's month), as the
   back office shows them: the count and the first page of 50 (``drilldown.cell_page``);
4. walks ``--transitions`` dossiers through the real services at the demo commune (intake,
   three hand-overs, resolve: procedure 1.004873, as ``bench/dossier_throughput.py``) with the
   rollup hook as it is, and as many with ``dossiers.services._common.rollup_refresh``
   replaced by a no-op, alternating, timing each call; the queries of each call are counted
   with ``CaptureQueriesContext`` on 3 more dossiers of each kind. The dossiers walked without
   the hook get their rollups afterwards (``rollup_refresh_many``), so the data stays exact.

Prints Markdown tables: generation throughput, row counts, timings with their ratio to the
baseline and to the smallest size (the curve), and the transition overhead. Never asserts on
timings; always exits 0.

It also times ``rollups.recompute`` (the path of ``rollup_refresh_many``, of ``motcua reports
rebuild`` and of ``--check``) on 500 dossiers, with its queries: a constant number whatever the
dossiers (docs/performance.md, "Reports at scale", note 1).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_reports"
CALLS = ["intake", "handover 1", "handover 2", "handover 3", "resolve"]
CHECK_UP_TO = 100_000  # rollup_differences() recomputes every dossier: only up to this size


# --- the child ---------------------------------------------------------------------------------
def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _recompute_probe(province, count: int = 500) -> dict[str, Any]:
    """``rollups.recompute`` over ``count`` synthetic dossiers: queries and time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.reports.services.rollups import recompute
    from motcua.reports.services.synthetic import synthetic_dossiers

    ids = list(synthetic_dossiers(province).order_by("pk").values_list("pk", flat=True)[:count])
    list(recompute(ids=ids[:50]))  # warm
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        list(recompute(ids=ids))
        took = time.perf_counter() - started
    return {
        "dossiers": len(ids),
        "queries": len(captured.captured_queries),
        "ms": took * 1000 / max(1, len(ids)),
    }


class Noise:
    """CPU used by other work on the machine during a phase (neither this process nor
    PostgreSQL), in % of one core: the figures of a phase with a high value are disturbed."""

    def __init__(self) -> None:
        import dossier_throughput as lifecycle

        self.postgres = lifecycle._postmaster_pid()

    def _now(self) -> tuple[float, float, float, float]:
        pg = c.tree_cpu_seconds(self.postgres) + _reaped_cpu(self.postgres) if self.postgres else 0
        return time.perf_counter(), c.system_busy_seconds(), time.process_time(), pg

    def start(self) -> None:
        c.wait_quiet(5)
        self.before = self._now()

    def stop(self) -> float:
        wall, busy, own, pg = (b - a for a, b in zip(self.before, self._now(), strict=True))
        return max(0.0, (busy - own - pg) / wall * 100) if wall else 0.0


def _reaped_cpu(pid: int) -> float:
    """CPU of the exited children of ``pid`` (PostgreSQL's parallel query workers come and go
    within a query: the live process tree misses them)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[13]) + int(fields[14])) / c.CLK_TCK  # cutime, cstime


def _stats(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"p50": statistics.median(ms), "max": max(ms), "n": len(ms)}


def _counts(province) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count

    from motcua.dossiers.models import Dossier
    from motcua.reports.models import DossierFact, Rollup
    from motcua.reports.services.synthetic import synthetic_dossiers

    grains = dict(Rollup.objects.values_list("grain").annotate(n=Count("pk")).order_by())
    sizes = {}
    with connection.cursor() as cursor:
        for model in (Dossier, DossierFact, Rollup):
            table = model._meta.db_table
            cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes["database"] = cursor.fetchone()[0]
    return {
        "dossiers": Dossier.objects.count(),
        "synthetic": synthetic_dossiers(province).count(),
        "facts": DossierFact.objects.count(),
        "rollups": grains,
        "bytes": sizes,
    }


def _report_calls(province, end: dt.date) -> list[tuple[str, Any]]:
    """(name, call) of every report timed, the baseline first."""
    from django.db import connection

    from motcua.org.choices import AgencyKind
    from motcua.org.models import Agency
    from motcua.reports.form06 import form06
    from motcua.reports.periods import PeriodKind, period_of

    def select_1() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    year = end.year - 1 if end < dt.date(end.year, 12, 31) else end.year
    month_end = end.replace(day=1) - dt.timedelta(days=1)
    commune = (
        Agency.objects.filter(code="14797", parent=province).first()
        or Agency.objects.filter(parent=province, kind=AgencyKind.COMMUNE).order_by("code").first()
    )
    calendar_year = period_of(PeriodKind.YEAR, year)
    cutoff_year = period_of(PeriodKind.YEAR, year, cutoff=True)
    month = period_of(PeriodKind.MONTH, month_end.year, month_end.month)
    calls: list[tuple[str, Any]] = [
        ("SELECT 1 (baseline)", select_1),
        (
            f"Biểu 06, province, year {year}",
            lambda: form06(province, calendar_year, today=end),
        ),
        (
            f"Biểu 06, province, year {year} with cut-off",
            lambda: form06(province, cutoff_year, cutoff=True, today=end),
        ),
    ]
    if commune is not None:
        calls.append(
            (
                f"Biểu 06, commune {commune.code}, {month_end:%m/%Y}",
                lambda: form06(commune, month, today=end),
            )
        )
    try:
        from motcua.reports.drilldown import cell_page as page_of_cell
    except ImportError:
        page_of_cell = None
    if page_of_cell is not None:

        def cell_page(agency, period, column: int) -> None:
            """What the list behind one number shows: its count and its first page."""
            list(page_of_cell(agency, period, column=column, today=end))

        calls += [
            (
                f"list behind col 3, province, year {year} (count + page 1)",
                lambda: cell_page(province, calendar_year, 3),
            ),
            (
                f"list behind col 13, province, year {year} (count + page 1)",
                lambda: cell_page(province, calendar_year, 13),
            ),
        ]
        if commune is not None:
            calls.append(
                (
                    f"list behind col 3, commune {commune.code}, {month_end:%m/%Y}",
                    lambda: cell_page(commune, month, 3),
                )
            )
    try:
        from motcua.reports import index766
    except ImportError:
        index766 = None
    if index766 is not None and hasattr(index766, "index_766"):
        calls.append(
            (
                f"766 index, province, year {year}",
                lambda: index766.index_766(province, calendar_year, today=end),
            )
        )
    if index766 is not None and hasattr(index766, "commune_ranking"):
        communes = Agency.objects.filter(parent=province, kind=AgencyKind.COMMUNE).count()
        calls.append(
            (
                f"766 index, every commune ({communes}), year {year}",
                lambda: index766.commune_ranking(province, calendar_year, today=end),
            )
        )
    return calls


def _time_reports(province, end: dt.date, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calls = _report_calls(province, end)
    queries: dict[str, int] = {}
    received: dict[str, int] = {}
    for name, call in calls:  # warm-up, and the queries of each
        with CaptureQueriesContext(connection) as captured:
            out = call()
        queries[name] = len(captured.captured_queries)
        total = getattr(out, "total", None)
        if total is not None and hasattr(total, "received"):
            received[name] = total.received
    times: dict[str, list[float]] = {name: [] for name, _call in calls}
    noise = Noise()
    noise.start()
    for run in range(runs):  # interleaved, the order rotated every run
        shift = run % len(calls)
        for name, call in calls[shift:] + calls[:shift]:
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    other = noise.stop()
    missing = [] if any("766" in name for name, _c in calls) else ["reports.index766"]
    return {
        "other_cpu": other,
        "order": [name for name, _call in calls],
        "stats": {name: _stats(values) for name, values in times.items()},
        "queries": queries,
        "received": received,
        "missing": missing,
    }


def _time_transitions(n: int) -> dict[str, Any]:
    import dossier_throughput as lifecycle
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.services import _common
    from motcua.reports.services.rollups import rollup_refresh_many

    life = lifecycle.Lifecycle(webhook=False)
    hook = _common.rollup_refresh

    def no_op(dossier, action=None) -> None:
        return None

    timers = {"with hook": lifecycle.Timer(), "without": lifecycle.Timer()}
    queries: dict[str, dict[str, list[int]]] = {mode: {k: [] for k in CALLS} for mode in timers}
    unhooked: list[int] = []
    base = int(time.time()) % 10**6 * 100  # distinct applicants from run to run

    def counting(mode: str):
        def timed(name: str, fn):
            with CaptureQueriesContext(connection) as captured:
                out = fn()
            queries[mode][name].append(len(captured.captured_queries))
            return out

        return timed

    noise = Noise()
    noise.start()
    try:
        for i in range(2 * (n + 3)):
            mode = "with hook" if i % 2 == 0 else "without"
            _common.rollup_refresh = hook if mode == "with hook" else no_op
            timer = counting(mode) if i < 6 else timers[mode]
            dossier = life.walk(base + i, upto=5, timer=timer)
            if mode == "without":
                unhooked.append(dossier.pk)
    finally:
        _common.rollup_refresh = hook
    other = noise.stop()
    rollup_refresh_many(unhooked)  # their rollups, as the hook would have kept them
    return {
        "other_cpu": other,
        "n": n,
        "stats": {
            mode: {name: _stats(values) for name, values in timer.times.items() if values}
            | {"all": _stats(timer.all())}
            for mode, timer in timers.items()
        },
        "queries": {
            mode: {name: statistics.median(values) for name, values in counts.items() if values}
            for mode, counts in queries.items()
        },
    }


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection

    from motcua.reports.services.rollups import rollup_differences
    from motcua.reports.services.synthetic import (
        province_for,
        synthetic_dossiers,
        synthetic_generate,
    )

    province = province_for(args.province)
    end = dt.date.fromisoformat(args.end)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    out: dict[str, Any] = {"server": server, "province": province.name, "sizes": []}
    for size in args.sizes:
        have = synthetic_dossiers(province).count()
        add = max(0, size - have)
        _say(f"size {size:,}: {have:,} synthetic dossiers already, adding {add:,}")

        def progress(p) -> None:
            _say(f"  {p.done:>11,} / {p.total:,}  {p.rate:,.0f}/s  {p.seconds:,.0f} s")

        load_before = os.getloadavg()[0]
        generated = synthetic_generate(
            province=province,
            dossiers=add,
            months=args.months,
            end=end,
            seed=args.seed,
            jobs=args.jobs,
            progress=progress,
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        entry: dict[str, Any] = {
            "size": size,
            "added": add,
            "seconds": generated.seconds,
            "analyze": time.perf_counter() - started,
            "load": (load_before, os.getloadavg()[0]),
            "counts": _counts(province),
        }
        if not out.get("probe"):
            out["probe"] = _recompute_probe(province)
        if size <= CHECK_UP_TO:
            _say("  rollup_differences() …")
            started = time.perf_counter()
            entry["differences"] = len(rollup_differences())
            entry["differences_seconds"] = time.perf_counter() - started
        _say("  timing the reports …")
        entry["reports"] = _time_reports(province, end, args.runs)
        _say("  timing the transitions …")
        entry["transitions"] = _time_transitions(args.transitions)
        out["sizes"].append(entry)
        Path(args.out).write_text(json.dumps(out))  # what is done survives a later failure
    return 0


# --- the parent --------------------------------------------------------------------------------
def _ensure_database(url: str) -> str:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "dbname": "postgres",
        "autocommit": True,
    }
    if parts.password:
        admin["password"] = parts.password
    with psycopg.connect(**admin) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return f"created {name}"
    return f"reused {name}"


def _prepare(env: dict[str, str]) -> float:
    started = time.perf_counter()
    for argv in (["manage", "migrate", "-v0"], ["manage", "load_reference"]):
        subprocess.run(
            [c.MOTCUA, *argv], env=env, capture_output=True, text=True, timeout=900, check=True
        )
    return time.perf_counter() - started


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f}"


def _print(result: dict[str, Any], args: argparse.Namespace) -> None:
    sizes = result["sizes"]
    print(f"\nPostgreSQL {result['server']}; province: {result['province']}")
    rows = []
    for s in sizes:
        rate = s["added"] / s["seconds"] if s["seconds"] and s["added"] else float("nan")
        load = "{:.1f} → {:.1f}".format(*s.get("load", (0, 0)))
        rows.append([f"{s['size']:,}", f"{s['added']:,}", s["seconds"], rate, s["analyze"], load])
    print(
        c.table(
            ["size", "added", "generation s", "dossiers/s", "VACUUM ANALYZE s", "load"],
            rows,
            title=f"Generation ({args.jobs} process(es), batches of 5,000)",
        )
    )
    probe = result.get("probe")
    if probe:
        print(
            c.table(
                ["rollups.recompute", "dossiers", "queries", "ms per dossier"],
                [["over synthetic dossiers", probe["dossiers"], probe["queries"], probe["ms"]]],
                title="The path of rollup_refresh_many, rebuild and check",
            )
        )
    rows = []
    for s in sizes:
        n = s["counts"]
        grains = n["rollups"]
        b = n["bytes"]
        rows.append(
            [
                f"{s['size']:,}",
                f"{n['dossiers']:,}",
                f"{n['facts']:,}",
                f"{grains.get('d', 0):,}",
                f"{grains.get('m', 0):,}",
                f"{grains.get('y', 0):,}",
                _mib(b.get("dossiers_dossier", 0)),
                _mib(b.get("reports_dossierfact", 0)),
                _mib(b.get("reports_rollup", 0)),
                _mib(b.get("database", 0)),
                (
                    f"{'[]' if s['differences'] == 0 else s['differences']} "
                    f"({s['differences_seconds']:.0f} s)"
                )
                if "differences" in s
                else "not run",
            ]
        )
    print(
        c.table(
            [
                "size",
                "dossiers",
                "facts",
                "rollups d",
                "m",
                "y",
                "dossiers MiB",
                "facts MiB",
                "rollups MiB",
                "database MiB",
                "rollup_differences()",
            ],
            rows,
            title="Rows and sizes (tables with their indexes)",
        )
    )
    first = sizes[0]
    for s in sizes:
        reports = s["reports"]
        base = reports["stats"][reports["order"][0]]["p50"]
        rows = []
        for name in reports["order"]:
            st = reports["stats"][name]
            smallest = first["reports"]["stats"].get(name)
            rows.append(
                [
                    name,
                    reports["queries"][name],
                    f"{reports['received'][name]:,}" if name in reports["received"] else "",
                    st["p50"],
                    st["max"],
                    f"{st['p50'] / base:.0f}x",
                    f"{st['p50'] / smallest['p50']:.2f}x" if smallest else "",
                ]
            )
        print(
            c.table(
                ["report", "queries", "col 3", "p50 ms", "max ms", "/ baseline", "/ smallest"],
                rows,
                title=(
                    f"Reports at {s['size']:,} synthetic dossiers ({args.runs} runs after a "
                    f"warm-up, interleaved; other CPU {reports.get('other_cpu', 0):.0f} % of a "
                    "core)"
                ),
            )
        )
        for missing in reports["missing"]:
            print(f"NOTE: {missing} has no index_766/commune_ranking: the 766 index is skipped")
    if len(sizes) > 1:
        names = sizes[0]["reports"]["order"][1:]
        rows = []
        for s in sizes:
            data = s["counts"]["synthetic"] / max(1, first["counts"]["synthetic"])
            row: list[Any] = [f"{s['size']:,}", f"{data:.0f}x"]
            for name in names:
                st = s["reports"]["stats"].get(name)
                ref = first["reports"]["stats"].get(name)
                row.append(f"{st['p50']:.1f} ({st['p50'] / ref['p50']:.2f}x)" if st else "")
            rows.append(row)
        print(
            c.table(
                ["size", "data", *names],
                rows,
                title="The curve: p50 ms (and its ratio to the smallest size)",
            )
        )
    for s in sizes:
        tr = s["transitions"]
        on, off = tr["stats"]["with hook"], tr["stats"]["without"]
        q_on, q_off = tr["queries"]["with hook"], tr["queries"]["without"]
        rows = []
        for name in [*CALLS, "all"]:
            if name not in on or name not in off:
                continue
            qa, qb = q_on.get(name), q_off.get(name)
            if name == "all":
                qa = sum(q_on.values()) / len(CALLS)
                qb = sum(q_off.values()) / len(CALLS)
            rows.append(
                [
                    "all five (mean queries)" if name == "all" else name,
                    on[name]["p50"],
                    off[name]["p50"],
                    on[name]["p50"] - off[name]["p50"],
                    qa,
                    qb,
                    (qa or 0) - (qb or 0),
                ]
            )
        print(
            c.table(
                [
                    "transition",
                    "with hook p50 ms",
                    "without p50 ms",
                    "difference ms",
                    "queries with",
                    "without",
                    "extra queries",
                ],
                rows,
                title=(
                    f"Rollup maintenance per transition at {s['size']:,} dossiers "
                    f"({tr['n']} dossiers each way, alternating; other CPU "
                    f"{tr.get('other_cpu', 0):.0f} % of a core)"
                ),
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000", help="synthetic dossiers, e.g. 100000,1000000")
    parser.add_argument("--province", default="38", help="the province's agency code (38)")
    parser.add_argument("--end", help="last day of the history (default: today)")
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per report (7)")
    parser.add_argument("--transitions", type=int, default=100, help="dossiers each way (100)")
    parser.add_argument("--jobs", type=int, default=2, help="generating processes (2)")
    parser.add_argument("--database-url", help=f"default $DATABASE_URL or {DEFAULT_URL}")
    parser.add_argument("--quick", action="store_true", help="20,000 dossiers, 3 runs, 20 walks")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.transitions = "20000", 3, 20
    args.sizes = sorted({int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()})
    args.end = args.end or dt.date.today().isoformat()
    if args.child:
        return child(args)

    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_URL
    print("motcua bench: reports")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'psycopg')}")
    sizes = ", ".join(f"{s:,}" for s in args.sizes)
    print(f"sizes: {sizes}; history: {args.months} months to {args.end}")
    try:
        how = _ensure_database(url)
    except Exception as exc:  # reported; the bench always exits 0
        print(f"NOT OK — PostgreSQL at {url} is not reachable: {exc}")
        return 0
    print(f"database: {url} ({how}; kept after the run)")
    with c.temp_dir("reports") as tmp:
        env = c.bench_env(Path(tmp) / "data", "production") | {
            "DATABASE_URL": url,
            "MOTCUA_OUTBOX_MODE": "external",
        }
        try:
            print(f"prepared (migrate, load_reference) in {_prepare(env):.1f} s")
        except subprocess.CalledProcessError as exc:
            print(f"NOT OK — preparing the database failed:\n{(exc.stdout + exc.stderr)[-2000:]}")
            return 0
        out = Path(tmp) / "out.json"
        argv_child = [
            "--child",
            "--out",
            str(out),
            "--sizes",
            ",".join(map(str, args.sizes)),
            *("--province", args.province, "--end", args.end),
            *("--months", str(args.months), "--seed", str(args.seed)),
            *("--runs", str(args.runs), "--transitions", str(args.transitions)),
            *("--jobs", str(args.jobs)),
        ]
        started = time.perf_counter()
        done = subprocess.run(
            [c.PYTHON, __file__, *argv_child], env=env, cwd=c.ROOT, check=False
        )  # progress on stderr, as it goes
        took = time.perf_counter() - started
        result = json.loads(out.read_text()) if out.exists() else None
    if done.returncode != 0:
        print(f"NOT OK — the run failed (exit {done.returncode}); sizes done are shown below")
    if not result or not result["sizes"]:
        return 0
    print(f"run: {took / 60:.1f} min")
    with contextlib.suppress(Exception):
        _print(result, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
