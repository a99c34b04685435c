"""Which production server: granian or gunicorn, measured on this app and this machine.

    .venv/bin/python bench/servers.py [--quick] [--requests N] [--samples S] [--levels 1,8,32]
                                      [--env production|development]

One data directory (``motcua up --no-serve``) is shared by every server, so all of them serve
the same SQLite file. The servers run side by side, each in its own process group on a free
127.0.0.1 port (an idle server costs nothing measurable), and are measured on the same endpoints
at each concurrency level:

* granian, WSGI interface, 2 workers, exactly as ``motcua up`` launches it (argv taken from
  ``motcua.cli.serve``: --blocking-threads 4);
* granian, WSGI, 2 workers, 1 blocking thread each (one request at a time per process);
* gunicorn sync, 2 workers (no keep-alive: every request opens a connection);
* gunicorn gthread, 2 workers x 4 threads (keep-alive).

The machine is shared, so each cell (server, endpoint, level) is measured in S short samples,
interleaved with the other servers' samples in rotated order; a sample during which other
processes used more than half a core is re-taken (bounded). req/s is the median of the samples,
p50/p99 are over the pooled latencies, and server CPU per request (from /proc) is given as the
noise-robust measure of cost. Also prints the memory of each server's process tree (RSS and PSS
from /proc). Always exits 0 and stops every server it started.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

APP = "motcua.config.wsgi:application"
ENDPOINTS = [
    ("health", "/api/v1/health"),
    ("catalogue search", "/api/v1/procedures?q=chung%20thuc"),
    ("agency list", "/api/v1/agencies?kind=commune&parent=38"),
]


def server_configs(port: int) -> list[tuple[str, list[str]]]:
    bind = f"{c.HOST}:{port}"
    gunicorn = [c.PYTHON, "-m", "gunicorn", "--bind", bind, "--workers", "2"]
    granian_cli = c.production_server_argv(port, 2)
    granian_1 = [
        c.PYTHON, "-m", "granian", "--interface", "wsgi", "--host", c.HOST, "--port", str(port),
        "--workers", "2", "--blocking-threads", "1", "--no-ws", APP,
    ]  # fmt: skip
    return [
        ("granian wsgi w2 bt4 (motcua up)", granian_cli),
        ("granian wsgi w2 bt1", granian_1),
        ("gunicorn sync w2", [*gunicorn, "--worker-class", "sync", APP]),
        ("gunicorn gthread w2 t4", [*gunicorn, "--worker-class", "gthread", "--threads", "4", APP]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 requests per cell, 2 samples")
    parser.add_argument("--requests", type=int, help="requests per cell (default 600)")
    parser.add_argument("--samples", type=int, help="samples per cell (default 5)")
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels (default 1,8,32)")
    parser.add_argument("--env", default="production", choices=["production", "development"])
    args = parser.parse_args(argv)
    n = args.requests or (150 if args.quick else 600)
    samples = args.samples or (2 if args.quick else 5)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    started_all = time.perf_counter()
    retry_deadline = time.monotonic() + (60 if args.quick else 240)

    print("motcua bench: servers")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'granian', 'gunicorn')}")
    print(
        f"settings: MOTCUA_ENV={args.env}, SQLite (WAL), {n} requests per cell in {samples} "
        f"interleaved samples, levels {levels}"
    )
    print(f"load average at start: {c.loadavg()}")

    aggs: dict[tuple[object, ...], c.Agg] = {}
    idle_mem: dict[str, c.Memory] = {}
    loaded_mem: dict[str, c.Memory] = {}
    startup: dict[str, float] = {}
    problems: dict[str, list[str]] = {}
    with c.temp_dir("servers") as tmp, contextlib.ExitStack() as stack:
        data_dir = Path(tmp) / "data"
        prep = c.prepare_data_dir(data_dir, args.env)
        print(f"data: {prep.how} in {prep.seconds:.1f} s")
        ports = {name: c.free_port() for name, _ in server_configs(0)}
        names = list(ports)
        servers = {}
        logs = {}
        for name, port in ports.items():
            argv_server = dict(server_configs(port))[name]
            print(f"  {name}: {' '.join(argv_server[1:])}")
            logs[name] = Path(tmp) / f"{name.split()[0]}-{port}.log"
            t0 = time.perf_counter()
            servers[name] = stack.enter_context(
                c.running_server(argv_server, prep.env, port, logs[name])
            )
            startup[name] = time.perf_counter() - t0
        for name, port in ports.items():  # warm every worker on every endpoint
            for _label, path in ENDPOINTS:
                c.load(port, path, requests=40, concurrency=4, warmup=0)
            idle_mem[name] = c.tree_memory(servers[name].pid)
        for level in levels:
            for label, path in ENDPOINTS:
                targets = [
                    c.Target((name, label, level), ports[name], path, servers[name].pid)
                    for name in names
                ]
                c.interleaved(
                    targets,
                    requests=n,
                    concurrency=level,
                    samples=samples,
                    aggs=aggs,
                    deadline=retry_deadline,
                )
                print(f"  measured {label} at concurrency {level}", flush=True)
        for name in names:
            loaded_mem[name] = c.tree_memory(servers[name].pid)
            problems[name] = c.log_problems(logs[name])

    # --- report ----------------------------------------------------------------------------
    for level in levels:
        for label, path in ENDPOINTS:
            best = max(aggs[(name, label, level)].rps for name in names)
            rows = []
            for name in names:
                agg = aggs[(name, label, level)]
                rows.append(
                    [
                        name,
                        agg.requests,
                        agg.status_text(),
                        agg.rps,
                        f"{agg.rps / best:.2f}x" if best else "-",
                        agg.pct(50),
                        agg.pct(99),
                        agg.server_cpu_ms,
                        agg.client_cpu_pct,
                        agg.other_cpu_pct,
                        agg.retried,
                    ]
                )
            print(
                c.table(
                    [
                        "server",
                        "n",
                        "statuses",
                        "req/s",
                        "vs best",
                        "p50 ms",
                        "p99 ms",
                        "server CPU ms/req",
                        "client CPU %",
                        "other CPU %",
                        "re-taken",
                    ],
                    rows,
                    title=f"{label} ({path}), concurrency {level}",
                )
            )

    def geomean(values: list[float]) -> float:
        return math.exp(sum(math.log(max(v, 1e-9)) for v in values) / len(values))

    cells = [(label, lvl) for label, _ in ENDPOINTS for lvl in levels]
    overall = {name: geomean([aggs[(name, *cell)].rps for cell in cells]) for name in names}
    cpu = {name: geomean([aggs[(name, *cell)].server_cpu_ms for cell in cells]) for name in names}
    best_all = max(overall.values())
    best_cpu = min(cpu.values())
    rows = []
    for name in names:
        rows.append(
            [
                name,
                overall[name],
                f"{overall[name] / best_all:.2f}x",
                cpu[name],
                f"{cpu[name] / best_cpu:.2f}x",
                max(aggs[(name, label, levels[-1])].pct(99) for label, _ in ENDPOINTS),
                startup[name],
                idle_mem[name].processes,
                idle_mem[name].rss_mib,
                idle_mem[name].pss_mib,
                loaded_mem[name].rss_mib,
                loaded_mem[name].pss_mib,
            ]
        )
    print(
        c.table(
            [
                "server",
                "geomean req/s",
                "vs best",
                "geomean CPU ms/req",
                "vs cheapest",
                f"worst p99 ms @{levels[-1]}",
                "start s",
                "procs",
                "idle RSS MiB",
                "idle PSS MiB",
                "loaded RSS MiB",
                "loaded PSS MiB",
            ],
            rows,
            title="Summary (geometric means over all endpoints and levels; memory of the whole "
            "process tree)",
        )
    )
    bad = [(k, v) for k, v in aggs.items() if v.bad]
    if bad:
        print("NOT OK — error answers were measured (their figures are of the error path):")
        for key, agg in bad:
            print(f"  {' / '.join(map(str, key))}: {agg.bad} of {agg.requests}")
        for name, lines in problems.items():
            for line in lines:
                print(f"  [{name}] {line}")
    print(
        "columns: server CPU ms/req = user+system CPU of the server's process tree per request; "
        "client CPU % and other CPU % = share of one core used by the load generator and by "
        "anything else on the machine during the samples (noise indicator); re-taken = samples "
        "measured again because other work used more than half a core."
    )
    print(f"load average at end: {c.loadavg()}")
    print(f"\ntotal bench time {time.perf_counter() - started_all:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
