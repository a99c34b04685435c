"""Latency and throughput of the public API (and the public catalogue page) under the production
server, against a constant baseline endpoint measured in the same run.

    .venv/bin/python bench/api_latency.py [--quick] [--requests N] [--levels 1,8] [--workers 2]
                                          [--env production|development]

Steps: ``motcua up --no-serve`` into a temporary data directory (once), then the production server
exactly as ``motcua up`` launches it (the argv is taken from ``motcua.cli.serve``) on a free
127.0.0.1 port, wait for /api/v1/health, then for each concurrency level send a bounded number of
requests per endpoint from keep-alive ``http.client`` connections in threads. Prints p50/p90/p99,
requests/s, and each endpoint's p50 as a multiple of the baseline's p50 (/api/v1/health: one
``SELECT 1``, so the ratio is roughly "how much the endpoint's own work costs"). The endpoints
are measured in a few samples each, interleaved with the baseline's in rotated order, after
waiting for the (shared) machine to be quiet; req/s is the median of the samples, percentiles
are over the pooled latencies.
Always exits 0 and stops the server; a non-2xx answer is reported, never hidden.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

BASELINE = ("health (baseline)", "/api/v1/health")
ENDPOINTS = [
    ("catalogue search", "/api/v1/procedures?q=chung%20thuc"),
    ("agency list", "/api/v1/agencies?kind=commune&parent=38"),
    ("agency search", "/api/v1/agencies?q=hac%20thanh"),
    ("catalogue page", "/thu-tuc/?q=chung+thuc"),
    (
        "calendar due",
        "/api/v1/calendar/due?start=2026-11-20T15:30:00%2B07:00&amount=3&unit=working_days",
    ),
]
OPTIONAL = {"catalogue page"}  # measured only if it answers 200 (the page may not exist yet)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 requests per endpoint and level")
    parser.add_argument("--requests", type=int, help="requests per endpoint per level (400)")
    parser.add_argument("--levels", default="1,8", help="concurrency levels (default 1,8)")
    parser.add_argument("--samples", type=int, help="interleaved samples per cell (4)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--env", default="production", choices=["production", "development"])
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="experiment: serve with persistent DB connections (CONN_MAX_AGE seconds)",
    )
    args = parser.parse_args(argv)
    n = args.requests or (100 if args.quick else 400)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    started_all = time.perf_counter()

    print("motcua bench: api_latency")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'django-ninja', 'granian', 'gunicorn')}")
    conn = "per request" if args.conn_max_age is None else f"CONN_MAX_AGE={args.conn_max_age}"
    print(
        f"settings: MOTCUA_ENV={args.env}, SQLite (WAL), DB connections {conn}, "
        f"{n} requests/endpoint/level"
    )

    print(f"load average at start: {c.loadavg()}")
    with c.temp_dir("api") as tmp:
        data_dir = Path(tmp) / "data"
        prep = c.prepare_data_dir(data_dir, args.env)
        print(f"data: {prep.how} in {prep.seconds:.1f} s")
        port = c.free_port()
        argv_server = c.production_server_argv(port, args.workers)
        shown = " ".join(a for a in argv_server[1:])
        print(f"server: {shown}")
        log = Path(tmp) / "server.log"
        env = prep.env
        if args.conn_max_age is not None:
            env = c.with_conn_max_age(env, Path(tmp), args.conn_max_age)
        skipped: list[tuple[str, str, str]] = []
        with c.running_server(argv_server, env, port, log) as server:
            # First answer of each endpoint (cold caches in the worker that takes it).
            probes = []
            endpoints = []
            for name, path in [BASELINE, *ENDPOINTS]:
                t0 = time.perf_counter()
                status, body = c.probe(port, path)
                first_ms = (time.perf_counter() - t0) * 1000
                probes.append((name, status, len(body), first_ms, path))
                if name in OPTIONAL and status != 200:
                    skipped.append((name, path, f"answered {status}"))
                    continue
                if name != BASELINE[0]:
                    endpoints.append((name, path))
            print(
                c.table(
                    ["endpoint", "status", "bytes", "first request ms", "path"],
                    probes,
                    title="Probe (one request each, before the measurement)",
                )
            )
            for name, path, why in skipped:
                print(f"skipped: {name} {path} ({why})")

            summary = []
            aggs: dict[tuple[object, ...], c.Agg] = {}
            deadline = time.monotonic() + (45 if args.quick else 120)
            for level in levels:
                rows = []
                measured = [BASELINE, *endpoints]
                targets = [
                    c.Target((level, name), port, path, server.pid) for name, path in measured
                ]
                c.interleaved(
                    targets,
                    requests=n,
                    concurrency=level,
                    samples=args.samples or (2 if args.quick else 4),
                    aggs=aggs,
                    deadline=deadline,
                )
                base = aggs[(level, BASELINE[0])]
                for name, _path in measured:
                    res = aggs[(level, name)]
                    ratio = res.pct(50) / base.pct(50) if base.pct(50) else float("nan")
                    rows.append(
                        [
                            name,
                            res.requests,
                            res.status_text(),
                            res.pct(50),
                            res.pct(90),
                            res.pct(99),
                            res.rps,
                            res.server_cpu_ms,
                            res.other_cpu_pct,
                            f"{ratio:.1f}x",
                        ]
                    )
                    summary.append((level, name, res))
                print(
                    c.table(
                        [
                            "endpoint",
                            "n",
                            "statuses",
                            "p50 ms",
                            "p90 ms",
                            "p99 ms",
                            "req/s",
                            "server CPU ms/req",
                            "other CPU %",
                            "p50 / baseline",
                        ],
                        rows,
                        title=f"Concurrency {level} ({args.workers} workers)",
                    )
                )
            memory = c.tree_memory(server.pid)
        print(
            f"server memory after the run: {memory.processes} processes, "
            f"RSS {memory.rss_mib:.0f} MiB, PSS {memory.pss_mib:.0f} MiB"
        )
        failing = [(lvl, name, r) for lvl, name, r in summary if r.bad]
        if failing:
            print("\nNOT OK — endpoints answering errors (the latencies above are of errors):")
            for lvl, name, r in failing:
                print(f"  concurrency {lvl}: {name}: {r.status_text()}")
            print("server log (distinct errors):")
            for line in c.log_problems(log):
                print(f"  {line}")
    print(f"load average at end: {c.loadavg()}")
    print(f"\ntotal bench time {time.perf_counter() - started_all:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
