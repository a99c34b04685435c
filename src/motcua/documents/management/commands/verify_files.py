"""``motcua verify-files``: re-hash every stored file (``documents.services.file_check``);
exits 1 when a file changed or is missing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.documents.services.file_check import stored_files_check

SHOWN = 50  # files listed per problem; the counts are always complete


class Command(BaseCommand):
    help = "Recompute the SHA-256 of every stored file and report changed or missing ones."

    def handle(self, *args, **options):
        result = stored_files_check()
        self.stdout.write(
            f"{result.checked} files checked, {result.bytes_read / 2**20:.1f} MiB read: "
            f"{len(result.changed)} changed, {len(result.missing)} missing"
        )
        for label, files in (("changed", result.changed), ("missing", result.missing)):
            for stored in files[:SHOWN]:
                self.stdout.write(f"{label}: {stored.file.name} (sha256 {stored.sha256})")
            if len(files) > SHOWN:
                self.stdout.write(f"… and {len(files) - SHOWN} more {label}")
        if not result.ok:
            raise CommandError("some stored files are not what was stored", returncode=1)
