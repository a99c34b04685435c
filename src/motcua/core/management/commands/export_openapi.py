import json
from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.config.api import api


class Command(BaseCommand):
    help = "Write the OpenAPI document of API v1 to docs/api/openapi.json (committed)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/api/openapi.json")
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args, output, check, **options):
        schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
        text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        path = Path(output)
        if check:
            if not path.exists() or json.loads(path.read_text(encoding="utf-8")) != schema:
                self.stderr.write(f"{output} is stale: run `motcua manage export_openapi`")
                raise SystemExit(1)
            self.stdout.write(f"{output} is up to date")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {output}")
