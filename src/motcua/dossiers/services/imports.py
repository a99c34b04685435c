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
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import ApplicantType, Channel, VersionStatus
from motcua.catalog.models import ProcedureVariant, ProcedureVersion
from motcua.core.errors import ValidationFailed
from motcua.core.text import search_key
from motcua.core.workcal import WorkCalendar
from motcua.dossiers import clock, policies, transitions
from motcua.dossiers.choices import (
    OPEN_STATES,
    Action,
    DossierState,
    ResultKind,
    ReturnMethod,
    SupplementPhase,
    Timeliness,
)
from motcua.dossiers.models import (
    Dossier,
    DossierCounter,
    DossierEvent,
    Extension,
    PaymentRequest,
    SupplementRequest,
)
from motcua.dossiers.regimes import regime_for

# The live services' own rules, so that an imported dossier is computed exactly like a live one.
from motcua.dossiers.services._common import dossier_convention, people_committee, time_rule
from motcua.dossiers.services.codes import code_agency, dossier_code_allocate
from motcua.dossiers.services.events import event_append
from motcua.org.models import Agency
from motcua.org.services.calendar import calendar_for

__all__ = [
    "COLUMNS",
    "Column",
    "DossierImportFailed",
    "DossierImportReport",
    "ImportProblem",
    "dossiers_import",
    "parse_moment",
]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
BATCH_SIZE = 500

# -- columns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    legacy: str  # the name used by the legacy systems and the national sync (SPEC.md §1.9)
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "MaHoSo", ("Mã hồ sơ", "SoHoSo"), required=True),
    Column("procedure_code", "MaTTHC", ("Mã TTHC", "Mã thủ tục"), required=True),
    Column("variant", "MaTruongHop", ("Trường hợp",)),
    Column("receiving_agency", "DonViTiepNhan", ("MaDonViTiepNhan", "NoiNopHoSo"), required=True),
    Column("handling_agency", "DonViXuLy", ("MaDonViXuLy",)),
    Column("channel", "KenhThucHien", ("Kênh thực hiện",), required=True),
    Column("status", "TrangThaiHoSo", ("Trạng thái",), required=True),
    Column("applicant_type", "LoaiDoiTuong"),
    Column("applicant_name", "ChuHoSo", ("Chủ hồ sơ", "TenChuHoSo"), required=True),
    Column("applicant_id_number", "SoGiayToChuHoSo", ("CCCD",)),
    Column("applicant_phone", "SoDienThoai"),
    Column("applicant_email", "Email"),
    Column("applicant_address", "DiaChi", ("DiaChiChuHoSo",)),
    Column("summary", "TrichYeuHoSo"),
    Column("submitted_at", "NgayNopHoSo"),
    Column("received_at", "NgayTiepNhan"),
    Column("due_at", "NgayHenTra"),
    Column("original_due_at", "NgayHenTraBanDau", ("NgayHenTraGoc",)),
    Column("finished_at", "NgayKetThucXuLy"),
    Column("returned_at", "NgayTra", ("NgayTraKetQua",)),
    Column("stopped_at", "NgayDungXuLy"),
    Column("rejected_at", "NgayTuChoi"),
    Column("withdrawn_at", "NgayRutHoSo"),
    Column("payment_requested_at", "NgayYeuCauThanhToan"),
    Column("paid_at", "NgayThanhToan"),
    Column("result_kind", "KetQuaGiaiQuyet"),
    Column("return_method", "HinhThucTra", ("HinhThuc",)),
    Column("result_recipient", "NguoiNhanKetQua"),
    Column("supplements", "DanhSachHoSoBoSung", ("BoSung",)),
    Column("extension_at", "NgayGiaHan"),
    Column("extension_new_due", "NgayHenTraMoi"),
    Column("extension_reason", "LyDoGiaHan"),
    Column("reason", "LyDo"),
    Column("paid", "DuocThanhToanTrucTuyen", ("DaThanhToan",)),
    Column("digitised", "HoSoCoThanhPhanSoHoa", ("DaSoHoa",)),
)
_BY_KEY = {column.key: column for column in COLUMNS}


def _header_key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", search_key(str(text or "")))


_HEADERS = {
    _header_key(name): column.key
    for column in COLUMNS
    for name in (column.key, column.legacy, *column.aliases)
}

# DVCQG status codes → internal states (SPEC.md §1.7). Code 5 without a reception time is a
# completion request before reception.
_STATUS_CODES = {
    1: DossierState.SUBMITTED,
    2: DossierState.RECEIVED,
    3: DossierState.REJECTED,
    4: DossierState.IN_PROCESS,
    5: DossierState.SUPPLEMENT_REQUESTED,
    6: DossierState.PAYMENT_REQUESTED,
    7: DossierState.WITHDRAWAL_REQUESTED,
    8: DossierState.STOPPED,
    9: DossierState.RESOLVED,
    10: DossierState.RETURNED,
}
_CHANNELS = {
    "1": Channel.COUNTER,
    "2": Channel.ONLINE,
    "3": Channel.POST,
    "counter": Channel.COUNTER,
    "online": Channel.ONLINE,
    "post": Channel.POST,
    "truc tiep": Channel.COUNTER,
    "truc tuyen": Channel.ONLINE,
    "buu chinh": Channel.POST,
    "buu chinh cong ich": Channel.POST,
}
_RETURN_METHODS = {
    "1": ReturnMethod.COUNTER,
    "2": ReturnMethod.ONLINE,
    "3": ReturnMethod.POST,
    "counter": ReturnMethod.COUNTER,
    "online": ReturnMethod.ONLINE,
    "post": ReturnMethod.POST,
    "truc tiep": ReturnMethod.COUNTER,
    "truc tuyen": ReturnMethod.ONLINE,
    "buu chinh": ReturnMethod.POST,
}
_DEFAULT_RETURN = {
    Channel.COUNTER: ReturnMethod.COUNTER,
    Channel.ONLINE: ReturnMethod.ONLINE,
    Channel.POST: ReturnMethod.POST,
}
_RESULT_KINDS = {
    "approval": ResultKind.APPROVAL,
    "refusal": ResultKind.REFUSAL,
    "chap thuan": ResultKind.APPROVAL,
    "tu choi": ResultKind.REFUSAL,
}
_TRUE = {"1", "true", "x", "yes", "co"}
_FALSE = {"", "0", "false", "no", "khong"}

