"""Checking one row of an import file and planning its dossier: every cell parsed, the status
and the dates consistent (SPEC.md §1.7), the procedure version in force on the reception day."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import ApplicantType, VersionStatus
from motcua.catalog.models import ProcedureVariant, ProcedureVersion
from motcua.core.text import search_key
from motcua.dossiers.choices import Action, DossierState, ResultKind
from motcua.dossiers.services.imports.columns import (
    _APPOINTMENTS,
    _BY_KEY,
    _CHANNELS,
    _DEFAULT_RETURN,
    _FALSE,
    _MOMENT_KEYS,
    _RESULT_KINDS,
    _RETURN_METHODS,
    _STATUS_CODES,
    _TRUE,
)
from motcua.dossiers.services.imports.history import _History
from motcua.dossiers.services.imports.plans import _Plan, _Values
from motcua.dossiers.services.imports.reading import (
    VIETNAM,
    _canonical_or_blank,
    _cell_text,
    _local,
    _Moment,
    _SourceRow,
    _split_interval,
    parse_moment,
)
from motcua.dossiers.services.imports.report import ImportProblem
from motcua.org.models import Agency

if TYPE_CHECKING:
    from motcua.dossiers.services.imports.importer import _Importer

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

    def online_payment(self, key: str) -> bool:
        """DuocThanhToanTrucTuyen (SPEC.md §4.2): 1 paid online on the national portal, 2 through
        a provincial or ministry gateway, 3 (TD) a fee not paid online, 0 none. A yes/no word is
        read as 1/0."""
        value = search_key(_cell_text(self.row.values.get(key)))
        if value in ("1", "2") or value in _TRUE:
            self.canonical[key] = True
            return True
        if value not in ("3", *_FALSE):
            self.problem(key, _("write 1 or 2 (paid online), 3 or 0 (not paid online)."))
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
        # Without a problem the required cells are there, and a status needs a time (_consistency).
        receiving, channel = values.receiving, values.channel
        assert receiving is not None and channel is not None and submitted is not None
        self.canonical["variant"] = variant.code
        appointments = self._appointments(values, receiving, received)
        if appointments is None:
            return None
        due_file, original_file, extension_due = appointments
        history = _History(
            check=self,
            importer=self.importer,
            receiving=receiving,
            variant=variant,
            channel=channel,
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
            "channel": int(channel),
        }
        return _Plan(
            row=self.row.number,
            legacy_code=values.code,
            fingerprint=fingerprint,
            source=self.row.source,
            receiving=receiving,
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
            paid=self.online_payment("paid"),
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
            stop = stopped or finished
            if stop is not None:
                times["stopped_at"] = stop
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
            for instant in (requested, supplied):
                if instant is not None and instant > now:
                    self.problem(
                        "supplements", _("%(value)s is in the future."), value=_local(instant)
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
        self, values: _Values, receiving: Agency, received: dt.datetime | None
    ) -> tuple[dt.datetime | None, dt.datetime | None, dt.datetime | None] | None:
        """(due, original due, extension's new due) from the file; a date alone is the end of
        that working day."""
        due, original, extended = (
            self._appointment(values.moments[key], receiving)
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
            "paid_online": values.paid,
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
