"""Shared machinery for the benchmarks in ``bench/``.

Everything here is deliberately stdlib-only: a bounded HTTP load generator built on
``http.client`` keep-alive connections and ``concurrent.futures`` threads, helpers to prepare a
data directory with ``motcua up --no-serve``, to start a server in its own process group and to
stop it (always), and to read CPU time and memory of a process tree from ``/proc``.

Nothing here asserts on timings: the benchmarks print figures, they never fail on them.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
MOTCUA = str(VENV_BIN / "motcua")
HOST = "127.0.0.1"  # load is only ever sent to loopback
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# --- environment and data directory ----------------------------------------------------------
def bench_env(data_dir: Path, mode: str = "production") -> dict[str, str]:
    """Environment for the app: its own data directory, and production settings by default
    (DEBUG off, as a real deployment), with a throw-away secret key."""
    env = dict(os.environ)
    env["MOTCUA_DATA_DIR"] = str(data_dir)
    env["MOTCUA_ENV"] = mode
    env["MOTCUA_LOG_LEVEL"] = "WARNING"
    env["DJANGO_SETTINGS_MODULE"] = "motcua.config.settings"
    if mode == "production":
        env["SECRET_KEY"] = secrets.token_urlsafe(64)
    else:
        env.pop("SECRET_KEY", None)
    env.pop("DATABASE_URL", None)  # always the embedded SQLite of the data directory
    env.pop("REDIS_URL", None)
    return env


@dataclass
class Prepared:
    data_dir: Path
    env: dict[str, str]
    seconds: float
    how: str  # "motcua up --no-serve" or the fallback description
    catalogue: bool  # whether the procedure catalogue was loaded
    log: str = ""


def prepare_data_dir(
    data_dir: Path, mode: str = "production", extra_env: dict[str, str] | None = None
) -> Prepared:
    """Run ``motcua up --no-serve`` into ``data_dir`` (``extra_env`` e.g. a ``DATABASE_URL``).
    If that fails (e.g. the seed catalogue is not there yet), fall back to migrate +
    administrative units + collectstatic so the server can still be measured; the caller reports
    which path was taken."""
    env = bench_env(data_dir, mode) | (extra_env or {})
    started = time.perf_counter()
    up = subprocess.run(
        [MOTCUA, "up", "--no-serve", "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    took = time.perf_counter() - started
    if up.returncode == 0:
        return Prepared(data_dir, env, took, "motcua up --no-serve", True, up.stdout)
    started = time.perf_counter()
    script = (
        "from motcua.org.services.reference import load_administrative_units as l; l(); "
        "from django.core.management import call_command as c; "
        "c('collectstatic', interactive=False, verbosity=0)"
    )
    for argv in (["manage", "migrate", "-v0"], ["manage", "shell", "-c", script]):
        subprocess.run(
            [MOTCUA, *argv], env=env, capture_output=True, text=True, timeout=300, check=True
        )
    took = time.perf_counter() - started
    reason = (up.stderr.strip().splitlines() or ["?"])[-1][:160]
    return Prepared(
        data_dir,
        env,
        took,
        f"fallback: migrate + load_administrative_units + collectstatic (up failed: {reason})",
        False,
        up.stdout + up.stderr,
    )


def run_child(
    script: str, args: Sequence[str], env: dict[str, str], out: Path, *, timeout: int = 600
) -> tuple[Any, str]:
    """Run ``script`` with ``args`` in a child process (the set-up or measurement part of a
    bench, with Django set up there; ``args`` tell it to write ``out``) and read the JSON it
    wrote there. Returns (data, "") or (None, the tail of its output)."""
    done = subprocess.run(
        [PYTHON, script, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        return None, f"exit {done.returncode}:\n{(done.stdout + done.stderr)[-2000:]}"
    return json.loads(out.read_text()), ""


def with_conn_max_age(env: dict[str, str], where: Path, seconds: int) -> dict[str, str]:
    """An experiment, not a configuration: the same settings with persistent database
    connections (``CONN_MAX_AGE``), through a settings module written into ``where``."""
    module = "motcua_bench_settings"
    (where / f"{module}.py").write_text(
        "from motcua.config.settings import *  # noqa: F403\n"
        f"DATABASES['default']['CONN_MAX_AGE'] = {seconds}  # noqa: F405\n"
        "DATABASES['default']['CONN_HEALTH_CHECKS'] = True  # noqa: F405\n"
    )
    env = dict(env)
    env["DJANGO_SETTINGS_MODULE"] = module
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(where), env.get("PYTHONPATH", "")) if p)
    return env


def temp_dir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=f"motcua-bench-{prefix}-")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_server_argv(port: int, workers: int) -> list[str]:
    """The exact command ``motcua up`` execs to serve, captured from ``motcua.cli.serve`` so the
    benchmark follows the CLI if the server choice ever changes."""
    from motcua import cli

    captured: list[str] = []

    def fake_execv(path: str, argv: Sequence[str]) -> None:
        captured.extend(argv)

    real_execv = cli.os.execv
    cli.os.execv = fake_execv  # type: ignore[assignment]
    try:
        with contextlib.redirect_stdout(open(os.devnull, "w")):
            cli.serve(host=HOST, port=port, workers=workers)
    finally:
        cli.os.execv = real_execv  # type: ignore[assignment]
    return captured


# --- server processes ------------------------------------------------------------------------
_LIVE: set[subprocess.Popen[bytes]] = set()


def _kill_group(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # the group may still hold workers even after the leader exited
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    _LIVE.discard(proc)


def _kill_all() -> None:
    for proc in list(_LIVE):
        _kill_group(proc)


def _on_signal(signum: int, frame: object) -> None:
    _kill_all()
    raise SystemExit(128 + signum)


atexit.register(_kill_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


@contextlib.contextmanager
def running_server(
    argv: Sequence[str], env: dict[str, str], port: int, log_path: Path, timeout: float = 60.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` in a new session (its own process group), wait until /api/v1/health
    answers 200, yield, and always kill the whole group afterwards."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            list(argv),
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _LIVE.add(proc)
    try:
        wait_healthy(proc, port, timeout, log_path)
        yield proc
    finally:
        _kill_group(proc)


def wait_healthy(proc: subprocess.Popen[bytes], port: int, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server exited with {proc.returncode}:\n{tail}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} not healthy after {timeout:.0f} s")


def probe(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": HOST})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


# --- /proc: process tree, CPU, memory --------------------------------------------------------
def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of the live processes of the tree."""
    total = 0
    for p in process_tree(pid):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def system_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


