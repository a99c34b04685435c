"""The shape of a Biểu 06/VPCP/KSTT table (SPEC.md §7.1), independent of where its numbers come
from: the selector in ``form06`` fills it from the rollups, the exports and pages only read it.

Columns 1 and 2 of the official form are the row's number and its label (the sector); the
thirteen-column numbering below follows the form: 3 = 4 + 5 + 6 received, 7 = 8 + 9 + 10
finished, 11 = 12 + 13 still in process at the end of the period. The three sums are properties,
so they cannot disagree with their parts, and col 3 = col 7 + col 11 holds because col 11 is
counted as the open stock at the end of the period, which is exactly what was received and not
finished (see ``form06``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from motcua.reports.periods import Period

# The stored cells of a row, in the form's order (col 4, 5, 6, 8, 9, 10, 12, 13).
CELL_FIELDS = (
    "online",
    "counter",
    "carried_over",
    "early",
    "on_time",
    "late",
    "open_in_time",
    "open_overdue",
)

# Every numbered column of the form: (number, attribute of Cells, label).
COLUMNS: tuple[tuple[int, str, object], ...] = (
    (3, "received", _("Total received")),
    (4, "online", _("Received online")),
    (5, "counter", _("Received at the counter or by post")),
    (6, "carried_over", _("Carried over from the previous period")),
    (7, "finished", _("Total finished")),
    (8, "early", _("Finished before the appointment")),
    (9, "on_time", _("Finished on the appointment")),
    (10, "late", _("Finished after the appointment")),
    (11, "open", _("Total still in process")),
    (12, "open_in_time", _("In process, within the appointment")),
    (13, "open_overdue", _("In process, past the appointment")),
)


@dataclass
class Cells:
    online: int = 0  # col 4
    counter: int = 0  # col 5
    carried_over: int = 0  # col 6
    early: int = 0  # col 8
    on_time: int = 0  # col 9
    late: int = 0  # col 10
    open_in_time: int = 0  # col 12
    open_overdue: int = 0  # col 13

    @property
    def received(self) -> int:  # col 3
        return self.online + self.counter + self.carried_over

    @property
    def finished(self) -> int:  # col 7
        return self.early + self.on_time + self.late

    @property
    def open(self) -> int:  # col 11
        return self.open_in_time + self.open_overdue

    def column(self, number: int) -> int:
        for col, attribute, _label in COLUMNS:
            if col == number:
                return getattr(self, attribute)
        raise KeyError(number)

    def values(self) -> list[int]:
        """Columns 3 to 13, in order."""
        return [getattr(self, attribute) for _col, attribute, _label in COLUMNS]

    def add(self, other: Cells) -> None:
        for name in CELL_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in CELL_FIELDS)


@dataclass
class Row:
    """One sector (lĩnh vực) at one level."""

    sector_id: int
    sector_code: str
    label: str
    cells: Cells = field(default_factory=Cells)


@dataclass
class Group:
    """The rows of one level: "Cấp tỉnh", "Cấp xã" (and "Cấp huyện" for history before
    1 July 2025, when it is held)."""

    level: str
    label: str
    rows: list[Row] = field(default_factory=list)
    total: Cells = field(default_factory=Cells)


@dataclass
class Form06:
    agency_code: str
    agency_name: str
    period: Period
    cutoff: bool
    # The day the numbers are taken at: the period's end, or today for a period still running.
    as_of: dt.date
    generated_at: dt.datetime
    groups: list[Group] = field(default_factory=list)
    total: Cells = field(default_factory=Cells)

    def cell(self, column: int, level: str | None = None, sector_id: int | None = None) -> int:
        """One number of the table: the total, a level's total, a sector's row within a level,
        or (``level`` None) a sector's rows over every level; 0 where there is no such row."""
        if level is None and sector_id is None:
            return self.total.column(column)
        count = 0
        for group in self.groups:
            if level is not None and group.level != level:
                continue
            if sector_id is None:
                count += group.total.column(column)
            else:
                count += sum(r.cells.column(column) for r in group.rows if r.sector_id == sector_id)
        return count
