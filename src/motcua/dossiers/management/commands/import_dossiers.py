"""``motcua import-dossiers FILE``: load historical dossiers from a legacy one-stop system
(.csv or .xlsx; columns in docs/import-dossiers.md). All or nothing: every problem is printed as
"row N, column X: reason" and the command exits with status 1 without importing anything."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from motcua.dossiers.services.imports import DossierImportFailed, dossiers_import


class Command(BaseCommand):
    help = "Import historical dossiers (.csv or .xlsx) from a legacy one-stop system."

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv (UTF-8, comma or semicolon) or .xlsx (first sheet)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )
        parser.add_argument("--actor", help="username recorded as the importer")

    def handle(self, *args, file: str, dry_run: bool, actor: str | None, **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(_("There is no user %(username)s.") % {"username": actor})
        try:
            report = dossiers_import(path=file, actor=user, dry_run=dry_run)
        except DossierImportFailed as failure:
            for problem in failure.report.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(failure.message)) from None
        if report.ignored_columns:
            self.stdout.write(
                _("Ignored columns: %(columns)s") % {"columns": ", ".join(report.ignored_columns)}
            )
        for legacy, new in report.renamed:
            if new:
                message = _("%(legacy)s is already used by another dossier: imported as %(new)s.")
            else:
                message = _(
                    "%(legacy)s is already used by another dossier: it will get a new code."
                )
            self.stdout.write(message % {"legacy": legacy, "new": new})
        counts = {"created": len(report.created), "skipped": len(report.skipped)}
        if report.dry_run:
            summary = _(
                "Dry run, nothing written: %(created)s dossier(s) to import, "
                "%(skipped)s already imported."
            )
        else:
            summary = _("%(created)s dossier(s) imported, %(skipped)s already imported (skipped).")
        self.stdout.write(summary % counts)