def wait_quiet(max_wait: float, threshold: float = 0.3, step: float = 0.25) -> float:
    """Wait (at most ``max_wait`` seconds) until the machine, on which our servers are idle at
    this point, uses less than ``threshold`` of a core for ``step`` seconds. Returns the wait."""
    started = time.monotonic()
    while True:
        before = system_busy_seconds()
        time.sleep(step)
        if (system_busy_seconds() - before) / step < threshold:
            break
        if time.monotonic() - started >= max_wait:
            break
    return time.monotonic() - started


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Memory:
    processes: int
    rss_mib: float  # sum of resident sets (counts shared pages once per process)
    pss_mib: float  # proportional set size: shared pages split between processes
    hwm_mib: float  # sum of each process's peak resident set


def tree_memory(pid: int) -> Memory:
    rss = pss = hwm = 0
    count = 0
    for p in process_tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        count += 1
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1])
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return Memory(count, rss / 1024, pss / 1024, hwm / 1024)


# --- load generator --------------------------------------------------------------------------
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def softhsm_token(work: Path, label: str, pin: str, so_pin: str) -> bool:
    """A fresh SoftHSM2 token of the benchmark's own under ``work`` (``SOFTHSM2_CONF`` is set
    before the module is first loaded); False, and nothing done, without Debian's softhsm2."""
    if not Path(SOFTHSM_MODULE).exists() or shutil.which("softhsm2-util") is None:
        return False
    (work / "tokens").mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {work / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    init = ("softhsm2-util", "--init-token", "--free", "--label", label)
    subprocess.run(
        [*init, "--pin", pin, "--so-pin", so_pin],
        check=True,
        capture_output=True,
    )
    return True


def latency_table(times: Mapping[str, Sequence[float]], baseline: str, *, unit: str) -> str:
    """A Markdown table of per-mode latencies (seconds): how many, p50, p99, max, and the p50
    as a multiple of the ``baseline`` mode's; ``unit`` names what was counted."""
    base = percentile_ms(times[baseline], 50)
    rows = [
        [
            name,
            len(values),
            percentile_ms(values, 50),
            percentile_ms(values, 99),
            max(values) * 1000,
            f"{percentile_ms(values, 50) / base:,.1f}x" if base else "",
        ]
        for name, values in times.items()
    ]
    return table(["mode", unit, "p50 ms", "p99 ms", "max ms", "p50 / baseline"], rows)


def percentile_ms(latencies: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of latencies in seconds, returned in milliseconds."""
    if not latencies:
        return float("nan")
    ordered = sorted(latencies)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1] * 1000


@dataclass
class Result:
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float]  # seconds, successful and failed alike
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    bytes: int = 0
    client_cpu: float = 0.0  # CPU seconds the client process spent
    server_cpu: float | None = None  # CPU seconds of the server process tree
    machine_cpu: float = 0.0  # busy CPU seconds of the whole machine
    by_status: dict[int, list[float]] = field(default_factory=dict)  # latencies per status
    unexpected: Counter[str] = field(default_factory=Counter)  # "<got> for <expected>"

    @property
    def other_cpu_pct(self) -> float:
        """CPU used by neither the server nor the client (other work on the machine), as a
        percentage of one core over the measurement."""
        other = self.machine_cpu - self.client_cpu - (self.server_cpu or 0.0)
        return max(0.0, other) / self.seconds * 100 if self.seconds else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        """Percentile in milliseconds (nearest-rank)."""
        if not self.latencies:
            return float("nan")
        return percentile_ms(self.latencies, q)

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def bad(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 400) + sum(self.errors.values())

    def status_text(self) -> str:
        parts = [f"{s}x{n}" for s, n in sorted(self.statuses.items())]
        parts += [f"{e}x{n}" for e, n in sorted(self.errors.items())]
        return " ".join(parts)


def load(
    port: int,
    path: str | Sequence[str],
    *,
    requests: int,
    concurrency: int,
    warmup: int = 10,
    server_pid: int | None = None,
    timeout: float = 30.0,
    max_seconds: float = 60.0,
    expect: Sequence[int] | None = None,
    start: int = 0,
    headers: Mapping[str, str] | None = None,
) -> Result:
    """Send exactly ``requests`` GETs (fewer if ``max_seconds`` runs out) from ``concurrency``
    threads, each with its own keep-alive connection (re-opened when the server closes it).
    Latency is measured per request from sending to the last byte of the body.

    ``path`` may be a list: request ``k`` then goes to ``path[(start + k) % len(path)]`` and,
    with ``expect`` (one status per path), its status is checked against the expected one;
    answers that differ are counted in ``Result.unexpected``."""
    paths = [path] if isinstance(path, str) else list(path)
    expected = list(expect) if expect is not None else None
    if expected is not None and len(expected) != len(paths):
        raise ValueError("one expected status per path")
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    by_status: dict[int, list[float]] = {}
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    unexpected: Counter[str] = Counter()
    received = [0]
    deadline = [float("inf")]  # set once the clock starts

    def next_ticket() -> int | None:
        with lock:
            if time.perf_counter() > deadline[0]:
                return None
            return next(counter, None)

    def worker(n_warm: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        sent = {"Host": HOST, "Accept-Encoding": "identity", **(headers or {})}
        try:
            for k in range(n_warm):
                with contextlib.suppress(OSError, http.client.HTTPException):
                    conn.request("GET", paths[(start + k) % len(paths)], headers=sent)
                    conn.getresponse().read()
            barrier.wait(timeout=120)
            while (ticket := next_ticket()) is not None:
                index = (start + ticket) % len(paths)
                started = time.perf_counter()
                try:
                    conn.request("GET", paths[index], headers=sent)
                    resp = conn.getresponse()
                    body = resp.read()
                    took = time.perf_counter() - started
                    with lock:
                        latencies.append(took)
                        by_status.setdefault(resp.status, []).append(took)
                        statuses[resp.status] += 1
                        received[0] += len(body)
                        if expected is not None and resp.status != expected[index]:
                            unexpected[f"{resp.status} for {expected[index]}"] += 1
                    if resp.will_close:
                        conn.close()
                except (OSError, http.client.HTTPException) as exc:
                    took = time.perf_counter() - started
                    conn.close()
                    with lock:
                        latencies.append(took)
                        errors[type(exc).__name__] += 1
        finally:
            conn.close()

    barrier = threading.Barrier(concurrency + 1)
    per_thread_warm = max(1, warmup // concurrency) if warmup else 0
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(worker, per_thread_warm) for _ in range(concurrency)]
        barrier.wait(timeout=120)
        cpu0 = time.process_time()
        srv0 = tree_cpu_seconds(server_pid) if server_pid else None
        sys0 = system_busy_seconds()
        started = time.perf_counter()
        deadline[0] = started + max_seconds
        for f in futures:
            f.result()
        seconds = time.perf_counter() - started
        cpu1 = time.process_time()
        srv1 = tree_cpu_seconds(server_pid) if server_pid else None
        sys1 = system_busy_seconds()
    return Result(
        requests=len(latencies),
        concurrency=concurrency,
        seconds=seconds,
        latencies=latencies,
        statuses=statuses,
        errors=errors,
        bytes=received[0],
        client_cpu=cpu1 - cpu0,
        server_cpu=(srv1 - srv0) if srv0 is not None and srv1 is not None else None,
        machine_cpu=sys1 - sys0,
        by_status=by_status,
        unexpected=unexpected,
    )


@dataclass
class Agg:
    """Several samples of one (server, endpoint, concurrency) cell, taken interleaved with the
    other cells. req/s is the median of the samples' rates (robust to a burst of other work on
    the machine); percentiles are over all the samples' latencies pooled."""

    samples: list[Result] = field(default_factory=list)
    retried: int = 0  # samples re-taken because the machine was busy with other work
    waited: float = 0.0  # seconds spent waiting for the machine to be quiet before samples

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.samples)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.samples)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.samples) if self.samples else 0.0

    def pct(self, q: float) -> float:
        return percentile_ms([x for r in self.samples for x in r.latencies], q)

    @property
    def server_cpu_ms(self) -> float:
        cpu = sum(r.server_cpu or 0.0 for r in self.samples)
        return cpu / self.requests * 1000 if self.requests else float("nan")

    @property
    def client_cpu_pct(self) -> float:
        cpu = sum(r.client_cpu for r in self.samples)
        return cpu / self.seconds * 100 if self.seconds else 0.0

    @property
    def other_cpu_pct(self) -> float:
        other = sum(r.other_cpu_pct * r.seconds for r in self.samples)
        return other / self.seconds if self.seconds else 0.0

    @property
    def bad(self) -> int:
        return sum(r.bad for r in self.samples)

    def status_text(self) -> str:
        statuses: Counter[str] = Counter()
        for r in self.samples:
            statuses.update({str(k): v for k, v in r.statuses.items()})
            statuses.update(r.errors)
        return " ".join(f"{k}x{v}" for k, v in sorted(statuses.items()))


