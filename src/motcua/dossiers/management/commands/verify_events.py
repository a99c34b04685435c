"""``motcua verify-events``: check every dossier's hash-chained event log (issue 3 §3).

Exit status 0 when every chain is intact, 1 when any event was altered, removed or reordered
(each problem is printed with the dossier code and the event number)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.models import Dossier
from motcua.dossiers.services.events import verify_events


class Command(BaseCommand):
    help = "Verify the hash chain of every dossier's event log (or of the given dossier codes)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="dossier codes (default: all dossiers)")

    def handle(self, *args, codes: list[str], **options):
        dossiers = Dossier.objects.filter(code__in=codes) if codes else Dossier.objects.all()
        checked = dossiers.count()
        problems = 0
        for problem in verify_events(dossiers):
            problems += 1
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(
                f"{problems} problem(s) found in the event logs of {checked} dossiers"
            )
        self.stdout.write(f"{checked} dossiers: every event log is intact.")
