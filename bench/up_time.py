"""How long ``motcua up --no-serve`` takes on a fresh machine (cold) and on an already-installed
one (warm: the idempotent re-run), and where that time goes.

    .venv/bin/python bench/up_time.py [--quick] [--runs N] [--env development|production]

* cold: ``motcua up --no-serve`` into a new, empty data directory (migrate + full load), N times;
* warm: ``motcua up --no-serve`` again on the same, already-installed directory, N times;
* phases: the steps of ``up`` timed one by one in a child process (interpreter start and
  ``django.setup()``, migrate, ``load_administrative_units()``, ``load_seed_catalog()``,
  demo accounts, collectstatic), cold on a fresh directory and warm on a loaded one, N times.
  The ``load_administrative_units()`` row is that function alone.

Default N is 3 (1 with --quick); min and median are printed. The default environment is
``development``, which is what a commune gets from a plain ``motcua up`` (demo accounts included).
Also reports what each re-run changed (a warm run should create and update nothing).
Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

# Runs in a child process so that "cold" really starts from a new interpreter.
PHASES = r"""
import json, os, sys, time
t0 = time.perf_counter()
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
out = {"python + django.setup()": time.perf_counter() - t0 + float(sys.argv[1])}
def step(name, fn):
    t = time.perf_counter(); result = fn(); out[name] = time.perf_counter() - t; return result
settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
step("migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
from motcua.org.services.reference import load_administrative_units
units = step("load_administrative_units()", load_administrative_units)
from motcua.catalog.services.transfer import load_seed_catalog
cat = step("load_seed_catalog()", load_seed_catalog)
if not settings.PRODUCTION:
    import io
    step("load_demo (demo accounts)", lambda: call_command("load_demo", stdout=io.StringIO()))
step("collectstatic", lambda: call_command("collectstatic", interactive=False, verbosity=0))
out["_units_created"] = units.created
out["_catalogue"] = (
    f"{len(cat.created)} created, {len(cat.updated)} updated, {len(cat.unchanged)} unchanged"
)
print("PHASES " + json.dumps(out))
"""


def run_up(data_dir: Path, env: dict[str, str]) -> tuple[float, str, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [c.MOTCUA, "up", "--no-serve", "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    took = time.perf_counter() - started
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return took, f"FAILED ({proc.returncode}): {tail[:150]}", proc.stdout + proc.stderr
    changes = []
    for pattern in (r"agencies: .*\((\d+ created)\)", r"procedures: (.*)"):
        m = re.search(pattern, proc.stdout)
        if m:
            changes.append(m.group(1).strip())
    return took, "; ".join(changes), proc.stdout


def run_phases(env: dict[str, str]) -> dict[str, object]:
    # interpreter start-up is measured from outside: time to run an empty program
    t0 = time.perf_counter()
    subprocess.run([c.PYTHON, "-c", "pass"], check=True)
    bare = time.perf_counter() - t0
    proc = subprocess.run(
        [c.PYTHON, "-c", PHASES, f"{bare:.6f}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("PHASES "):
            return json.loads(line[len("PHASES ") :])
    tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
    return {"_error": tail[:200]}


def stats(values: list[float]) -> tuple[int, float, float, float]:
    return len(values), min(values), statistics.median(values), max(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run of each")
    parser.add_argument("--runs", type=int, help="runs of each (default 3)")
    parser.add_argument("--env", default="development", choices=["development", "production"])
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    started_all = time.perf_counter()

    print("motcua bench: up_time")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'vietnam-provinces')}")
    print(f"settings: MOTCUA_ENV={args.env}, SQLite (WAL), {runs} run(s) of each")

    print(f"load average at start: {c.loadavg()}")
    cold: list[float] = []
    warm: list[float] = []
    notes: list[tuple[str, int, float, str]] = []
    phase_cold: list[dict[str, object]] = []
    phase_warm: list[dict[str, object]] = []
    with c.temp_dir("up") as tmp:
        last = None
        for i in range(runs):
            data_dir = Path(tmp) / f"cold-{i}"
            env = c.bench_env(data_dir, args.env)
            took, changed, _out = run_up(data_dir, env)
            cold.append(took)
            notes.append(("cold", i + 1, took, changed))
            last = (data_dir, env)
        assert last is not None
        for i in range(runs):
            took, changed, _out = run_up(*last)
            warm.append(took)
            notes.append(("warm", i + 1, took, changed))
        for i in range(runs):
            env = c.bench_env(Path(tmp) / f"phases-{i}", args.env)
            phase_cold.append(run_phases(env))
            phase_warm.append(run_phases(env))

    print(
        c.table(
            ["run", "#", "seconds", "what it changed"],
            notes,
            title="motcua up --no-serve, each run",
        )
    )
    print(
        c.table(
            ["motcua up --no-serve", "runs", "min s", "median s", "max s"],
            [["cold (fresh data dir)", *stats(cold)], ["warm (re-run, same dir)", *stats(warm)]],
            title="Totals (wall clock, including interpreter start)",
        )
    )
    errors = [p["_error"] for p in phase_cold + phase_warm if "_error" in p]
    keys = [k for k in (phase_cold[0] if "_error" not in phase_cold[0] else {}) if k[0] != "_"]
    rows = []
    for key in keys:
        cv = [float(p[key]) for p in phase_cold if key in p]
        wv = [float(p[key]) for p in phase_warm if key in p]
        rows.append([key, min(cv), statistics.median(cv), min(wv), statistics.median(wv)])
    if rows:
        rows.append(
            [
                "sum of phases",
                sum(r[1] for r in rows),
                sum(r[2] for r in rows),
                sum(r[3] for r in rows),
                sum(r[4] for r in rows),
            ]
        )
        print(
            c.table(
                ["phase", "cold min s", "cold median s", "warm min s", "warm median s"],
                rows,
                title="Phases of up (child process; warm = the same steps again on the loaded dir)",
            )
        )
        changes = sorted({str(p.get("_catalogue")) for p in phase_warm})
        print(f"catalogue on warm re-runs: {', '.join(changes)}")
    for err in errors:
        print(f"phase run failed: {err}")
    print(f"load average at end: {c.loadavg()}")
    print(f"\ntotal bench time {time.perf_counter() - started_all:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