_MOMENT_KEYS = (
    "submitted_at",
    "received_at",
    "due_at",
    "original_due_at",
    "finished_at",
    "returned_at",
    "stopped_at",
    "rejected_at",
    "withdrawn_at",
    "payment_requested_at",
    "paid_at",
    "extension_at",
    "extension_new_due",
)
# Appointments: a date without a time means the end of that working day.
_APPOINTMENTS = frozenset({"due_at", "original_due_at", "extension_new_due"})
_NEEDS_RECEPTION = frozenset(
    {
        DossierState.RECEIVED,
        DossierState.IN_PROCESS,
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.PAYMENT_REQUESTED,
        DossierState.RESOLVED,
        DossierState.RETURNED,
    }
)
_BEFORE_RECEPTION = frozenset(
    {DossierState.SUBMITTED, DossierState.REJECTED, DossierState.RETURNED_FOR_COMPLETION}
)
# States a dossier only reaches after an answered payment request (6 → confirm → 4 …).
_PAID_STATES = frozenset(
    {
        DossierState.RECEIVED,
        DossierState.IN_PROCESS,
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.RESOLVED,
        DossierState.RETURNED,
    }
)
_REQUIRED_FOR = {
    DossierState.SUBMITTED: "submitted_at",
    DossierState.REJECTED: "rejected_at",
    DossierState.PAYMENT_REQUESTED: "payment_requested_at",
    DossierState.WITHDRAWAL_REQUESTED: "withdrawn_at",
    DossierState.RESOLVED: "finished_at",
    DossierState.RETURNED: "returned_at",
}
_ONLY_FOR = {
    "finished_at": {DossierState.RESOLVED, DossierState.RETURNED, DossierState.STOPPED},
    "returned_at": {DossierState.RETURNED},
    "stopped_at": {DossierState.STOPPED},
    "rejected_at": {DossierState.REJECTED},
    "withdrawn_at": {DossierState.WITHDRAWAL_REQUESTED, DossierState.STOPPED},
    "result_kind": {DossierState.RESOLVED, DossierState.RETURNED},
    "return_method": {DossierState.RETURNED},
    "result_recipient": {DossierState.RETURNED},
}
# "later" must not be earlier than "earlier"; the first failing pair of a column is reported.
_ORDER = (
    ("received_at", "submitted_at"),
    ("rejected_at", "submitted_at"),
    ("withdrawn_at", "submitted_at"),
    ("finished_at", "received_at"),
    ("returned_at", "finished_at"),
    ("returned_at", "received_at"),
    ("stopped_at", "received_at"),
    ("stopped_at", "withdrawn_at"),
    ("payment_requested_at", "received_at"),
    ("paid_at", "payment_requested_at"),
    ("extension_at", "received_at"),
)
_CODE_PATTERN = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<seq>\d{1,9})$")


# -- problems and report ----------------------------------------------------------------------


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
        return dt.datetime(*map(int, match.groups()), tzinfo=VIETNAM), True
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


# -- the plan of one dossier ------------------------------------------------------------------


@dataclass
class _Values:
    """One row's cells, parsed."""

    code: str
    procedure_code: str
    variant_code: str
    receiving: Agency | None
    handling: Agency | None
    channel: Channel | None
    state: DossierState | None
    applicant_type: int
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    summary: str
    recipient: str
    extension_reason: str
    reason: str
    result_kind: ResultKind | None
    return_method: ReturnMethod | None
    paid: bool
    digitised: bool
    moments: dict[str, _Moment | None]
    intervals: list[tuple[dt.datetime, dt.datetime | None]]
    submitted: dt.datetime | None = None


@dataclass
class _SupplementPlan:
    phase: str
    requested_at: dt.datetime
    supplied_at: dt.datetime | None
    due_before: dt.datetime | None = None
    due_after: dt.datetime | None = None
    paused_seconds: int = 0


@dataclass
class _EventPlan:
    action: Action
    at: dt.datetime
    order: int
    reason: str = ""
    supplement: int | None = None  # index in _Plan.supplements
    from_state: str = ""
    to_state: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    row: int
    legacy_code: str
    fingerprint: str
    source: dict[str, str]
    receiving: Agency
    reception_day: dt.date
    fields: dict[str, Any]
    supplements: list[_SupplementPlan]
    extension: dict[str, Any] | None
    payment: dict[str, Any] | None
    events: list[_EventPlan]
    code: str = ""


# -- the importer -----------------------------------------------------------------------------


