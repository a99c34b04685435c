"""``motcua verify-files``: are the stored files still what was stored? (issue 7 §5)

    stored_files_check(batch=500, progress=None) -> FileCheck

Every ``StoredFile`` is read back from storage and its SHA-256 recomputed, in chunks (a file
is never held whole in memory). A file whose hash differs was changed after it was stored; a
file that cannot be opened is missing. Neither is repaired: the report says which, for an
administrator to restore them from a backup.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from motcua.dossiers.models import StoredFile

CHUNK = 1024 * 1024


@dataclass
class FileCheck:
    checked: int = 0
    bytes_read: int = 0
    changed: list[StoredFile] = field(default_factory=list)
    missing: list[StoredFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing


def _digest(stored: StoredFile) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with stored.file.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def stored_files_check(
    batch: int = 500, progress: Callable[[FileCheck], None] | None = None
) -> FileCheck:
    result = FileCheck()
    last = 0
    while True:
        chunk = list(StoredFile.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not chunk:
            return result
        for stored in chunk:
            result.checked += 1
            try:
                digest, size = _digest(stored)
            except (FileNotFoundError, OSError, ValueError):
                result.missing.append(stored)
                continue
            result.bytes_read += size
            if digest != stored.sha256:
                result.changed.append(stored)
        last = chunk[-1].pk
        if progress is not None:
            progress(result)
