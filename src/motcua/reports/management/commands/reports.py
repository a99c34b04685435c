"""``motcua reports rebuild [--check]``: recompute the report rollups from the dossiers.

The rollups are kept current by the dossier services (ADR 0004); rebuilding is for after a
restore, a bulk change outside the services, or a change of the counting rules. ``--check``
writes nothing: it compares the stored rollups with a recomputation, prints the rows that
differ and exits with 1 if any do.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from motcua.reports.projection import MEASURES
from motcua.reports.services.rollups import (
    rollup_differences,
    rollup_rebuild,
    rollups_missing,
)


class Command(BaseCommand):
    help = "Recompute the report rollups from the dossiers (rebuild), or compare them (--check)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="recompute the rollups from the dossiers")
        rebuild.add_argument(
            "--check", action="store_true", help="compare only; exit 1 if the rollups differ"
        )
        rebuild.add_argument(
            "--if-needed",
            action="store_true",
            help="only if a received dossier has no fact (after an upgrade; `motcua up` uses it)",
        )
        rebuild.add_argument("--batch", type=int, default=5000, help="dossiers per batch")

    def handle(
        self,
        *args,
        action: str,
        check: bool = False,
        if_needed: bool = False,
        batch: int = 5000,
        **options,
    ):
        started = time.perf_counter()
        if if_needed and not rollups_missing():
            return
        if check:
            differences = rollup_differences(batch)
            elapsed = time.perf_counter() - started
            if not differences:
                self.stdout.write(f"The rollups match the dossiers ({elapsed:.1f} s).")
                return
            self.stdout.write(f"{len(differences)} rollup rows differ from the dossiers:")
            self.stdout.write("agency grain day sector procedure: stored → recomputed")
            self.stdout.write(f"  ({', '.join(MEASURES)})")
            for key, stored, computed in differences[:50]:
                self.stdout.write(f"{' '.join(map(str, key))}: {stored} → {computed}")
            if len(differences) > 50:
                self.stdout.write(f"… and {len(differences) - 50} more.")
            sys.exit(1)
        count = rollup_rebuild(batch)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Rebuilt the rollups of {count} received dossiers in {elapsed:.1f} s.")