class _Importer:
    def __init__(self, path: Path, *, actor, now: dt.datetime, batch_size: int) -> None:
        self.path = path
        self.actor = actor
        self.now = now
        self.batch_size = batch_size
        self._versions: dict[str, list[ProcedureVersion]] = {}
        self._agencies: dict[str, Agency | str | None] = {}
        self._calendars: dict[tuple[int, int], WorkCalendar] = {}
        self._committees: dict[int, Agency] = {}
        self._code_owners: dict[int, tuple[Agency, str]] = {}
        self.labels: dict[str, str] = {}  # column key → its header in the file
        self.file_codes: dict[str, int] = {}
        self.counter_floor: dict[tuple[int, dt.date], int] = {}

    # ---- passes --------------------------------------------------------------------------
    def run(self, *, write: bool) -> DossierImportReport:
        report = DossierImportReport(file=self.path.name)
        try:
            rows = self._rows(report)
            batch: list[_Plan] = []
            for row in rows:
                report.rows += 1
                plan = self._plan(row, report.problems, first_pass=not write)
                if plan is not None:
                    batch.append(plan)
                if len(batch) >= self.batch_size:
                    self._batch(batch, report, write=write)
                    batch = []
            if batch:
                self._batch(batch, report, write=write)
        except _Invalid as error:
            report.problems.append(ImportProblem(error.row, "", error.message, error.params))
        return report

    def _rows(self, report: DossierImportReport) -> Iterator[_SourceRow]:
        records = _records(self.path)
        header_row = next(records, None)
        if header_row is None:
            raise _Invalid(_("The file is empty: the first row must name the columns."))
        _number, header = header_row
        index: dict[int, str] = {}
        labels: dict[int, str] = {}
        problems: list[ImportProblem] = []
        seen: dict[str, str] = {}
        for position, cell in enumerate(header):
            name = _cell_text(cell)
            if not name:
                continue
            key = _HEADERS.get(_header_key(name))
            if key is None:
                report.ignored_columns.append(name)
                continue
            if key in seen:
                problems.append(
                    ImportProblem(
                        1, name, _("the same column as %(other)s."), (("other", seen[key]),)
                    )
                )
                continue
            seen[key] = name
            index[position] = key
            labels[position] = name
        for column in COLUMNS:
            if column.required and column.key not in seen:
                problems.append(ImportProblem(1, column.legacy, _("this column is required.")))
        if problems:
            report.problems.extend(problems)
            return
        self.labels = seen
        for number, record in records:
            if not any(_cell_text(cell) for cell in record):
                continue
            values = {
                key: record[position] if position < len(record) else None
                for position, key in index.items()
            }
            source = {
                labels[position]: _cell_text(values[key])
                for position, key in index.items()
                if _cell_text(values[key])
            }
            yield _SourceRow(number=number, values=values, source=source)

    def _batch(self, plans: list[_Plan], report: DossierImportReport, *, write: bool) -> None:
        codes = [plan.legacy_code for plan in plans]
        imported = {
            (row["other_code"], row["receiving_agency_id"]): row
            for row in Dossier.objects.filter(imported=True, other_code__in=codes).values(
                "pk", "code", "other_code", "receiving_agency_id"
            )
        }
        fingerprints = dict(
            DossierEvent.objects.filter(
                dossier_id__in=[row["pk"] for row in imported.values()],
                seq=1,
                action=Action.IMPORT,
            ).values_list("dossier_id", "payload__fingerprint")
        )
        taken = set(Dossier.objects.filter(code__in=codes).values_list("code", flat=True))
        new: list[_Plan] = []
        for plan in plans:
            existing = imported.get((plan.legacy_code, plan.receiving.pk))
            if existing is None:
                new.append(plan)
            elif fingerprints.get(existing["pk"]) == plan.fingerprint:
                report.skipped.append(plan.legacy_code)
            else:
                report.problems.append(
                    ImportProblem(
                        plan.row,
                        self.labels["code"],
                        _("already imported (dossier %(code)s) with different data."),
                        (("code", existing["code"] or existing["other_code"]),),
                    )
                )
        for plan in new:
            report.created.append(plan.legacy_code)
            if plan.legacy_code in taken and not write:
                report.renamed.append((plan.legacy_code, ""))
        if write and new:
            if report.problems:  # changed since the first pass: give up, the caller rolls back
                raise DossierImportFailed(report)
            self._write(new, taken, report)

    # ---- one row -------------------------------------------------------------------------
    def _plan(
        self, row: _SourceRow, problems: list[ImportProblem], *, first_pass: bool
    ) -> _Plan | None:
        check = _RowCheck(self, row, problems)
        plan = check.plan()
        code = _cell_text(row.values.get("code"))
        if first_pass and code:
            earlier = self.file_codes.setdefault(code, row.number)
            if earlier != row.number:
                check.problem(
                    "code",
                    _("the code %(code)s is already in row %(row)s."),
                    code=code,
                    row=earlier,
                )
        if plan is not None and first_pass:
            self._note_counter(plan.legacy_code, plan.receiving)
        return plan if check.ok else None

    # ---- lookups -------------------------------------------------------------------------
    def versions(self, code: str) -> list[ProcedureVersion]:
        if code not in self._versions:
            self._versions[code] = list(
                ProcedureVersion.objects.filter(
                    procedure__code=code,
                    status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED],
                )
                .select_related("procedure")
                .prefetch_related("variants__channels")
                .order_by("-number")
            )
        return self._versions[code]

    def agency(self, code: str) -> Agency | str | None:
        """The agency whose motcua, legacy or DVCQG code is ``code``; None if there is none,
        "ambiguous" if several."""
        if code not in self._agencies:
            found = list(
                Agency.objects.filter(Q(code=code) | Q(code_legacy=code) | Q(code_dvcqg=code))[:2]
            )
            self._agencies[code] = found[0] if len(found) == 1 else ("ambiguous" if found else None)
        return self._agencies[code]

    def calendar(self, agency: Agency, moment: dt.datetime) -> WorkCalendar:
        """The receiving agency's calendar around ``moment``, as the live services build it."""
        day = timezone.localdate(moment)
        key = (agency.pk, day.year)
        if key not in self._calendars:
            self._calendars[key] = calendar_for(agency, around=day)
        return self._calendars[key]

    def committee(self, agency: Agency) -> Agency:
        if agency.pk not in self._committees:
            self._committees[agency.pk] = people_committee(agency)
        return self._committees[agency.pk]

    def code_owner(self, agency: Agency) -> tuple[Agency, str]:
        if agency.pk not in self._code_owners:
            self._code_owners[agency.pk] = code_agency(agency)
        return self._code_owners[agency.pk]

    # ---- dossier codes -------------------------------------------------------------------
    def own_sequence(self, code: str, agency: Agency) -> tuple[Agency, dt.date, int] | None:
        """(counter owner, day, sequence) when ``code`` is in motcua's own format for dossiers
        received at ``agency`` (``<agency id>-<yyMMdd>-<NNNN>``, SPEC.md §2.1, ADR 0003)."""
        match = _CODE_PATTERN.match(code)
        if not match:
            return None
        owner, identifier = self.code_owner(agency)
        if match["agency"] != identifier:
            return None
        try:
            day = dt.datetime.strptime(match["day"], "%y%m%d").date()
        except ValueError:
            return None
        return owner, day, int(match["seq"])

    def _note_counter(self, code: str, agency: Agency) -> None:
        """A legacy code in motcua's own format raises that day's counter, so that codes given
        later (live or to renamed rows) never repeat it."""
        own = self.own_sequence(code, agency)
        if own is not None:
            owner, day, sequence = own
            key = (owner.pk, day)
            self.counter_floor[key] = max(self.counter_floor.get(key, 0), sequence)

    def raise_counters(self) -> None:
        for (agency_id, day), value in self.counter_floor.items():
            counter, created = DossierCounter.objects.get_or_create(
                agency_id=agency_id, day=day, defaults={"last_value": value}
            )
            if not created and counter.last_value < value:
                DossierCounter.objects.filter(pk=counter.pk, last_value__lt=value).update(
                    last_value=value
                )

    def _register_number(self, code: str, agency: Agency) -> int | None:
        """The entry in the register (Sổ theo dõi) is the code's sequence, as for live codes."""
        own = self.own_sequence(code, agency)
        return own[2] if own else None

    def _new_code(self, plan: _Plan) -> str:
        while True:
            code = dossier_code_allocate(agency=plan.receiving, day=plan.reception_day)
            if code not in self.file_codes and not Dossier.objects.filter(code=code).exists():
                return code

    # ---- writing -------------------------------------------------------------------------
    def _write(self, plans: list[_Plan], taken: set[str], report: DossierImportReport) -> None:
        for plan in plans:
            if plan.legacy_code in taken:
                plan.code = self._new_code(plan)
                report.renamed.append((plan.legacy_code, plan.code))
            else:
                plan.code = plan.legacy_code
        dossiers = Dossier.objects.bulk_create(
            [
                Dossier(
                    code=plan.code,
                    register_number=self._register_number(plan.code, plan.receiving),
                    **plan.fields,
                )
                for plan in plans
            ]
        )
        supplements = SupplementRequest.objects.bulk_create(
            [
                SupplementRequest(
                    dossier=dossier,
                    phase=item.phase,
                    requested_at=item.requested_at,
                    reason="",
                    items=[],
                    supplied_at=item.supplied_at,
                    due_before=item.due_before,
                    due_after=item.due_after,
                    paused_seconds=item.paused_seconds,
                )
                for plan, dossier in zip(plans, dossiers, strict=True)
                for item in plan.supplements
            ]
        )
        Extension.objects.bulk_create(
            [
                Extension(dossier=dossier, **plan.extension)
                for plan, dossier in zip(plans, dossiers, strict=True)
                if plan.extension is not None
            ]
        )
        payments = {
            payment.dossier_id: payment
            for payment in PaymentRequest.objects.bulk_create(
                [
                    PaymentRequest(dossier=dossier, **plan.payment)
                    for plan, dossier in zip(plans, dossiers, strict=True)
                    if plan.payment is not None
                ]
            )
        }
        requests = iter(supplements)
        for plan, dossier in zip(plans, dossiers, strict=True):
            rows = [next(requests) for _item in plan.supplements]
            for event in plan.events:
                payload = dict(event.payload)
                if event.action is Action.IMPORT:
                    payload |= {
                        "code": dossier.code,
                        "imported_at": _iso(self.now),
                        "importer": getattr(self.actor, "username", ""),
                    }
                if event.supplement is not None and "request" in payload:
                    payload["request"] = rows[event.supplement].pk
                if "payment" in payload:
                    payload["payment"] = payments[dossier.pk].pk
                where = policies.RULES.get(event.action, ("receiving",))[0]
                event_append(
                    dossier=dossier,
                    action=event.action,
                    at=event.at,
                    actor=self.actor if event.action is Action.IMPORT else None,
                    agency=dossier.receiving_agency
                    if where == "receiving"
                    else dossier.handling_agency,
                    from_state=event.from_state,
                    to_state=event.to_state,
                    reason=event.reason,
                    payload=payload,
                )


