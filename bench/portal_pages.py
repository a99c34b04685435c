"""The citizen portal's pages under the production server, against the constant endpoint of the
same server measured in the same run.

    .venv/bin/python bench/portal_pages.py [--quick] [--dossiers 40] [--requests N]
                                           [--levels 1,8] [--workers 2]

Steps: ``motcua up --no-serve`` into a temporary data directory; a child process creates a
citizen with a full profile, ``--dossiers`` dossiers of theirs walked through the real services
to every stage (received … returned), a submission draft of birth registration (1.001193) with
the place chosen and the e-form answered, and a signed-in session (its key is printed, never its
password). Then the server exactly as ``motcua up`` launches it (granian, ``MOTCUA_ENV=
production``, SQLite), and interleaved samples in rotated order, after waiting for the shared
machine to be quiet, of:

- the baseline ``/api/v1/health`` (one ``SELECT 1``);
- public pages: home, the procedure page with the handling agency for a commune, tracking;
- signed-in pages (the session cookie sent with each request): Hồ sơ của tôi (the list, and the
  detail of each dossier in turn: steps, timeline, forms, supplementation or rating form), the
  "check your answers" page of the draft (every e-form answer, with change links) and the
  profile.

Prints p50/p90/p99, requests/s, bytes per page, server CPU per request and the ratio to the
baseline. Statuses other than 200 are counted (a page that answers a redirect to the login page
would be a setup fault, reported). Never asserts on timings; always exits 0 and stops its server.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import _common as c

BIRTH = "1.001193"


def setup_child(count: int, out: Path) -> int:
    import django

    django.setup()
    import dossier_throughput as lifecycle
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import drafts
    from motcua.org.models import Agency

    life = lifecycle.Lifecycle(webhook=False)
    commune = Agency.objects.get(code=lifecycle.DESK)
    citizen = User.objects.create_user(
        username="bench-citizen",
        email="bench-citizen@example.vn",
        full_name="Lê Thị Hoa",
        id_number="038190000123",
        phone="+84912345678",
        address="Số 1 đường Lê Lợi",
    )
    codes = []
    for i in range(count):
        d = life.walk(i, upto=1 + i % len(lifecycle.CALLS))
        codes.append(d.code)
    # the dossiers were taken at the counter: give them to the citizen (synthetic data only)
    Dossier.objects.filter(code__in=codes).update(owner=citizen)
    version = ProcedureVersion.objects.filter(procedure__code=BIRTH).latest("pk")
    draft = drafts.draft_start(actor=citizen, version=version)
    drafts.draft_choose_where(actor=citizen, draft=draft, commune=commune)
    draft.answers = {
        **draft.answers,
        "child": {
            "full_name": "Nguyễn Minh An",
            "birth_date": "2026-03-02",
            "sex": "Nam",
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "birth_place": "Bệnh viện Đa khoa tỉnh",
        },
    }
    draft.save(update_fields=["answers"])
    session = SessionStore()
    session[SESSION_KEY] = str(citizen.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = citizen.get_session_auth_hash()
    session.create()
    out.write_text(
        json.dumps(
            {
                "codes": codes,
                "session": session.session_key,
                "cookie": settings.SESSION_COOKIE_NAME,
                "check": f"/nop-ho-so/{BIRTH}/{draft.uuid}/kiem-tra/",
                "commune": commune.code,
                "province": commune.parent.code if commune.parent else "",
            }
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 requests per page and level")
    parser.add_argument("--requests", type=int, help="requests per page per level (800)")
    parser.add_argument("--levels", default="1,8", help="concurrency levels (default 1,8)")
    parser.add_argument("--samples", type=int, help="interleaved samples per cell (4)")
    parser.add_argument("--dossiers", type=int, default=40, help="the citizen's dossiers (40)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--setup-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup_child:
        return setup_child(args.dossiers, Path(args.setup_child))
    n = args.requests or (200 if args.quick else 800)
    samples = args.samples or (2 if args.quick else 4)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]

    print("motcua bench: portal_pages")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'django-ninja', 'granian')}")
    print(
        f"settings: MOTCUA_ENV=production, SQLite (WAL), {n} requests/page/level "
        f"in {samples} samples"
    )
    print(f"load average at start: {c.loadavg()}")
    with c.temp_dir("portal") as tmp:
        prep = c.prepare_data_dir(Path(tmp) / "data", "production")
        print(f"data: {prep.how} in {prep.seconds:.1f} s")
        if not prep.catalogue:
            print("NOT OK — the catalogue is needed")
            return 0
        env = dict(prep.env) | {"MOTCUA_OUTBOX_MODE": "external"}
        made_path = Path(tmp) / "made.json"
        made, failure = c.run_child(
            __file__,
            ["--setup-child", str(made_path), "--dossiers", str(args.dossiers)],
            env,
            made_path,
        )
        if made is None:
            print(f"NOT OK — setting up failed ({failure})")
            return 0
        cookie = (("Cookie", f"{made['cookie']}={made['session']}"),)
        details = tuple(f"/ho-so-cua-toi/{code}/" for code in made["codes"])
        pages: list[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = [
            ("health (baseline)", ("/api/v1/health",), ()),
            ("home", ("/",), ()),
            (
                "procedure page + agency",
                (f"/thu-tuc/{BIRTH}/?province={made['province']}&commune={made['commune']}",),
                (),
            ),
            ("tracking form", ("/tra-cuu/",), ()),
            ("Hồ sơ của tôi: list", ("/ho-so-cua-toi/",), cookie),
            (f"Hồ sơ của tôi: detail ({len(details)} in turn)", details, cookie),
            ("submission: check answers", (made["check"],), cookie),
            ("profile", ("/tai-khoan/ho-so/",), cookie),
        ]
        print(f"citizen's dossiers: {len(details)} (e.g. {made['codes'][0]})")
        port = c.free_port()
        argv_server = c.production_server_argv(port, args.workers)
        print(f"server: {' '.join(argv_server[1:])}")
        log = Path(tmp) / "server.log"
        with c.running_server(argv_server, env, port, log) as server:
            targets = [
                c.Target(
                    key=(name,),
                    port=port,
                    path=paths,
                    server_pid=server.pid,
                    expect=tuple(200 for _ in paths),
                    headers=headers,
                )
                for name, paths, headers in pages
            ]
            deadline = time.monotonic() + (90 if args.quick else 240)
            for level in levels:
                aggs: dict[tuple[object, ...], c.Agg] = {}
                c.interleaved(
                    targets,
                    requests=n,
                    concurrency=level,
                    samples=samples,
                    aggs=aggs,
                    deadline=deadline,
                )
                base = aggs[(pages[0][0],)]
                rows = []
                for name, _paths, _headers in pages:
                    agg = aggs[(name,)]
                    size = sum(r.bytes for r in agg.samples) / max(1, agg.requests)
                    rows.append(
                        [
                            name,
                            agg.requests,
                            agg.status_text(),
                            agg.pct(50),
                            agg.pct(90),
                            agg.pct(99),
                            agg.rps,
                            round(size),
                            agg.server_cpu_ms,
                            f"{agg.pct(50) / base.pct(50):.1f}x",
                            agg.other_cpu_pct,
                        ]
                    )
                print(
                    c.table(
                        [
                            "page",
                            "n",
                            "statuses",
                            "p50 ms",
                            "p90 ms",
                            "p99 ms",
                            "req/s",
                            "bytes",
                            "server CPU ms/req",
                            "p50 / baseline",
                            "other CPU %",
                        ],
                        rows,
                        title=f"Concurrency {level}, {args.workers} workers",
                    )
                )
            problems = c.log_problems(log)
        if problems:
            print("server log (distinct problems):")
            for line in problems:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
