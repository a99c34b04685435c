import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.services.transfer import import_catalog, xlsx_to_document
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Import procedures from JSON (motcua.procedures/1) or XLSX; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            if path.suffix.lower() == ".xlsx":
                document = xlsx_to_document(path.read_bytes())
            else:
                document = json.loads(path.read_text(encoding="utf-8"))
            report = import_catalog(document)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        except DomainError as exc:
            raise CommandError(f"{path}: nothing imported: {exc.message}") from exc
        self.stdout.write(
            f"procedures: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
