"""Reading an import file (CSV or XLSX) as a stream of rows, and parsing its cells."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.services.imports.report import _Invalid

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# -- values -----------------------------------------------------------------------------------

_DMY = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$")  # national sync format


@dataclass(frozen=True)
class _Moment:
    value: dt.datetime  # aware
    has_time: bool

    @property
    def canonical(self) -> str:
        if self.has_time:
            return self.value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.value.astimezone(VIETNAM).date().isoformat()


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=VIETNAM) if value.tzinfo is None else value


def parse_moment(value: Any) -> tuple[dt.datetime, bool] | None:
    """(instant, whether a time of day was given) for a cell: ISO 8601, ``dd/mm/yyyy
    [HH:MM[:SS]]``, ``yyyyMMddHHmmss`` or a spreadsheet date; without a zone it is Vietnam local
    time. ``None`` for an empty cell; ``ValueError`` when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        # A spreadsheet cannot tell a date from midnight: midnight is read as a date.
        return _aware(value), value.time() != dt.time(0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0), tzinfo=VIETNAM), False
    text = str(value).strip()
    if not text:
        return None
    match = _DMY.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
        return moment.replace(tzinfo=VIETNAM), hour is not None
    match = _COMPACT.match(text)
    if match:
        year, month, day, hour, minute, second = map(int, match.groups())
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM), True
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return _aware(moment), len(text) > 10


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# -- reading ----------------------------------------------------------------------------------


def _csv_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    # Decoded line by line, so that a byte that is not UTF-8 is reported at its row.
    with path.open("rb") as handle:
        lines = (line.decode("utf-8") for line in handle)
        first = next(lines, "").removeprefix("\ufeff")
        delimiter = max((",", ";", "\t"), key=first.count)
        reader = csv.reader(chain([first], lines), delimiter=delimiter)
        yield from enumerate(reader, 1)


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(values)
    finally:
        workbook.close()


def _records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """The file's rows, numbered from 1 (the header); a file that cannot be read (missing, not
    UTF-8, a damaged workbook) raises ``_Invalid`` at the row where reading stopped."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _Invalid(_("Only .csv and .xlsx files can be imported."))
    number = 0
    try:
        for number, record in _csv_records(path) if suffix == ".csv" else _xlsx_records(path):
            yield number, record
    except UnicodeDecodeError:
        raise _Invalid(
            _("The file is not UTF-8 text; save it as CSV UTF-8."), row=number + 1
        ) from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, csv.Error) as error:
        raise _Invalid(
            _("The file cannot be read: %(error)s"), row=number + 1, error=str(error)
        ) from None


@dataclass
class _SourceRow:
    number: int
    values: dict[str, Any]  # by column key
    source: dict[str, str]  # by the file's header, as text (kept in the import event)


def _canonical_or_blank(value: dt.datetime | None) -> str:
    return _Moment(value, True).canonical if value is not None else ""


def _split_interval(text: str) -> tuple[dt.datetime, dt.datetime | None] | None:
    """Split ``requested/supplied`` where dates may contain "/" themselves: the one split
    where both sides are dates (the right one may be blank)."""
    candidates: list[tuple[dt.datetime, dt.datetime | None]] = []
    positions = [i for i, ch in enumerate(text) if ch == "/"]
    for position in [*positions, len(text)]:
        left, right = text[:position].strip(), text[position + 1 :].strip()
        try:
            requested = parse_moment(left)
            supplied = parse_moment(right) if right else None
        except (ValueError, TypeError, OverflowError):
            continue
        if requested is None:
            continue
        candidates.append((requested[0], supplied[0] if supplied else None))
    return candidates[0] if len(candidates) == 1 else None
