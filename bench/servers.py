"""Which production server: granian or gunicorn, measured on this app and this machine.

    .venv/bin/python bench/servers.py [--quick] [--requests N] [--levels 1,8,32] [--rounds R]
                                      [--env production|development]

One data directory (``motcua up --no-serve``) is shared by every server, so all of them serve
the same SQLite file. Each server is started in its own process group on a free 127.0.0.1 port,
warmed up, measured on the same endpoints at each concurrency level, then stopped:

* granian, WSGI interface, 2 workers, exactly as ``motcua up`` launches it (argv taken from
  ``motcua.cli.serve``: --blocking-threads 4);
* granian, WSGI, 2 workers, 1 blocking thread each (one request at a time per process);
* gunicorn sync, 2 workers (no keep-alive: every request opens a connection);
* gunicorn gthread, 2 workers x 4 threads (keep-alive).

Rounds visit the servers in rotated order and their latencies are pooled, so a burst of noise
on the machine does not land on one server only. Prints req/s, p50 and p99 per server with the
ratio to the best, server CPU per request (from /proc), and the memory of each server's process
tree (RSS and PSS from /proc). Always exits 0 and stops every server it started.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
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


@dataclass
class Cell:
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_cpu: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, res: c.Result) -> None:
        self.latencies += res.latencies
        self.requests += res.requests
        self.seconds += res.seconds
        self.server_cpu += res.server_cpu or 0.0
        self.client_cpu += res.client_cpu
        self.machine_cpu += res.machine_cpu
        for k, v in res.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + v
        for k, v in res.errors.items():
            self.errors[k] = self.errors.get(k, 0) + v

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        return c.Result(self.requests, 0, self.seconds, self.latencies).pct(q)

    @property
    def bad(self) -> int:
        return sum(v for k, v in self.statuses.items() if k >= 400) + sum(self.errors.values())

    @property
    def other_cpu_pct(self) -> float:
        other = self.machine_cpu - self.client_cpu - self.server_cpu
        return max(0.0, other) / self.seconds * 100 if self.seconds else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 requests per cell, 1 round")
    parser.add_argument("--requests", type=int, help="requests per cell per round (400)")
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels (default 1,8,32)")
    parser.add_argument("--rounds", type=int, help="rounds over all servers (default 3)")
    parser.add_argument("--env", default="production", choices=["production", "development"])
    args = parser.parse_args(argv)
    n = args.requests or (150 if args.quick else 400)
    rounds = args.rounds or (1 if args.quick else 3)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    started_all = time.perf_counter()

    print("motcua bench: servers")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'granian', 'gunicorn')}")
    print(
        f"settings: MOTCUA_ENV={args.env}, SQLite (WAL), {n} requests per cell per round, "
        f"{rounds} round(s), levels {levels}"
    )

    print(f"load average at start: {c.loadavg()}")
    cells: dict[tuple[str, str, int], Cell] = {}
    idle_mem: dict[str, c.Memory] = {}
    loaded_mem: dict[str, c.Memory] = {}
    startup: dict[str, float] = {}
    problems: dict[str, list[str]] = {}
    with c.temp_dir("servers") as tmp:
        data_dir = Path(tmp) / "data"
        prep = c.prepare_data_dir(data_dir, args.env)
        print(f"data: {prep.how} in {prep.seconds:.1f} s")
        names = [name for name, _ in server_configs(0)]
        for name, argv_server in server_configs(0):
            print(f"  {name}: {' '.join(argv_server[1:])}")
        for rnd in range(rounds):
            order = names[rnd % len(names) :] + names[: rnd % len(names)]
            for name in order:
                port = c.free_port()
                argv_server = dict(server_configs(port))[name]
                log = Path(tmp) / f"{name.split()[0]}-{rnd}-{port}.log"
                t0 = time.perf_counter()
                with c.running_server(argv_server, prep.env, port, log) as server:
                    startup.setdefault(name, time.perf_counter() - t0)
                    # warm every worker on every endpoint before measuring
                    for _label, path in ENDPOINTS:
                        c.load(port, path, requests=20, concurrency=4, warmup=0)
                    if rnd == 0:
                        idle_mem[name] = c.tree_memory(server.pid)
                    for level in levels:
                        for label, path in ENDPOINTS:
                            res = c.load(
                                port, path, requests=n, concurrency=level, server_pid=server.pid
                            )
                            cells.setdefault((name, label, level), Cell()).add(res)
                    mem = c.tree_memory(server.pid)
                    if name not in loaded_mem or mem.hwm_mib > loaded_mem[name].hwm_mib:
                        loaded_mem[name] = mem
                problems.setdefault(name, c.log_problems(log))
                print(f"  round {rnd + 1}: {name} done", flush=True)

    # --- report ----------------------------------------------------------------------------
    for level in levels:
        for label, path in ENDPOINTS:
            best = max(cells[(name, label, level)].rps for name in names)
            rows = []
            for name in names:
                cell = cells[(name, label, level)]
                statuses = " ".join(f"{k}x{v}" for k, v in sorted(cell.statuses.items()))
                statuses += "".join(f" {k}x{v}" for k, v in sorted(cell.errors.items()))
                rows.append(
                    [
                        name,
                        cell.requests,
                        statuses,
                        cell.rps,
                        f"{cell.rps / best:.2f}x" if best else "-",
                        cell.pct(50),
                        cell.pct(99),
                        cell.server_cpu / max(1, cell.requests) * 1000,
                        cell.client_cpu / cell.seconds * 100 if cell.seconds else 0.0,
                        cell.other_cpu_pct,
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
                    ],
                    rows,
                    title=f"{label} ({path}), concurrency {level}",
                )
            )

    # overall: geometric mean of req/s over every (endpoint, level) cell
    overall = {}
    for name in names:
        values = [cells[(name, label, lvl)].rps for label, _ in ENDPOINTS for lvl in levels]
        overall[name] = math.exp(sum(math.log(max(v, 1e-9)) for v in values) / len(values))
    best_all = max(overall.values())
    rows = []
    for name in names:
        p99_32 = max(cells[(name, label, levels[-1])].pct(99) for label, _ in ENDPOINTS)
        rows.append(
            [
                name,
                overall[name],
                f"{overall[name] / best_all:.2f}x",
                p99_32,
                startup[name],
                idle_mem[name].processes,
                idle_mem[name].rss_mib,
                idle_mem[name].pss_mib,
                loaded_mem[name].rss_mib,
                loaded_mem[name].pss_mib,
                loaded_mem[name].hwm_mib,
            ]
        )
    print(
        c.table(
            [
                "server",
                "geomean req/s",
                "vs best",
                f"worst p99 ms @{levels[-1]}",
                "start s",
                "procs",
                "idle RSS MiB",
                "idle PSS MiB",
                "loaded RSS MiB",
                "loaded PSS MiB",
                "peak RSS MiB",
            ],
            rows,
            title="Summary (geometric mean of req/s over all endpoints and levels; memory of the "
            "whole process tree)",
        )
    )
    bad = [(k, v) for k, v in cells.items() if v.bad]
    if bad:
        print("NOT OK — error answers were measured (their figures are of the error path):")
        for (name, label, level), cell in bad:
            print(f"  {name} / {label} / concurrency {level}: {cell.bad} of {cell.requests}")
        for name, lines in problems.items():
            for line in lines:
                print(f"  [{name}] {line}")
    print(
        "columns: CPU ms/req = user+system CPU of the server's process tree per request; "
        "client CPU % and other CPU % = share of one core used by the load generator and by "
        "anything else on the machine during the measurement (noise indicator)."
    )
    print(f"load average at end: {c.loadavg()}")
    print(f"\ntotal bench time {time.perf_counter() - started_all:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