# -- checking one row and planning its dossier ------------------------------------------------


class _RowCheck:
    def __init__(self, importer: _Importer, row: _SourceRow, problems: list[ImportProblem]):
        self.importer = importer
        self.row = row
        self.problems = problems
        self.ok = True
        self.canonical: dict[str, Any] = {}

    # ---- reporting -----------------------------------------------------------------------
    def label(self, key: str) -> str:
        return self.importer.labels.get(key) or _BY_KEY[key].legacy

    def problem(self, key: str | None, message: str | Promise, **params: Any) -> None:
        column = self.label(key) if key else ""
        self.problems.append(ImportProblem(self.row.number, column, message, tuple(params.items())))
        self.ok = False

    # ---- values --------------------------------------------------------------------------
    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = _cell_text(self.row.values.get(key))
        if not value:
            if required:
                self.problem(key, _("a value is required."))
            return ""
        if max_length is not None and len(value) > max_length:
            self.problem(key, _("at most %(limit)s characters."), limit=max_length)
        self.canonical[key] = value
        return value

    def choice(self, key: str, mapping: dict[str, Any], *, required: bool = False) -> Any:
        value = self.text(key, required=required)
        if not value:
            return None
        found = mapping.get(search_key(value))
        if found is None:
            self.problem(
                key,
                _("“%(value)s” is not one of: %(choices)s."),
                value=value,
                choices=", ".join(sorted({k for k in mapping if k.isascii() and " " not in k})),
            )
            return None
        self.canonical[key] = str(found)
        return found

    def boolean(self, key: str) -> bool:
        value = search_key(_cell_text(self.row.values.get(key)))
        if value in _TRUE:
            self.canonical[key] = True
            return True
        if value not in _FALSE:
            self.problem(key, _("write 1 (yes) or 0 (no)."))
        return False

    def moment(self, key: str) -> _Moment | None:
        raw = self.row.values.get(key)
        try:
            parsed = parse_moment(raw)
        except (ValueError, TypeError, OverflowError):
            self.problem(
                key,
                _("“%(value)s” is not a date (write dd/mm/yyyy HH:MM or yyyy-mm-ddTHH:MM)."),
                value=_cell_text(raw),
            )
            return None
        if parsed is None:
            return None
        moment = _Moment(*parsed)
        self.canonical[key] = moment.canonical
        return moment

    def intervals(self, key: str) -> list[tuple[dt.datetime, dt.datetime | None]]:
        """``requested/supplied; requested/supplied`` — the supply may be blank when the last
        request is still open."""
        text = _cell_text(self.row.values.get(key))
        if not text:
            return []
        result: list[tuple[dt.datetime, dt.datetime | None]] = []
        canonical: list[list[str]] = []
        for number, part in enumerate((p.strip() for p in text.split(";") if p.strip()), 1):
            split = _split_interval(part)
            if split is None:
                self.problem(
                    key,
                    _("interval %(number)s (“%(value)s”) is not “requested/supplied”."),
                    number=number,
                    value=part,
                )
                continue
            requested, supplied = split
            if supplied is not None and supplied < requested:
                self.problem(
                    key,
                    _("interval %(number)s: supplied (%(supplied)s) before requested."),
                    number=number,
                    supplied=_local(supplied),
                )
                continue
            result.append((requested, supplied))
            canonical.append([_Moment(requested, True).canonical, _canonical_or_blank(supplied)])
        self.canonical[key] = canonical
        return result

    # ---- the row -------------------------------------------------------------------------
    def plan(self) -> _Plan | None:
        values = self._read()
        if values is None:
            return None
        state, times = self._consistency(values)
        received, submitted = times.get("received_at"), values.submitted
        # The procedure version in force on the reception day (SPEC.md §8).
        day = timezone.localdate(received or submitted or self.importer.now)
        version = self._version(values.procedure_code, day)
        variant = self._variant(version, values.variant_code) if version else None
        if not self.ok or version is None or variant is None:
            return None
        self.canonical["variant"] = variant.code
        appointments = self._appointments(values, received)
        if appointments is None:
            return None
        due_file, original_file, extension_due = appointments
        history = _History(
            check=self,
            importer=self.importer,
            receiving=values.receiving,
            variant=variant,
            channel=values.channel,
            state=state,
            times=times,
            submitted=submitted,
            intervals=values.intervals,
            due_file=due_file,
            original_file=original_file,
            extension_due=extension_due,
            extension_reason=values.extension_reason,
            reason=values.reason,
        )
        events = history.build()
        if events is None:
            return None
        fields = self._fields(values, version, history)
        for event in events:
            if event.action is Action.RESOLVE:
                event.payload = {
                    "result_kind": str(fields["result_kind"]),
                    "result_number": "",
                    "timeliness": fields["timeliness"],
                }
            elif event.action is Action.RETURN_RESULT:
                event.payload = {
                    "method": str(fields["return_method"]),
                    "recipient": fields["result_recipient"],
                }
        fingerprint = hashlib.sha256(
            json.dumps(self.canonical, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        events[0].payload = {
            "source": self.row.source,
            "fingerprint": fingerprint,
            "file": self.importer.path.name,
            "row": self.row.number,
            "other_code": values.code,
            "channel": int(values.channel),
        }
        return _Plan(
            row=self.row.number,
            legacy_code=values.code,
            fingerprint=fingerprint,
            source=self.row.source,
            receiving=values.receiving,
            reception_day=day,
            fields=fields,
            supplements=history.supplements,
            extension=history.extension,
            payment=history.payment,
            events=events,
        )

    def _read(self) -> _Values | None:
        """Every cell of the row parsed; ``None`` (with the problems noted) if any is invalid."""
        values = _Values(
            code=self.text("code", required=True, max_length=64),
            procedure_code=self.text("procedure_code", required=True),
            variant_code=self.text("variant"),
            receiving=self._agency("receiving_agency", required=True),
            handling=self._agency("handling_agency"),
            channel=self.choice("channel", _CHANNELS, required=True),
            state=self._status(),
            applicant_type=self._applicant_type(),
            name=self.text("applicant_name", required=True, max_length=255),
            id_number=self.text("applicant_id_number", max_length=32),
            phone=self.text("applicant_phone").replace(" ", "").replace(".", ""),
            email=self.text("applicant_email", max_length=254),
            address=self.text("applicant_address", max_length=500),
            summary=self.text("summary", max_length=1000),
            recipient=self.text("result_recipient", max_length=255),
            extension_reason=self.text("extension_reason"),
            reason=self.text("reason"),
            result_kind=self.choice("result_kind", _RESULT_KINDS),
            return_method=self.choice("return_method", _RETURN_METHODS),
            paid=self.boolean("paid"),
            digitised=self.boolean("digitised"),
            moments={key: self.moment(key) for key in _MOMENT_KEYS},
            intervals=self.intervals("supplements"),
        )
        if len(values.phone) > 20:  # as live: spaces and dots removed
            self.problem("applicant_phone", _("at most %(limit)s characters."), limit=20)
        if values.email:
            try:
                validate_email(values.email)
            except ValidationError:
                self.problem(
                    "applicant_email",
                    _("“%(value)s” is not an e-mail address."),
                    value=values.email,
                )
        if not self.ok:
            return None
        times = [m.value for key, m in values.moments.items() if m and key not in _APPOINTMENTS]
        times += [t for pair in values.intervals for t in pair if t is not None]
        given = values.moments["submitted_at"]
        values.submitted = given.value if given else (min(times) if times else None)
        return values

    def _consistency(self, values: _Values) -> tuple[DossierState, dict[str, dt.datetime]]:
        """The status and the timestamps agree (SPEC.md §1.7), and the times are in order."""
        times = {key: m.value for key, m in values.moments.items() if m is not None}
        state = values.state
        assert state is not None
        if state is DossierState.SUPPLEMENT_REQUESTED and "received_at" not in times:
            state = DossierState.RETURNED_FOR_COMPLETION  # code 5 before reception
        self.canonical["status"] = state.value
        label = state.label
        received = times.get("received_at")
        if state in _NEEDS_RECEPTION and received is None:
            self.problem("received_at", _("required for status “%(status)s”."), status=label)
        if received is not None and state in _BEFORE_RECEPTION:
            self.problem("received_at", _("must be empty for status “%(status)s”."), status=label)
        required = _REQUIRED_FOR.get(state)
        if required and required not in times:
            self.problem(required, _("required for status “%(status)s”."), status=label)
        if state is DossierState.STOPPED:
            stopped, finished = times.get("stopped_at"), times.pop("finished_at", None)
            if stopped is None and finished is None:
                self.problem("stopped_at", _("required for status “%(status)s”."), status=label)
            elif stopped and finished and stopped != finished:
                self.problem(
                    "finished_at",
                    _("for a stopped dossier it is the stop time (%(value)s)."),
                    value=_local(stopped),
                )
            if stopped or finished:
                times["stopped_at"] = stopped or finished
        for key, states in _ONLY_FOR.items():
            if (key in times or self.canonical.get(key)) and state not in states:
                self.problem(key, _("must be empty for status “%(status)s”."), status=label)
        if "paid_at" in times and "payment_requested_at" not in times:
            self.problem("paid_at", _("needs %(other)s."), other=self.label("payment_requested_at"))
        if "payment_requested_at" in times and "paid_at" not in times and state in _PAID_STATES:
            self.problem("paid_at", _("required when the payment request was answered."))
        if (values.extension_reason or "extension_at" in times) and not values.moments[
            "extension_new_due"
        ]:
            self.problem("extension_new_due", _("required when the appointment was extended."))
        waiting = (DossierState.SUPPLEMENT_REQUESTED, DossierState.RETURNED_FOR_COMPLETION)
        if state in waiting and all(supplied for _requested, supplied in values.intervals):
            self.problem(
                "supplements",
                _("status “%(status)s” needs a request that was not supplied yet (“requested/”)."),
                status=label,
            )
        self._check_order(times, values)
        if state is DossierState.RETURNED and "finished_at" not in times and "returned_at" in times:
            times["finished_at"] = times["returned_at"]  # SPEC.md §3.5: else the return time
        return state, times

    def _check_order(self, times: dict[str, dt.datetime], values: _Values) -> None:
        now = self.importer.now
        for key, moment in times.items():
            if key not in _APPOINTMENTS and moment > now:
                self.problem(key, _("%(value)s is in the future."), value=_local(moment))
        for number, (requested, supplied) in enumerate(values.intervals, 1):
            for moment in (requested, supplied):
                if moment is not None and moment > now:
                    self.problem(
                        "supplements", _("%(value)s is in the future."), value=_local(moment)
                    )
            if values.submitted is not None and requested < values.submitted:
                self.problem(
                    "supplements",
                    _("interval %(number)s: requested before the submission (%(value)s)."),
                    number=number,
                    value=_local(values.submitted),
                )
        reported: set[str] = set()
        for later, earlier in _ORDER:
            if later in reported or later not in times or earlier not in times:
                continue
            if times[later] < times[earlier]:
                reported.add(later)
                self.problem(
                    later,
                    _("%(value)s is earlier than %(other)s (%(other_value)s)."),
                    value=_local(times[later]),
                    other=self.label(earlier),
                    other_value=_local(times[earlier]),
                )

    def _appointments(
        self, values: _Values, received: dt.datetime | None
    ) -> tuple[dt.datetime | None, dt.datetime | None, dt.datetime | None] | None:
        """(due, original due, extension's new due) from the file; a date alone is the end of
        that working day."""
        due, original, extended = (
            self._appointment(values.moments[key], values.receiving)
            for key in ("due_at", "original_due_at", "extension_new_due")
        )
        for key, value in (("due_at", due), ("original_due_at", original)):
            if value is not None and received is not None and value < received:
                self.problem(
                    key,
                    _("%(value)s is earlier than %(other)s (%(other_value)s)."),
                    value=_local(value),
                    other=self.label("received_at"),
                    other_value=_local(received),
                )
        if due and extended and due < extended:
            self.problem(
                "due_at",
                _(
                    "the appointment in force cannot be earlier than the extended one "
                    "(%(value)s); put the first appointment in %(other)s."
                ),
                value=_local(extended),
                other=self.label("original_due_at"),
            )
        return (due, original, extended) if self.ok else None

    def _fields(
        self, values: _Values, version: ProcedureVersion, history: _History
    ) -> dict[str, Any]:
        """The dossier's fields, filled as the live services fill them."""
        assert values.receiving is not None and values.channel is not None
        state = history.state
        fields: dict[str, Any] = {
            "other_code": values.code,
            "procedure_version": version,
            "variant": history.variant,
            "receiving_agency": values.receiving,
            "handling_agency": values.handling or self.importer.committee(values.receiving),
            "channel": int(values.channel),
            "state": state,
            "state_before_withdrawal": history.state_before_withdrawal,
            "applicant_type": values.applicant_type,
            "applicant_name": values.name,
            "applicant_id_number": values.id_number,
            "applicant_phone": values.phone,
            "applicant_email": values.email,
            "applicant_address": values.address,
            "summary": values.summary or version.name[:1000],
            "submitted_at": values.submitted,
            "interlinked": version.is_interlinked,
            "digitised": values.digitised,
            "paid": values.paid or history.paid,
            "imported": True,
            "result_recipient": "",
            **history.fields,
        }
        if state in (DossierState.RESOLVED, DossierState.RETURNED):
            fields["result_kind"] = values.result_kind or ResultKind.APPROVAL
            if fields["result_kind"] == ResultKind.REFUSAL:
                fields["result_note"] = values.reason
        if state is DossierState.RETURNED:
            fields["return_method"] = values.return_method or _DEFAULT_RETURN[values.channel]
            fields["result_recipient"] = values.recipient
        return fields

    # ---- helpers -------------------------------------------------------------------------
    def _agency(self, key: str, *, required: bool = False) -> Agency | None:
        code = self.text(key, required=required)
        if not code:
            return None
        found = self.importer.agency(code)
        if found is None:
            self.problem(key, _("no agency has the code %(code)s."), code=code)
            return None
        if isinstance(found, str):
            self.problem(key, _("the code %(code)s matches several agencies."), code=code)
            return None
        self.canonical[key] = found.code
        return found

    def _status(self) -> DossierState | None:
        value = self.text("status", required=True)
        if not value:
            return None
        if value.isdigit() and int(value) in _STATUS_CODES:
            return _STATUS_CODES[int(value)]
        try:
            state = DossierState(value.lower())
        except ValueError:
            state = None
        if state is None or state is DossierState.DRAFT:
            self.problem(
                "status", _("“%(value)s” is not a status code 1–10 or a status name."), value=value
            )
            return None
        return state

    def _applicant_type(self) -> int:
        value = self.text("applicant_type")
        if not value:
            return ApplicantType.CITIZEN
        if not value.isdigit() or int(value) not in ApplicantType.values:
            self.problem(
                "applicant_type",
                _("“%(value)s” is not one of: %(choices)s."),
                value=value,
                choices="1, 2, 3, 4",
            )
            return ApplicantType.CITIZEN
        return int(value)

    def _version(self, code: str, day: dt.date) -> ProcedureVersion | None:
        versions = self.importer.versions(code)
        if not versions:
            self.problem("procedure_code", _("no procedure has the code %(code)s."), code=code)
            return None

        def covers(version: ProcedureVersion) -> bool:
            return (version.valid_from is None or version.valid_from <= day) and (
                version.valid_to is None or day <= version.valid_to
            )

        # Published versions keep their validity when superseded; a retired one never applied
        # on its own, so it is taken only when no published version covers the day.
        for status in (VersionStatus.PUBLISHED, VersionStatus.RETIRED):
            for version in versions:
                if version.status == status and covers(version):
                    return version
        self.problem(
            "procedure_code",
            _("no version of procedure %(code)s was in force on %(day)s."),
            code=code,
            day=day.strftime("%d/%m/%Y"),
        )
        return None

    def _variant(self, version: ProcedureVersion, code: str) -> ProcedureVariant | None:
        variants = list(version.variants.all())
        for variant in variants:
            if (code and variant.code == code) or (not code and variant.is_default):
                return variant
        if not code and variants:
            return variants[0]
        self.problem(
            "variant",
            _("procedure %(procedure)s has no case %(code)s."),
            procedure=version.procedure.code,
            code=code,
        )
        return None

    def _appointment(self, moment: _Moment | None, agency: Agency) -> dt.datetime | None:
        if moment is None:
            return None
        if moment.has_time:
            return moment.value
        day = moment.value.astimezone(VIETNAM).date()
        return self.importer.calendar(agency, moment.value).end_of_working_day(day)


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


# -- the history of one dossier ---------------------------------------------------------------


class _History:
    """The events of one dossier in time order, replayed through the state machine (SPEC.md
    §1.7) while the clock fields are computed as the live services compute them (§3.4–§3.5)."""

    def __init__(
        self,
        *,
        check: _RowCheck,
        importer: _Importer,
        receiving: Agency,
        variant,
        channel: int,
        state: DossierState,
        times: dict[str, dt.datetime],
        submitted: dt.datetime | None,
        intervals,
        due_file,
        original_file,
        extension_due,
        extension_reason: str,
        reason: str,
    ) -> None:
        self.check = check
        self.importer = importer
        self.receiving = receiving
        self.variant = variant
        self.channel = channel
        self.declared = state
        self.times = times
        self.submitted = submitted
        self.intervals = intervals
        self.due_file = due_file
        self.original_file = original_file
        self.extension_due = extension_due
        self.extension_reason = extension_reason
        self.reason = reason
        self.state: DossierState = DossierState.SUBMITTED
        self.state_before_withdrawal = ""
        self.paid = False
        self.supplements: list[_SupplementPlan] = []
        self.extension: dict[str, Any] | None = None
        self.payment: dict[str, Any] | None = None
        self.fields: dict[str, Any] = {}

    def calendar(self, moment: dt.datetime) -> WorkCalendar:
        return self.importer.calendar(self.receiving, moment)

    def _events(self) -> list[_EventPlan]:
        events: list[_EventPlan] = []

        def add(action: Action, at: dt.datetime, **extra: Any) -> None:
            events.append(_EventPlan(action=action, at=at, order=len(events), **extra))

        t = self.times
        received = t.get("received_at")
        add(Action.IMPORT, self.submitted)
        for index, (requested, supplied) in enumerate(self.intervals):
            phase = (
                SupplementPhase.PROCESSING
                if received is not None and requested >= received
                else SupplementPhase.BEFORE_RECEPTION
            )
            self.supplements.append(_SupplementPlan(phase, requested, supplied))
            before = phase == SupplementPhase.BEFORE_RECEPTION
            add(
                Action.REQUEST_COMPLETION if before else Action.REQUEST_SUPPLEMENT,
                requested,
                supplement=index,
            )
            if supplied is not None:
                add(Action.RESUBMIT if before else Action.SUPPLY, supplied, supplement=index)
        if "rejected_at" in t:
            add(Action.REFUSE, t["rejected_at"], reason=self.reason)
        if received is not None:
            add(Action.RECEIVE, received)
            forwarded = any(e.action is Action.SUPPLY for e in events) or "paid_at" in t
            if self.declared is DossierState.IN_PROCESS and not forwarded:
                add(Action.HANDOVER, received)  # RECEIVED → IN_PROCESS "forwarding (auto)"
        if "payment_requested_at" in t:
            add(Action.REQUEST_PAYMENT, t["payment_requested_at"])
            if "paid_at" in t:
                add(Action.CONFIRM_PAYMENT, t["paid_at"])
        if self.extension_due is not None:
            at = t.get("extension_at") or self._original_due() or received or self.submitted
            add(Action.EXTEND, at, reason=self.extension_reason)
        if "withdrawn_at" in t:
            add(Action.REQUEST_WITHDRAWAL, t["withdrawn_at"], reason=self.reason)
        if self.declared in (DossierState.RESOLVED, DossierState.RETURNED) and "finished_at" in t:
            add(Action.RESOLVE, t["finished_at"], reason=self.reason)
        if "stopped_at" in t:
            action = Action.CONFIRM_WITHDRAWAL if "withdrawn_at" in t else Action.STOP
            add(action, t["stopped_at"], reason=self.reason)
        if "returned_at" in t:
            add(Action.RETURN_RESULT, t["returned_at"])
        events.sort(key=lambda e: (e.at, e.order))
        return events

    def _original_due(self) -> dt.datetime | None:
        """The appointment given at reception (Mẫu 01)."""
        received = self.times.get("received_at")
        if received is None:
            return None
        if self.original_file is not None:
            return self.original_file
        moved = self.extension_due is not None or any(s for _r, s in self.intervals if s)
        if self.due_file is not None and not moved:
            return self.due_file
        calendar = self.calendar(received)
        amount, unit = time_rule(self.variant, self.channel)
        appointment = clock.appointment(
            calendar, clock.reception_time(calendar, received), amount, unit
        )
        return appointment or self.due_file

    def build(self) -> list[_EventPlan] | None:
        events = self._events()
        check = self.check
        due: dt.datetime | None = None
        original: dt.datetime | None = None
        paused_at: dt.datetime | None = None
        paused_seconds = 0
        supplement_count = 0
        state: DossierState | None = None
        for event in events:
            if event.action is Action.IMPORT:
                event.to_state = state = DossierState.SUBMITTED
                continue
            assert state is not None
            if not transitions.can(event.action, state):
                check.problem(
                    None,
                    _(
                        "“%(action)s” on %(at)s is not possible while the dossier "
                        "is “%(state)s”; check the dates."
                    ),
                    action=event.action.label,
                    at=_local(event.at),
                    state=state.label,
                )
                return None
            event.from_state = state
            state = transitions.target(event.action, state)
            event.to_state = state
            item = self.supplements[event.supplement] if event.supplement is not None else None
            if event.action is Action.RECEIVE:
                calendar = self.calendar(event.at)
                received = clock.reception_time(calendar, event.at)
                original = due = self._original_due()
                self.fields |= {"received_at": received}
                event.payload = {"received_at": _iso(received), "due_at": _iso(due)}
            elif event.action is Action.REQUEST_COMPLETION:
                event.payload = {"items": [], "request": None}
            elif event.action is Action.RESUBMIT:
                event.payload = {"components": 0}
            elif event.action is Action.HANDOVER:
                event.payload = {"next_step": None}
            elif event.action is Action.REQUEST_SUPPLEMENT:
                assert item is not None
                item.due_before = due
                paused_at = event.at
                supplement_count += 1
                event.payload = {"items": [], "request": None, "due_before": _iso(due)}
            elif event.action is Action.SUPPLY:
                assert item is not None
                calendar = self.calendar(event.at)
                start = paused_at or item.requested_at
                if due is not None:
                    due, pause = clock.resume(calendar, due, start, event.at)
                else:
                    pause = clock.paused_time(calendar, start, event.at)
                if original is not None:  # the statutory appointment moves by pauses only
                    original = calendar.add_working_time(original, pause)
                item.due_after = due
                item.paused_seconds = int(pause.total_seconds())
                paused_seconds += item.paused_seconds
                paused_at = None
                event.payload = {
                    "paused_seconds": item.paused_seconds,
                    "due_after": _iso(due),
                    "components": 0,
                }
            elif event.action is Action.REQUEST_PAYMENT:
                self.payment = {"amount": 0, "requested_at": event.at}
                event.payload = {"amount": "0", "payment": None}
            elif event.action is Action.CONFIRM_PAYMENT:
                assert self.payment is not None
                self.payment["paid_at"] = event.at
                self.paid = True
                event.payload = {"amount": "0", "method": "", "receipt": ""}
            elif event.action is Action.EXTEND:
                new_due = self.extension_due
                assert new_due is not None
                if due is None or new_due <= due:
                    check.problem(
                        "extension_new_due",
                        _("must be later than the appointment it extends (%(value)s)."),
                        value=_local(due) if due else "—",
                    )
                    return None
                self.extension = {
                    "created_at": event.at,
                    "reason": self.extension_reason,
                    "original_due": original or due,
                    "previous_due": due,
                    "new_due": new_due,
                    "regime": regime_for(timezone.localdate(self.fields["received_at"])),
                }
                event.payload = {"previous_due": _iso(due), "new_due": _iso(new_due)}
                due = new_due
            elif event.action is Action.REQUEST_WITHDRAWAL:
                self.state_before_withdrawal = event.from_state
            elif event.action is Action.CONFIRM_WITHDRAWAL:
                event.payload = {"state_before": self.state_before_withdrawal}
            # RESOLVE, STOP, REFUSE, RETURN_RESULT: fields are set below, from the final due.

        assert state is not None
        if state != self.declared and not (
            self.declared is DossierState.RECEIVED and state is DossierState.IN_PROCESS
        ):
            check.problem(
                "status",
                _(
                    "the status is “%(status)s” but the dates describe a "
                    "dossier that is “%(state)s”."
                ),
                status=self.declared.label,
                state=state.label,
            )
            return None
        self.state = state
        self._finish(due_replayed=due, original=original, paused_at=paused_at)
        self.fields |= {
            "paused_seconds": paused_seconds,
            "supplement_count": supplement_count,
        }
        return events

    def _finish(
        self,
        *,
        due_replayed: dt.datetime | None,
        original: dt.datetime | None,
        paused_at: dt.datetime | None,
    ) -> None:
        """Fill the dossier's clock and result fields as the live services leave them."""
        t = self.times
        received = t.get("received_at")
        due = (self.due_file or due_replayed) if received is not None else None
        if self.due_file is not None and self.extension is None and self.original_file is None:
            original = self.due_file  # without an extension both appointments are the same
        if received is None:
            original = None
        fields = self.fields
        fields |= {
            "due_at": due,
            "original_due_at": original,
            "paused_at": paused_at,
            "apology_issued": self.extension is not None,
            "extension_count": 1 if self.extension is not None else 0,
            "rejected_at": t.get("rejected_at"),
            "stopped_at": t.get("stopped_at"),
            "returned_at": t.get("returned_at"),
            "timeliness": "",
            "is_overdue": False,
        }
        supplements = sum(1 for s in self.supplements if s.phase == SupplementPhase.PROCESSING)
        if self.state in (DossierState.RESOLVED, DossierState.RETURNED):
            # Judged on the statutory appointment (moved by pauses, not by an extension: an
            # apology does not make a late dossier on time, SPEC.md §1.4, §3.4–§3.5).
            finished = t["finished_at"]
            fields["finished_at"] = finished
            fields["timeliness"] = clock.classify(
                dossier_convention(),
                finished=finished,
                due=original,
                calendar=self.calendar(finished),
                supplement_requests=supplements,
            )
            fields["is_overdue"] = fields["timeliness"] == Timeliness.LATE
        elif self.state is DossierState.STOPPED and received is not None:
            # A stop or a confirmed withdrawal counts as finished on time (SPEC.md §7.1 col. 9).
            fields["finished_at"] = t["stopped_at"]
            fields["timeliness"] = Timeliness.ON_TIME
        elif self.state in OPEN_STATES and self.state is not DossierState.SUPPLEMENT_REQUESTED:
            # What the periodic ``dossiers_mark_overdue`` task would have set by now.
            fields["is_overdue"] = clock.is_overdue(due, self.importer.now)


# -- entry point ------------------------------------------------------------------------------


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
