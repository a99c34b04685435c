"""Migration import of historical dossiers from a legacy one-stop system (``motcua
import-dossiers FILE``); the columns are documented in ``docs/import-dossiers.md``.

The file (CSV or XLSX) is read twice, as a stream. The first pass checks every row and collects
every problem as "row N, column X: reason"; if there is any, nothing is written. The second pass
writes the new rows in batches inside one transaction, so the import is all or nothing.

An imported dossier gets the fields a live dossier has after the same history, computed by the
same code: reception time normalised and the appointment computed by the legal clock
(``clock``, the receiving agency's calendar), supplementation pauses counted in working time
and moving both appointments, an extension moving only ``due_at`` (the statutory
``original_due_at`` is kept), timeliness judged on ``original_due_at`` by
``MOTCUA_TIMELINESS_CONVENTION`` (SPEC.md §3.4–§3.5, §7.1). Its history is a hash-chained event
log written by ``event_append``: "import" with the source row, then each state change in time
order, each checked against the state machine (``transitions``, SPEC.md §1.7). Nothing is sent
(no outbox): this is history.

Idempotency: the import event keeps a fingerprint of the normalised row. A legacy code already
imported at the same receiving agency is skipped when the fingerprint matches, and reported as a
conflict when it does not.

The package, by topic: ``columns`` (the file's columns and the values accepted in them),
``reading`` (reading the file, parsing cells), ``report`` (problems and the report), ``checks``
(checking one row and planning its dossier), ``plans`` (what will be written for one dossier),
``history`` (its events replayed through the state machine and the clock), ``importer`` (the
two passes, lookups, dossier codes, writing).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from motcua.dossiers.services.imports.columns import COLUMNS, Column
from motcua.dossiers.services.imports.importer import _Importer
from motcua.dossiers.services.imports.reading import parse_moment
from motcua.dossiers.services.imports.report import (
    DossierImportFailed,
    DossierImportReport,
    ImportProblem,
)

__all__ = [
    "COLUMNS",
    "Column",
    "DossierImportFailed",
    "DossierImportReport",
    "ImportProblem",
    "dossiers_import",
    "parse_moment",
]

BATCH_SIZE = 500


def dossiers_import(
    *,
    path: str | Path,
    actor=None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> DossierImportReport:
    """Import the historical dossiers of a legacy one-stop system from ``path`` (.csv or .xlsx).

    All or nothing: every row is checked first and, if any has a problem, ``DossierImportFailed``
    is raised with all of them and nothing is written. Rows imported before (same legacy code,
    same receiving agency, same data) are skipped. ``dry_run`` checks and reports only. ``actor``
    is recorded as the importer on each dossier's "import" event; ``now`` (default: now) is the
    moment the import happens, for tests."""
    importer = _Importer(
        Path(path), actor=actor, now=now or timezone.now(), batch_size=max(1, batch_size)
    )
    report = importer.run(write=False)
    if report.problems:
        raise DossierImportFailed(report)
    if dry_run:
        report.dry_run = True
        return report
    with transaction.atomic():
        importer.raise_counters()
        written = importer.run(write=True)
        if written.problems:
            raise DossierImportFailed(written)
    return written
