"""What an import reports: the problems of the file, row by row, and what was (or would be)
imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed


@dataclass(frozen=True)
class ImportProblem:
    """One reason a row cannot be imported; rendered in the active language."""

    row: int
    column: str  # as in the file's header ("" when it concerns the whole row)
    message: str | Promise
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def reason(self) -> str:
        params = {key: str(value) for key, value in self.params}
        return str(self.message) % params if params else str(self.message)

    def __str__(self) -> str:
        if self.column:
            return str(
                _("row %(row)s, column %(column)s: %(reason)s")
                % {"row": self.row, "column": self.column, "reason": self.reason}
            )
        return str(_("row %(row)s: %(reason)s") % {"row": self.row, "reason": self.reason})


@dataclass
class DossierImportReport:
    file: str
    dry_run: bool = False
    rows: int = 0
    created: list[str] = field(default_factory=list)  # legacy codes imported (or to import)
    skipped: list[str] = field(default_factory=list)  # legacy codes imported before
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (legacy code, new code)
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


class DossierImportFailed(ValidationFailed):
    """The file has problems; nothing was imported. ``report.problems`` lists them all."""

    code = "import_invalid"

    def __init__(self, report: DossierImportReport) -> None:
        super().__init__(
            _("%(count)s problem(s) in %(file)s: nothing was imported.")
            % {"count": len(report.problems), "file": report.file},
            code=self.code,
        )
        self.report = report


class _Invalid(Exception):
    """The file as a whole cannot be read."""

    def __init__(self, message: str | Promise, *, row: int = 1, **params: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.row = row
        self.params = tuple(params.items())
