"""The back office's busiest queue with 10,000 open dossiers in the agency, on PostgreSQL
(issue 5: "time to render the busiest queue with 10,000 open dossiers in the agency (p50/p99)").

    .venv/bin/python bench/queue_render.py [--quick] [--dossiers 10000] [--requests 200]

A throw-away database ``motcua_bench_<pid>`` on 127.0.0.1 (always dropped), prepared by
``motcua up --no-serve``; then a child process with production settings:

1. walks 60 dossiers of procedure 1.004873 at the demo commune 14797 through the real services
   to the stages where they sit in queues (received, and each of the three processing steps,
   some assigned to the demo specialist);
2. copies them, with their current step, up to ``--dossiers`` open dossiers (bulk inserts:
   only the rows a queue reads — the copies have no event chain), with appointments spread
   from 10 days overdue to 20 days ahead, so every queue has its share;
3. signs in the demo commune leader (whose scope is the whole commune) as after a password
   and a TOTP code, and requests, through the full middleware stack of a Django test client
   (no network), the home page with every queue's count, the busiest queue ("My unit": every
   open dossier) on its first and last page, the overdue queue, a filtered queue, the
   dossier desk and the leaders' view of the whole commune, against the baseline
   ``/api/v1/health`` measured the same way, interleaved in rotated order.

Prints p50/p99 per page, queries per page, the ratio to the baseline, and the plan PostgreSQL
chose for the busiest queue's page query. Never asserts on timings; always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

import _common as c
import dossier_throughput as lifecycle

LEADER = "agency_leader"  # scope: the whole commune, so "My unit" holds every open dossier


def child(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from motcua.dossiers.models import Dossier, DossierStep

    life = lifecycle.Lifecycle(webhook=False)
    leader = life.people[LEADER]
    specialist = life.people["specialist"]
    started = time.perf_counter()
    seeds = []
    for i in range(60):
        d = life.walk(i, upto=1 + i % 4)  # received, then at steps 2, 3 and 4
        if i % 3 == 0 and d.current_step_id:
            DossierStep.objects.filter(pk=d.current_step_id).update(assignee=specialist)
        seeds.append(Dossier.objects.select_related("current_step").get(pk=d.pk))
    walked = time.perf_counter() - started

    started = time.perf_counter()
    now = timezone.now()
    total = max(args.dossiers, len(seeds))
    batch: list[Dossier] = []
    steps: list[DossierStep] = []
    made = len(seeds)
    while made < total:
        seed = seeds[made % len(seeds)]
        clone = Dossier.objects.get(pk=seed.pk)
        step = seed.current_step
        clone.pk = None
        clone.id = None
        clone.uuid = uuid.uuid4()
        clone.code = f"{seed.code.rsplit('-', 1)[0]}-B{made:06d}"
        clone.current_step = None
        clone.due_at = now + dt.timedelta(hours=(made * 37) % (30 * 24) - 10 * 24)
        clone.event_count, clone.last_event_hash = 0, ""
        batch.append(clone)
        steps.append(step)
        made += 1
        if len(batch) == 2000 or made == total:
            Dossier.objects.bulk_create(batch)
            copies = []
            for new, template in zip(batch, steps, strict=True):
                template_copy = DossierStep.objects.get(pk=template.pk) if template else None
                if template_copy is None:
                    continue
                template_copy.pk = None
                template_copy.id = None
                template_copy.dossier = new
                template_copy.due_at = new.due_at
                copies.append(template_copy)
            DossierStep.objects.bulk_create(copies)
            for step_row in copies:
                step_row.dossier.current_step = step_row
            Dossier.objects.bulk_update(
                [s.dossier for s in copies], ["current_step"], batch_size=1000
            )
            batch, steps = [], []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    copied = time.perf_counter() - started

    secret = generate_totp_secret()
    if not Authenticator.objects.filter(user=leader, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(leader, secret)
    client = Client(HTTP_HOST=c.HOST)  # an allowed host under production settings
    client.force_login(leader)
    session = client.session
    session["account_authentication_methods_user"] = str(leader.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()

    unit_count = Dossier.objects.filter(state__in=["received", "in_process"]).count()
    last_page = max(1, -(-unit_count // 50))
    sample = seeds[1].code
    pages = {
        "health (baseline)": "/api/v1/health",
        "home: every queue's count": "/can-bo/",
        "busiest queue (My unit), page 1": "/can-bo/hang-doi/don-vi/",
        "busiest queue, last page": f"/can-bo/hang-doi/don-vi/?page={last_page}",
        "overdue": "/can-bo/hang-doi/qua-han/",
        "My unit, filtered by procedure": f"/can-bo/hang-doi/don-vi/?thu-tuc={lifecycle.PROCEDURE}",
        "dossier desk": f"/can-bo/ho-so/{sample}/",
        "leaders' view (whole commune)": "/can-bo/lanh-dao/",
    }
    timings: dict[str, list[float]] = {name: [] for name in pages}
    queries: dict[str, int] = {}
    statuses: dict[str, set[int]] = {name: set() for name in pages}
    for name, path in pages.items():  # warm up, count queries
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        queries[name] = len(captured.captured_queries)
        statuses[name].add(response.status_code)
    names = list(pages)
    for round_ in range(args.requests):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            response = client.get(pages[name])
            timings[name].append(time.perf_counter() - t0)
            statuses[name].add(response.status_code)

    from motcua.dossiers.queues import Queue, queue_dossiers

    page_query = queue_dossiers(leader, Queue.UNIT).values_list("pk", flat=True)[:50]
    with connection.cursor() as cursor:
        sql, params = page_query.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY ON) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]

    Path(args.out).write_text(
        json.dumps(
            {
                "walked": walked,
                "copied": copied,
                "total": Dossier.objects.count(),
                "unit": unit_count,
                "timings": timings,
                "queries": queries,
                "statuses": {k: sorted(v) for k, v in statuses.items()},
                "plan": plan,
                "pages": pages,
            }
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 dossiers, 40 requests/page")
    parser.add_argument("--dossiers", type=int, help="open dossiers in the agency (10000)")
    parser.add_argument("--requests", type=int, help="requests per page (200)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.dossiers = args.dossiers or (2000 if args.quick else 10000)
    args.requests = args.requests or (40 if args.quick else 200)
    if args.child:
        return child(args)

    print("motcua bench: queue_render")
    print(f"machine: {c.machine_summary()}")
    print(f"software: {c.versions('django', 'psycopg')}")
    with c.temp_dir("queues") as tmp, contextlib.ExitStack() as stack:
        try:
            url, name = stack.enter_context(lifecycle._postgres_db())
        except Exception as exc:  # reported; the bench always exits 0
            print(f"NOT OK — PostgreSQL on 127.0.0.1 is not reachable: {exc}")
            return 0
        print(f"database: {name} on {lifecycle.PG_HOST}:{lifecycle.PG_PORT}")
        extra = {"DATABASE_URL": url, "MOTCUA_OUTBOX_MODE": "external"}
        prep = c.prepare_data_dir(Path(tmp) / "data", "production", extra)
        print(f"data: {prep.how} in {prep.seconds:.1f} s")
        if not prep.catalogue:
            print("NOT OK — the catalogue is needed to create dossiers")
            return 0
        out = Path(tmp) / "out.json"
        argv_child = ["--child", "--out", str(out), "--dossiers", str(args.dossiers)]
        argv_child += ["--requests", str(args.requests)]
        result, failure = c.run_child(__file__, argv_child, prep.env, out, timeout=3600)
        if result is None:
            print(f"NOT OK — the run failed ({failure})")
            return 0
    print(
        f"dossiers: {result['total']:,} in the database ({result['unit']:,} open in the commune's "
        f"queue 'My unit'); 60 walked through the services in {result['walked']:.1f} s, "
        f"the rest copied in {result['copied']:.1f} s"
    )
    base = statistics.median(result["timings"]["health (baseline)"]) * 1000
    rows = []
    for name, values in result["timings"].items():
        ms = sorted(v * 1000 for v in values)
        p50 = statistics.median(ms)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        rows.append(
            [
                name,
                len(ms),
                " ".join(map(str, result["statuses"][name])),
                result["queries"][name],
                p50,
                p99,
                f"{p50 / base:.1f}x",
            ]
        )
    print(
        c.table(
            ["page", "n", "status", "queries", "p50 ms", "p99 ms", "p50 / baseline"],
            rows,
            title="In-process requests (Django test client, production settings), PostgreSQL",
        )
    )
    print("\nPlan of the busiest queue's page query (EXPLAIN ANALYZE):")
    for line in result["plan"]:
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
