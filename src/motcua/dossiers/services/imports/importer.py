"""The importer: the two passes over the file (check, then write in batches), the lookups
they share, legacy and new dossier codes, and the writing of dossiers with their events."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.core.workcal import WorkCalendar
from motcua.dossiers import policies
from motcua.dossiers.choices import Action
from motcua.dossiers.models import (
    Dossier,
    DossierCounter,
    DossierEvent,
    Extension,
    PaymentRequest,
    SupplementRequest,
)

# The live services' own rules, so that an imported dossier is computed exactly like a live one.
from motcua.dossiers.services._common import people_committee
from motcua.dossiers.services.codes import code_agency, dossier_code_allocate
from motcua.dossiers.services.events import events_bulk_append
from motcua.dossiers.services.imports.checks import _RowCheck
from motcua.dossiers.services.imports.columns import _HEADERS, COLUMNS, _header_key
from motcua.dossiers.services.imports.plans import _Plan
from motcua.dossiers.services.imports.reading import _cell_text, _iso, _records, _SourceRow
from motcua.dossiers.services.imports.report import (
    DossierImportFailed,
    DossierImportReport,
    ImportProblem,
    _Invalid,
)
from motcua.org.models import Agency
from motcua.org.services.calendar import calendar_for
from motcua.reports.services.rollups import rollup_refresh_many

_CODE_PATTERN = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<seq>\d{1,9})$")


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
        taken = {
            code  # never None: matched by ``code__in``
            for code in Dossier.objects.filter(code__in=codes).values_list("code", flat=True)
            if code is not None
        }
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
                    original_due_before=item.original_due_before,
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
        histories = []
        for plan, dossier in zip(plans, dossiers, strict=True):
            rows = [next(requests) for _item in plan.supplements]
            items = []
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
                items.append(
                    {
                        "action": event.action,
                        "at": event.at,
                        "actor": self.actor if event.action is Action.IMPORT else None,
                        "agency": dossier.receiving_agency
                        if where == "receiving"
                        else dossier.handling_agency,
                        "from_state": event.from_state,
                        "to_state": event.to_state,
                        "reason": event.reason,
                        "payload": payload,
                    }
                )
            histories.append((dossier, items))
        events_bulk_append(histories)
        rollup_refresh_many([dossier.pk for dossier in dossiers])  # ADR 0004
