"""``motcua manage load_demo_history``: a few months of synthetic dossiers for the demo province,
so that a person trying motcua finds living reports and dashboards (issue 6). ``motcua up`` runs
it after the demo accounts, outside production. Idempotent: a province that already has
synthetic dossiers gets none."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.models import ProcedureVersion
from motcua.org.services.demo import DEMO_PROVINCE
from motcua.reports.services.synthetic import (
    SyntheticError,
    province_for,
    synthetic_dossiers,
    synthetic_generate,
)

DOSSIERS = 3000
MONTHS = 4
SEED = 766


class Command(BaseCommand):
    help = "Add a few months of synthetic dossiers to the demo province (once)."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=DOSSIERS)
        parser.add_argument("--months", type=int, default=MONTHS)

    def handle(self, *args, dossiers: int, months: int, **options):
        if settings.PRODUCTION:
            raise CommandError("demo history is refused in production (MOTCUA_ENV=production)")
        try:
            province = province_for(DEMO_PROVINCE)
        except SyntheticError as exc:
            self.stdout.write(f"demo history skipped: {exc}")
            return
        if synthetic_dossiers(province).exists():
            return
        if not ProcedureVersion.objects.exists():
            self.stdout.write("demo history skipped: the procedure catalogue is empty")
            return
        report = synthetic_generate(province=province, dossiers=dossiers, months=months, seed=SEED)
        self.stdout.write(
            f"demo history: {report.created} synthetic dossiers over {months} months "
            f"for {province.name} ({report.seconds:.1f} s)"
        )
