"""Public dossier tracking (``GET /api/v1/public/dossiers/{code}?phone_last4=NNNN``) under the
production server, against the constant endpoint of the same server measured in the same run.

    .venv/bin/python bench/public_lookup.py [--quick] [--dossiers 200] [--requests N]
                                            [--levels 1,32] [--wrong-pct 10] [--workers 2]
                                            [--redis-url redis://127.0.0.1:6379/15]

Steps: ``motcua up --no-serve`` into a temporary data directory; a child process creates the
dossiers through the real services (procedure 1.004873 at the demo commune 14797, each with its
own phone number, spread over the six stages from "received" to "returned" so that the answers
carry 1–4 steps and 1–6 status changes); then the server exactly as ``motcua up`` launches it,
with the per-client limits raised (``MOTCUA_PUBLIC_LOOKUP_RATE`` and
``MOTCUA_PUBLIC_LOOKUP_FAIL_RATE`` = 1000000/m: every request of the load generator comes from
127.0.0.1) and the outbox left to an external worker (nothing is delivered during the run).

The lookups cycle through the dossiers; ``--wrong-pct`` of them (default 10 %) give wrong
digits and must answer 404 like an unknown code. Lookup and baseline (``/api/v1/health``: one
``SELECT 1``) are measured in interleaved samples in rotated order, after waiting for the shared
machine to be quiet, as ``bench/api_latency.py`` does. Prints p50/p90/p99, requests/s, server
CPU per request and the ratio lookup / baseline.

Then, on a fresh server with the default limits (30/m per client, 10 failed lookups/m), a short
burst shows the 429 answers: right digits first, then (on another fresh server) wrong digits,
then right digits again. With the default local-memory cache each server process counts on its
own; ``--redis-url`` repeats the bursts with the limits kept in Redis (shared by the workers;
each group then waits for the next clock minute, since Redis keeps the counts across servers).
Always exits 0 and stops its servers; statuses other than the expected are reported.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

BASELINE = ("health (baseline)", "/api/v1/health")
LOOKUP = "/api/v1/public/dossiers/{code}?phone_last4={digits}"
RAISED = {
    "MOTCUA_PUBLIC_LOOKUP_RATE": "1000000/m",
    "MOTCUA_PUBLIC_LOOKUP_FAIL_RATE": "1000000/m",
}


# --- setup child: dossiers through the services ----------------------------------------------
def setup_child(count: int, out: Path) -> int:
    import django

    django.setup()
    import dossier_throughput as lifecycle

    life = lifecycle.Lifecycle(webhook=False)
    made = []
    started = time.perf_counter()
    for i in range(count):
        upto = 1 + i % len(lifecycle.CALLS)  # received, in process (3 stages), resolved, returned
        d = life.walk(i, upto=upto)
        made.append({"code": d.code, "last4": lifecycle.phone(i)[-4:], "stage": upto})
    took = time.perf_counter() - started
    out.write_text(json.dumps({"dossiers": made, "seconds": took}))
    return 0


# --- load generator over a list of paths -----------------------------------------------------
@dataclass
class Request:
    path: str
    expect: int  # the status a correct server gives


def measure(
    targets: dict[str, list[Request]],
    *,
    port: int,
    server_pid: int,
    requests: int,
    concurrency: int,
    samples: int,
    deadline: float,
) -> dict[str, c.Agg]:
    """``_common.interleaved`` over request mixes (each request checked against the status it
    should get), keyed by target name."""
    aggs: dict[tuple[object, ...], c.Agg] = {}
    c.interleaved(
        [
            c.Target(
                (name,),
                port,
                tuple(r.path for r in reqs),
                server_pid,
                tuple(r.expect for r in reqs),
            )
            for name, reqs in targets.items()
        ],
        requests=requests,
        concurrency=concurrency,
        samples=samples,
        aggs=aggs,
        deadline=deadline,
    )
    return {name: aggs[(name,)] for name in targets}


def _pooled(agg: c.Agg, status: int) -> list[float]:
    return [x for r in agg.samples for x in r.by_status.get(status, [])]


def _unexpected(agg: c.Agg) -> Counter[str]:
    total: Counter[str] = Counter()
    for r in agg.samples:
        total.update(r.unexpected)
        total.update(r.errors)
    return total


# --- the rate-limit burst --------------------------------------------------------------------
def _wait_fresh_window(margin: float = 8.0, *, next_one: bool = False) -> None:
    """The limits count per clock minute: start a burst well inside one (or, with
    ``next_one``, at the start of the next one: counters kept in Redis outlive the server)."""
    left = 60 - time.time() % 60
    if next_one or left < margin:
        time.sleep(left + 0.3)


def burst(port: int, reqs: list[Request], n: int) -> c.Result:
    return c.load(
        port,
        [r.path for r in reqs],
        expect=[r.expect for r in reqs],
        requests=n,
        concurrency=32,
        warmup=0,  # a warm-up would spend the limit being shown
    )


# --- main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 requests per endpoint and level")
    parser.add_argument("--requests", type=int, help="requests per endpoint per level (2000)")
    parser.add_argument("--levels", default="1,32", help="concurrency levels (default 1,32)")
    parser.add_argument("--samples", type=int, help="interleaved samples per cell (4)")
    parser.add_argument("--dossiers", type=int, default=200, help="dossiers created (200)")
    parser.add_argument("--wrong-pct", type=int, default=10, help="lookups with wrong digits")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--redis-url", help="also run the 429 burst with the limits in Redis")
    parser.add_argument("--setup-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup_child:
        return setup_child(args.dossiers, Path(args.setup_child))
    n = args.requests or (400 if args.quick else 2000)
    samples = args.samples or (2 if args.quick else 4)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    started_all = time.perf_counter()

    print("motcua bench: public_lookup")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'django-ninja', 'granian')}")
    print(
        f"settings: MOTCUA_ENV=production, SQLite (WAL), {n} requests/endpoint/level in "
        f"{samples} samples, {args.wrong_pct} % of lookups with wrong digits"
    )
    print(f"load average at start: {c.loadavg()}")
    with c.temp_dir("lookup") as tmp:
        data_dir = Path(tmp) / "data"
        prep = c.prepare_data_dir(data_dir, "production")
        print(f"data: {prep.how} in {prep.seconds:.1f} s")
        if not prep.catalogue:
            print("NOT OK — the catalogue is needed to create dossiers")
            return 0
        env = dict(prep.env)
        env["MOTCUA_OUTBOX_MODE"] = "external"
        made_path = Path(tmp) / "dossiers.json"
        made, failure = c.run_child(
            __file__,
            ["--setup-child", str(made_path), "--dossiers", str(args.dossiers)],
            env,
            made_path,
        )
        if made is None:
            print(f"NOT OK — creating dossiers failed ({failure})")
            return 0
        dossiers = made["dossiers"]
        print(
            f"dossiers: {len(dossiers)} created through the services in {made['seconds']:.1f} s "
            f"(stages: {dict(sorted(Counter(d['stage'] for d in dossiers).items()))}; "
            f"e.g. {dossiers[0]['code']})"
        )
        lookups = _lookups(dossiers, args.wrong_pct)
        right = [r for r in lookups if r.expect == 200]
        wrong = [r for r in lookups if r.expect == 404]

        port = c.free_port()
        argv_server = c.production_server_argv(port, args.workers)
        print(f"server: {' '.join(argv_server[1:])}")
        print(f"server environment: {' '.join(f'{k}={v}' for k, v in RAISED.items())}")
        log = Path(tmp) / "server.log"
        summary: dict[int, tuple[c.Agg, c.Agg]] = {}
        with c.running_server(argv_server, env | RAISED, port, log) as server:
            probes = []
            for name, path in [
                BASELINE,
                ("lookup, right digits", right[0].path),
                ("lookup, wrong digits", wrong[0].path if wrong else right[0].path),
            ]:
                t0 = time.perf_counter()
                status, body = c.probe(port, path)
                probes.append((name, status, len(body), (time.perf_counter() - t0) * 1000, path))
            print(
                c.table(
                    ["request", "status", "bytes", "first request ms", "path"],
                    probes,
                    title="Probe (one request each, before the measurement)",
                )
            )
            if probes[1][1] != 200:
                print(f"NOT OK — the lookup answered {probes[1][1]}: {probes[1][4]}")
                print("server log (distinct errors):")
                for line in c.log_problems(log):
                    print(f"  {line}")
                return 0
            deadline = time.monotonic() + (60 if args.quick else 150)
            for level in levels:
                aggs = measure(
                    {
                        BASELINE[0]: [Request(BASELINE[1], 200)],
                        "public lookup (mix)": lookups,
                    },
                    port=port,
                    server_pid=server.pid,
                    requests=n,
                    concurrency=level,
                    samples=samples,
                    deadline=deadline,
                )
                base, look = aggs[BASELINE[0]], aggs["public lookup (mix)"]
                summary[level] = (base, look)
                _print_level(level, args.workers, base, look)
            memory = c.tree_memory(server.pid)
        print(
            f"server memory after the run: {memory.processes} processes, "
            f"RSS {memory.rss_mib:.0f} MiB, PSS {memory.pss_mib:.0f} MiB"
        )
        _print_summary(summary)

        # 429s with the default limits: fresh servers, fresh counters.
        rows = []
        caches = [("local memory (default)", None)]
        if args.redis_url:
            caches.append(("Redis", args.redis_url))
        for cache_name, redis in caches:
            env_default = dict(env)
            if redis:
                env_default["REDIS_URL"] = redis
            for phase in ("right", "wrong"):
                port = c.free_port()
                argv_server = c.production_server_argv(port, args.workers)
                log = Path(tmp) / f"server-limits-{phase}.log"
                with c.running_server(argv_server, env_default, port, log):
                    _wait_fresh_window(next_one=bool(redis))
                    if phase == "right":
                        res = burst(port, right, 120)
                        rows.append([cache_name, "120 right digits", res.status_text()])
                    else:
                        res = burst(port, wrong or right, 40)
                        rows.append([cache_name, "40 wrong digits", res.status_text()])
                        res = burst(port, right, 20)
                        rows.append([cache_name, "then 20 right digits", res.status_text()])
        print(
            c.table(
                ["limits kept in", "burst (32 clients, one address)", "statuses"],
                rows,
                title=f"Default limits (MOTCUA_PUBLIC_LOOKUP_RATE=30/m, "
                f"MOTCUA_PUBLIC_LOOKUP_FAIL_RATE=10/m), {args.workers} server workers, "
                "a fresh server for each group",
            )
        )
    print(f"load average at end: {c.loadavg()}")
    print(f"\ntotal bench time {time.perf_counter() - started_all:.0f} s")
    return 0


def _lookups(dossiers: list[dict], wrong_pct: int) -> list[Request]:
    out = []
    for k, d in enumerate(dossiers):
        code = urllib.parse.quote(d["code"], safe="")
        digits = d["last4"]
        expect = 200
        if wrong_pct and k % 100 < wrong_pct:
            digits = f"{(int(digits) + 1) % 10000:04d}"
            expect = 404
        out.append(Request(LOOKUP.format(code=code, digits=digits), expect))
    random.Random(3).shuffle(out)  # the wrong ones spread over the list, the same every run
    return out


def _print_level(level: int, workers: int, base: c.Agg, look: c.Agg) -> None:
    rows = []
    for name, agg in (("health (baseline)", base), ("public lookup (mix)", look)):
        rows.append(_row(name, agg, agg.pct(50), agg.pct(90), agg.pct(99), base))
    for status, label in ((200, "  of which 200 (found)"), (404, "  of which 404 (wrong digits)")):
        lat = _pooled(look, status)
        if lat:
            rows.append(
                [
                    label,
                    len(lat),
                    "",
                    c.percentile_ms(lat, 50),
                    c.percentile_ms(lat, 90),
                    c.percentile_ms(lat, 99),
                    "-",
                    "-",
                    "-",
                    f"{c.percentile_ms(lat, 50) / base.pct(50):.1f}x",
                ]
            )
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
            title=f"Concurrency {level} ({workers} workers)",
        )
    )
    for name, agg in (("baseline", base), ("lookup", look)):
        bad = _unexpected(agg)
        if bad:
            print(f"NOT OK — {name}: unexpected answers {dict(bad)}")


def _row(name: str, agg: c.Agg, p50: float, p90: float, p99: float, base: c.Agg) -> list:
    return [
        name,
        agg.requests,
        agg.status_text(),
        p50,
        p90,
        p99,
        agg.rps,
        agg.server_cpu_ms,
        agg.other_cpu_pct,
        f"{p50 / base.pct(50):.1f}x" if base.pct(50) else "-",
    ]


def _print_summary(summary: dict[int, tuple[c.Agg, c.Agg]]) -> None:
    rows = []
    for level, (base, look) in summary.items():
        rows.append(
            [
                level,
                look.pct(50),
                look.pct(99),
                look.rps,
                base.pct(50),
                base.pct(99),
                base.rps,
                f"{look.pct(50) / base.pct(50):.1f}x",
                f"{look.pct(99) / base.pct(99):.1f}x",
                f"{look.server_cpu_ms / base.server_cpu_ms:.1f}x",
                f"{statistics.fmean([look.other_cpu_pct, base.other_cpu_pct]):.0f}",
            ]
        )
    print(
        c.table(
            [
                "clients",
                "lookup p50 ms",
                "lookup p99 ms",
                "lookup req/s",
                "health p50 ms",
                "health p99 ms",
                "health req/s",
                "p50 ratio",
                "p99 ratio",
                "CPU/req ratio",
                "other CPU %",
            ],
            rows,
            title="Summary: public lookup against the constant endpoint",
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