@dataclass(frozen=True)
class Target:
    key: tuple[object, ...]
    port: int
    path: str | tuple[str, ...]  # several: a mix, taken in turn (see ``load``)
    server_pid: int | None = None
    expect: tuple[int, ...] | None = None  # the status a correct server gives for each path
    headers: tuple[tuple[str, str], ...] = ()  # e.g. the session cookie of a signed-in person


def interleaved(
    targets: Sequence[Target],
    *,
    requests: int,
    concurrency: int,
    samples: int,
    aggs: dict[tuple[object, ...], Agg],
    max_other_pct: float = 50.0,
    retries: int = 2,
    deadline: float | None = None,
) -> None:
    """Measure every target ``samples`` times, ``requests // samples`` requests each time,
    visiting the targets in an order rotated at every round so that other work on the machine
    falls on all of them alike. Before each sample, wait (up to 3 s) for the machine to be
    quiet; a sample during which other processes used more than ``max_other_pct`` of a core is
    taken again (at most ``retries`` times). Waiting and re-taking stop at ``deadline`` (a
    ``time.monotonic()`` value), which bounds the run. The least disturbed attempt is kept."""
    per_sample = max(1, requests // samples)
    for rnd in range(samples):
        shift = rnd % len(targets)
        for target in [*targets[shift:], *targets[:shift]]:
            agg = aggs.setdefault(target.key, Agg())
            best: Result | None = None
            for attempt in range(1 + retries):
                if deadline is None or time.monotonic() < deadline:
                    agg.waited += wait_quiet(3.0)
                res = load(
                    target.port,
                    target.path,
                    requests=per_sample,
                    concurrency=concurrency,
                    warmup=concurrency,
                    server_pid=target.server_pid,
                    expect=target.expect,
                    start=rnd * per_sample,  # a mix: a different slice in every sample
                    headers=dict(target.headers),
                )
                if best is None or res.other_cpu_pct < best.other_cpu_pct:
                    best = res
                if res.other_cpu_pct <= max_other_pct:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    break
                if attempt < retries:
                    agg.retried += 1
            assert best is not None
            agg.samples.append(best)


# --- output ----------------------------------------------------------------------------------
def table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> str:
    """A Markdown table (readable in a terminal and pasteable into docs)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        all(_is_num(r[i]) for r in cells[1:] if r[i] not in ("", "-")) for i in range(len(headers))
    ]

    def line(row: list[str]) -> str:
        out = []
        for i, c in enumerate(row):
            out.append(c.rjust(widths[i]) if numeric[i] else c.ljust(widths[i]))
        return "| " + " | ".join(out) + " |"

    sep = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if n else ("-" * (w + 2))
            for w, n in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    lines = [line(cells[0]), sep, *(line(r) for r in cells[1:])]
    return (f"\n{title}\n\n" if title else "") + "\n".join(lines) + "\n"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def _is_num(text: str) -> bool:
    try:
        float(text.rstrip("x%"))
    except ValueError:
        return False
    return True


def log_problems(log: Path, limit: int = 6) -> list[str]:
    """Distinct error lines and exception messages from a server log."""
    seen: dict[str, None] = {}
    for line in log.read_text(errors="replace").splitlines():
        text = line.strip()
        if " ERROR " in text:
            text = text.split(" ERROR ", 1)[1]
        elif not (
            text
            and ":" in text
            and text.split(":", 1)[0].rsplit(".", 1)[-1].endswith(("Error", "Exception"))
        ):
            continue
        seen.setdefault(text[:220], None)
    return list(seen)[:limit]


def machine_summary() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB RAM"
    import platform

    return (
        f"{os.cpu_count()} CPUs ({model or 'unknown CPU'}), {mem}, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )


def versions(*names: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in names:
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} (not installed)")
    return ", ".join(out)
