import json
import sys

from django.core.management.base import BaseCommand

from motcua.catalog.services.transfer import export_catalog, export_catalog_xlsx


class Command(BaseCommand):
    help = "Export the procedures in force as JSON (motcua.procedures/1) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, format, output, **options):
        if format == "xlsx":
            if not output:
                self.stderr.write("XLSX needs --output FILE")
                return
            with open(output, "wb") as fh:
                fh.write(export_catalog_xlsx())
        else:
            text = json.dumps(export_catalog(), ensure_ascii=False, indent=2)
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            else:
                sys.stdout.write(text + "\n")
        if output:
            self.stdout.write(f"wrote {output}")
