"""``motcua bench generate --dossiers N --province CODE``: a synthetic province for benchmarks.

Adds N synthetic received dossiers to the province (numbered after those it already has, so a
bigger size is reached by adding to a smaller one), with their rollups maintained as for an
import; ``--delete`` removes the province's synthetic dossiers and rebuilds the rollups. What is
generated is described in ``reports.services.synthetic``. Never on a production database: the
dossiers look real (codes start with ``SYN-``).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from motcua.reports.services.synthetic import (
    BATCH,
    Progress,
    SyntheticError,
    province_for,
    synthetic_delete,
    synthetic_generate,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--end: {value!r} is not a date YYYY-MM-DD") from error


class Command(BaseCommand):
    help = "Benchmark data: generate (or delete) a synthetic province of dossiers."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser(
            "generate", help="add synthetic dossiers to a province (or --delete them)"
        )
        generate.add_argument("--province", required=True, help="the province's agency code")
        generate.add_argument("--dossiers", type=int, default=0, help="how many to add")
        generate.add_argument("--months", type=int, default=36, help="months of history (36)")
        generate.add_argument("--end", help="last reception day YYYY-MM-DD (default today)")
        generate.add_argument("--seed", type=int, default=0, help="random seed (0)")
        generate.add_argument(
            "--events", action="store_true", help="also write each dossier's event chain"
        )
        generate.add_argument("--batch", type=int, default=BATCH, help="dossiers per batch")
        generate.add_argument(
            "--jobs", type=int, default=1, help="processes writing batches (PostgreSQL; 1)"
        )
        generate.add_argument(
            "--delete",
            action="store_true",
            help="remove the province's synthetic dossiers, then rebuild the rollups",
        )

    def handle(self, *args, **options):
        try:
            province = province_for(options["province"])
            if options["delete"]:
                removed = synthetic_delete(
                    province=province, batch=options["batch"], progress=self._progress
                )
                self.stdout.write(
                    f"Removed {removed:,} synthetic dossiers of {province.name}; rollups rebuilt."
                )
                return
            if options["dossiers"] <= 0:
                raise CommandError("--dossiers N (N > 0) is required, or --delete")
            report = synthetic_generate(
                province=province,
                dossiers=options["dossiers"],
                months=options["months"],
                end=_date(options["end"]) if options["end"] else None,
                seed=options["seed"],
                events=options["events"],
                batch=options["batch"],
                jobs=options["jobs"],
                progress=self._progress,
            )
        except SyntheticError as error:
            raise CommandError(str(error)) from error
        rate = report.created / report.seconds if report.seconds else 0
        states = ", ".join(f"{state} {count:,}" for state, count in report.states.most_common())
        self.stdout.write(
            f"Generated {report.created:,} synthetic dossiers for {province.name} "
            f"(numbers {report.first_number:,}–{report.first_number + report.created - 1:,}) "
            f"in {report.seconds:.1f} s, {rate:,.0f} dossiers/s; {report.events:,} events.\n"
            f"States: {states}"
        )

    def _progress(self, progress: Progress) -> None:
        remaining = (progress.total - progress.done) / progress.rate if progress.rate else 0
        self.stdout.write(
            f"  {progress.done:>11,} / {progress.total:,}  {progress.rate:,.0f}/s  "
            f"{progress.seconds:,.0f} s elapsed, ~{remaining:,.0f} s left"
        )
        self.stdout.flush()
