from pathlib import Path

from django.core.management.base import BaseCommand

from motcua.config.env import render_markdown


class Command(BaseCommand):
    help = "Write docs/configuration.md from the declared environment variables."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/configuration.md")

    def handle(self, *args, output, **options):
        Path(output).write_text(render_markdown(), encoding="utf-8")
        self.stdout.write(f"wrote {output}")
